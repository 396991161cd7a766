"""Action pages: the hanke's actions with their lights, and one action with its status log
and the form to record a new status (thin views: selectors read, services write)."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods

from measures.selectors import indicator_card_count
from measures.selectors import indicator_cards
from measures.status_engine import status_refresh_action
from objectives.forms import ActionStatusForm
from objectives.forms import ProjectFilterForm
from objectives.services import ActionConflictError
from objectives.services import action_status_update
from portal.form_saves import form_save
from portal.htmx_views import htmx_template
from portal.paging import OPEN_PARAM
from portal.paging import PARAM as PAGE_PARAM
from projects.access import MANAGER
from projects.access import Perm
from projects.access import can
from projects.access import roles_for
from projects.selectors import plan_follow_up
from projects.selectors import plan_milestones
from projects.selectors import plan_versions
from projects.selectors import project_get
from projects.selectors import project_people
from projects.selectors import project_people_choices
from projects.selectors import risks_due_for_review
from projects.table_views import project_table
from reporting.as_of import views as as_of_views
from reporting.imports.services import kinds_allowed

from . import selectors


@login_required
@require_GET
def action_list(request, project_pk: int):
    """The hanke's actions as a table, a page at a time (?sivu=)."""
    rows, sorts = selectors.action_list, selectors.ACTION_SORTS
    return project_table(request, project_pk, rows, sorts, "objectives/action_list.html")


def _form(action, data=None, auto_id="id_%s") -> ActionStatusForm:
    people = project_people(project=action.project)
    initial = {
        "status": action.status,
        "status_date": timezone.localdate(),
        "owner": action.owner_id,
        "planned_end": action.planned_end,
        "expected_version": action.version,
    }
    return ActionStatusForm(
        data,
        initial=initial,
        people=people,
        current_status=action.status,
        auto_id=auto_id,
    )


# What the status form hands to action_status_update, by the same names.
_STATUS_FIELDS = (
    "status",
    "comment",
    "status_date",
    "owner",
    "planned_end",
    "planned_end_reason",
    "expected_version",
)


def _save(request, action, form):
    """Run the service; return (saved action or None, conflicting current action or None)."""
    values = {name: form.cleaned_data[name] for name in _STATUS_FIELDS}
    return form_save(
        form,
        lambda: action_status_update(action=action, actor=request.user, **values),
        ActionConflictError,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk: int):
    # A save reads the action without its page (timeline, goals, light); the page is read
    # only when it is shown, after the save or with the form's errors.
    posted = request.method == "POST"
    action = selectors.action_get(user=request.user, pk=pk, page=not posted)
    can_update = can(request.user, Perm.UPDATE_ACTION_STATUS, action)
    conflict = None
    form = _form(action)
    if posted:
        if not can_update:
            raise PermissionDenied
        form = _form(action, request.POST)
        if form.is_valid():
            fresh, conflict = _save(request, action, form)
            if fresh is not None:
                status_refresh_action(action_id=fresh.pk, today=timezone.localdate())
                messages.success(request, _("Status saved."))
                if not request.htmx:
                    return redirect("objectives:action-detail", pk=pk)
                form = _form(fresh)
        action = selectors.action_get(user=request.user, pk=pk)
    context = {
        "action": action,
        "form": form,
        "can_update": can_update,
        "can_edit_plan": can(request.user, Perm.EDIT_PLAN, action.project),
        "conflict": conflict,
        **_conflict_context(conflict, form),
    }
    return render(
        request, htmx_template(request, "objectives/action_detail.html", "status"), context
    )


@login_required
@require_GET
def goal_detail(request, pk: int):
    """A process goal: its light, HTs, actions with their lights, and its indicators."""
    goal = selectors.goal_get(user=request.user, pk=pk)
    context = {
        "goal": goal,
        "page": selectors.goal_page(user=request.user, goal=goal),
        "can_edit_plan": can(request.user, Perm.EDIT_PLAN, goal.project),
    }
    return render(request, "objectives/goal_detail.html", context)


