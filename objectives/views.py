"""Action pages: the hanke's actions with their lights, and one action with its status log
and the form to record a new status (thin views: selectors read, services write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from measures.selectors import indicator_cards
from projects.access import Perm, can
from projects.models import PlanVersion
from projects.selectors import project_get

from . import selectors
from .forms import ActionStatusForm, HankeFilterForm
from .services import ActionConflictError, action_status_update


@login_required
@require_GET
def action_list(request, project_pk: int):
    project = project_get(user=request.user, pk=project_pk)
    actions = selectors.action_list(user=request.user, project=project)
    return render(request, "objectives/action_list.html", {"project": project, "actions": actions})


def _form(action, data=None) -> ActionStatusForm:
    people = selectors.hanke_people(project=action.project)
    initial = {
        "status": action.status,
        "status_date": timezone.localdate(),
        "owner": action.owner_id,
        "expected_version": action.version,
    }
    return ActionStatusForm(data, initial=initial, people=people)


def _save(request, action, form):
    """Run the service; return (saved action or None, conflicting current action or None)."""
    try:
        fresh = action_status_update(
            action=action,
            actor=request.user,
            status=form.cleaned_data["status"],
            comment=form.cleaned_data["comment"],
            status_date=form.cleaned_data["status_date"],
            owner=form.cleaned_data["owner"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None, None
    except ActionConflictError as exc:
        return None, exc.current
    return fresh, None


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk: int):
    action = selectors.action_get(user=request.user, pk=pk)
    can_update = can(request.user, Perm.UPDATE_ACTION_STATUS, action)
    conflict = None
    form = _form(action)
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied
        form = _form(action, request.POST)
        if form.is_valid():
            fresh, conflict = _save(request, action, form)
            if fresh is not None:
                messages.success(request, _("Status saved."))
                if not request.htmx:
                    return redirect("objectives:action-detail", pk=pk)
                action = selectors.action_get(user=request.user, pk=pk)
                form = _form(action)
    context = {"action": action, "form": form, "can_update": can_update, "conflict": conflict}
    template = "objectives/action_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#status"
    return render(request, template, context)


@login_required
@require_GET
def hanke(request, project_pk: int):
    """The hanke's work breakdown as a tree with lights, filtered by the GET form."""
    project = project_get(user=request.user, pk=project_pk)
    form = HankeFilterForm(
        request.GET,
        people=selectors.hanke_people(project=project),
        plan_versions=PlanVersion.objects.filter(project=project),
    )
    form.is_valid()  # invalid fields are left out of cleaned_data and so filter nothing
    filters = selectors.HankeFilters.from_data(form.cleaned_data)
    tree = selectors.hanke_tree(user=request.user, project=project, filters=filters)
    cards = indicator_cards(user=request.user, project=project, ht=filters.ht)
    context = {"project": project, "tree": tree, "form": form, "indicator_cards": cards}
    return render(request, "objectives/hanke_page.html", context)