def _project_filters(
    request, project, packages, versions
) -> tuple[ProjectFilterForm, selectors.ProjectFilters]:
    form = ProjectFilterForm(
        request.GET,
        people=partial(project_people_choices, project=project),
        plan_versions=versions,
        packages=packages,
    )
    form.is_valid()  # invalid fields are left out of cleaned_data and so filter nothing
    return form, selectors.ProjectFilters.from_data(form.cleaned_data)


CARDS_SHOWN = 12  # indicator cards drawn on the hanke page, a page at a time
CARDS_PARAM = "kortit"  # ?kortit=1: the cards opened (folded without it); 2: the next twelve
CARDS_TOGGLE_ID = "cards-toggle"  # the control that opens or closes the cards in place
# What the hanke page reads from GET; a row's links carry these and nothing else.
HANKE_PARAMS = (*ProjectFilterForm.base_fields, CARDS_PARAM, OPEN_PARAM, PAGE_PARAM)
TOGGLE_ID = "wp-toggle-"  # + package id: the control that opens or closes a package


def _known(params, names):
    known = params.copy()
    for key in set(known) - set(names):
        del known[key]
    return known


def _id_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _project_tree(request, project) -> tuple[ProjectFilterForm, selectors.ProjectTree, list]:
    """The filter form, the tree this request's parameters ask for and the plan versions
    (the form's choices, and the follow-up texts of the landing page)."""
    packages = selectors.project_packages(project=project)
    versions = plan_versions(user=request.user, project=project)
    form, filters = _project_filters(request, project, packages, versions)
    tree = selectors.project_tree(
        user=request.user,
        project=project,
        filters=filters,
        open_package=_id_param(request, OPEN_PARAM),
        page=request.GET.get(PAGE_PARAM),
        packages=packages,
    )
    return form, tree, versions


def _cards_context(request, project, *, ht: int | None, total: int | None = None) -> dict:
    """The indicator cards folded (how many: `total` when the page has counted them, else
    one query) or, with ?kortit=N, opened at page N: drawing twelve cards with their trend
    lines is the page's heaviest part, and the summary above already names the indicators
    off track."""
    page = _id_param(request, CARDS_PARAM)
    if not page:
        if total is None:
            total = indicator_card_count(user=request.user, project=project, ht=ht)
        return {"cards": None, "indicator_total": total, "ht": ht}
    cards = indicator_cards(user=request.user, project=project, ht=ht, limit=CARDS_SHOWN, page=page)
    return {"cards": cards, "ht": ht}


@login_required
@require_GET
def project_page(request, project_pk: int):
    """The hanke's work packages with lights and counts; one opened (?paketti=), or the rows
    the GET filters match, a page at a time (?sivu=).

    An htmx request (a package's toggle) gets only the package list, with the toggle it
    came from marked for the keyboard focus; the same address without htmx is the whole
    page with that package open.
    """
    if as_of_views.wants_round(request):  # ?kierros=…: a past round, its own read path
        return as_of_views.project_as_of(request, project_pk)
    project = project_get(user=request.user, pk=project_pk)
    form, tree, versions = _project_tree(request, project)
    context = {
        "project": project,
        "tree": tree,
        "row_query": _row_query(_known(request.GET, HANKE_PARAMS), view="hanke"),
    }
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        trigger = htmx.trigger or ""
        if trigger == CARDS_TOGGLE_ID:  # the cards opened or closed in place
            context.update(_cards_context(request, project, ht=form.cleaned_data.get("ht")))
            context["announce"] = True
            return render(request, "measures/_indicator_cards.html", context)
        if trigger.startswith(TOGGLE_ID) and trigger.removeprefix(TOGGLE_ID).isdigit():
            context["focus_package"] = int(trigger.removeprefix(TOGGLE_ID))
        context["announce"] = True  # what opened or closed, in the live region
        return render(request, "objectives/hanke_page.html#packages", context)
    ht = form.cleaned_data.get("ht")
    context.update(
        form=form,
        can_import=bool(kinds_allowed(request.user, project)),
        can_edit_plan=can(request.user, Perm.EDIT_PLAN, project),
        landing=not tree.filtered and tree.opened is None,
    )
    total = None
    if context["landing"]:  # a package opened or rows filtered: the rows, not the summary
        context.update(_landing_context(request, project, versions))
        if ht is None:  # the summary has counted the hanke's live indicators
            total = context["glance"].indicators.total
    context.update(_cards_context(request, project, ht=ht, total=total))
    return render(request, "objectives/hanke_page.html", context)


def _landing_context(request, project, versions) -> dict:
    """What the hanke page starts from: its summary (budget, risks, indicators off track),
    plan phases and follow-up. A page with a package opened without JS or rows filtered
    shows the rows instead (with JS a package opens in place, under the summary already
    shown), so it does not pay for them again."""
    return {
        "glance": selectors.project_glance(project=project, today=timezone.localdate()),
        "milestones": plan_milestones(user=request.user, project=project),
        "follow_up": plan_follow_up(versions),
    }


# --- Status update in a list row (htmx), with the rollups above it refreshed ---------------

_ROW_VIEWS = ("hanke", "mywork")


def _page_params(params):
    """The list page's own parameters (its filters), without the row's `edit` and `view`."""
    query = params.copy()
    for key in ("edit", "view"):
        query.pop(key, None)
    return query


def _row_query(params, *, view: str) -> str:
    """The query string a row carries: which page it sits on and that page's filters."""
    query = _page_params(params)
    query["view"] = view
    return query.urlencode()


def _conflict_context(conflict, form) -> dict:
    """Both versions side by side: what was saved meanwhile and what the user typed."""
    if conflict is None:
        return {}
    data = form.cleaned_data
    yours = {
        "status": dict(form.fields["status"].choices).get(data.get("status"), ""),
        "comment": data.get("comment", ""),
        "planned_end": data.get("planned_end"),
        "owner": data.get("owner"),
    }
    latest = conflict.status_updates.select_related("author").order_by("-created_at").first()
    return {"yours": yours, "conflict_update": latest}


def _row_form(action, data=None) -> ActionStatusForm:
    form = _form(action, data, auto_id=f"id_row{action.pk}_%s")
    form.fields["status"].widget.attrs["data-focus-after-swap"] = ""
    return form


def _focus_first_error(form) -> None:
    """After a refused save the keyboard focus goes to the first field that needs fixing."""
    invalid = [name for name in form.fields if name in form.errors]
    if invalid:
        form.fields["status"].widget.attrs.pop("data-focus-after-swap", None)
        form.fields[invalid[0]].widget.attrs["data-focus-after-swap"] = ""


def _saved_context(request, action, view: str) -> dict:
    """The fresh row plus what sits above it on its page, for out-of-band swaps."""
    if view == "hanke":  # the same page of the same tree as the row's page shows
        _form_, tree, _versions = _project_tree(request, action.project)
        return {
            "tree": tree,
            "goal_nodes": tree.drawn_goals,
            "package_nodes": tree.drawn_packages,
        }
    scope = request.GET.get("scope", "")
    work = selectors.my_work(
        user=request.user,
        scope=_scope(request, scope),
        today=timezone.localdate(),
        page=request.GET.get(PAGE_PARAM),
    )
    return {"work": work}


@login_required
@require_http_methods(["GET", "POST"])
def action_row(request, pk: int):
    """One action's row: GET shows it (edit=1: with the status form), POST saves.

    Without htmx the row is not a page of its own: GET goes to the action page and a POST
    answers with a redirect back to the list it came from.
    """
    action = selectors.action_row(user=request.user, pk=pk)
    view = request.GET.get("view") if request.GET.get("view") in _ROW_VIEWS else "mywork"
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    if editing and not action.can_update:
        raise PermissionDenied
    if request.method == "GET" and not request.htmx:
        return redirect("objectives:action-detail", pk=pk)
    context = {"action": action, "row_query": _row_query(request.GET, view=view)}
    context["show_project"] = view == "mywork"
    if request.method == "GET":
        form = _row_form(action) if editing else None
        return render(
            request,
            "objectives/_action_item.html",
            {**context, "editing": editing, "form": form, "focus_button": not editing},
        )
    form = _row_form(action, request.POST)
    conflict = None
    if form.is_valid():
        fresh, conflict = _save(request, action, form)
        if fresh is not None:
            status_refresh_action(action_id=fresh.pk, today=timezone.localdate())
            if not request.htmx:
                messages.success(request, _("Status saved."))
                return redirect(_back_url(action, view, request.GET))
            action = selectors.action_row(user=request.user, pk=pk)
            context["action"] = action
            context.update(_saved_context(request, action, view))
            return render(request, "objectives/_row_saved.html", context)
    _focus_first_error(form)
    context.update({"editing": True, "form": form, "conflict": conflict})
    context.update(_conflict_context(conflict, form))
    if not request.htmx:
        return render(request, "objectives/action_row_page.html", context)
    return render(request, "objectives/_action_item.html", context)


def _back_url(action, view: str, params) -> str:
    query = _page_params(params)
    if view == "hanke":
        base = reverse("objectives:hanke", args=[action.project_id])
    else:
        base = reverse("objectives:my-work")
    return f"{base}?{query.urlencode()}" if query else base


def _scope(request, requested: str) -> str:
    """ "mine" or "hanke"; by default a manager sees the hanke, everyone else their own."""
    if requested in ("mine", "hanke"):
        return requested
    roles = roles_for(request.user)
    managing = MANAGER in roles.projects.values() or MANAGER in roles.regions.values()
    return "hanke" if managing else "mine"


@login_required
@require_GET
def my_work(request):
    """The open actions the user answers for: late first, then due within 30 days; a page
    at a time (?sivu=)."""
    scope = _scope(request, request.GET.get("scope", ""))
    today = timezone.localdate()
    work = selectors.my_work(
        user=request.user, scope=scope, today=today, page=request.GET.get(PAGE_PARAM)
    )
    counts = work.counts  # each section's heading counts its rows on every page
    sections = [
        ("late-heading", _("Late"), work.late, _("Nothing is late."), counts["late"]),
        (
            "due-heading",
            _("Due within 30 days"),
            work.due_soon,
            _("Nothing is due within 30 days."),
            counts["due_soon"],
        ),
        (
            "other-heading",
            _("Other open actions"),
            work.other,
            _("No other open actions."),
            counts["other"],
        ),
    ]
    row_query = {"view": "mywork", "scope": scope}
    if request.GET.get(PAGE_PARAM):  # a row saved on page 2 refreshes page 2's counts
        row_query[PAGE_PARAM] = request.GET[PAGE_PARAM]
    context = {
        "scope": scope,
        "work": work,
        "sections": sections,
        "overdue_risks": risks_due_for_review(user=request.user, scope=scope, today=today),
        "row_query": urlencode(row_query),
    }
    return render(request, "objectives/my_work.html", context)


@login_required
@require_GET
def home(request):
    """The first page after login: the regions and hankkeet the user may see, with counts."""
    context = {
        "regions": selectors.region_overview_for_user(user=request.user),
        "can_manage_programme": can(request.user, Perm.MANAGE_PROGRAMME),
        "has_programme_role": roles_for(request.user).programme is not None,
        "can_compare": can(request.user, Perm.VIEW_PROGRAMME),
    }
    return render(request, "projects/home.html", context)
