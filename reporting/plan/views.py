"""The plan in the browser (issue #17): a hanke's project manager (and the programme office)
adds, edits, moves and retires work packages, process goals, actions and indicators, sets
indicators' baselines and yearly targets, and starts plan versions and reads what each
brought. Thin views: plan.selectors read, the apps' services write (permission, version,
history with a reason, lights marked stale). An edit that crossed someone else's is shown
side by side with the user's input, as for statuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.db.models import QuerySet
from django.forms import ChoiceField
from django.forms import ModelChoiceField
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods

from measures.models import Indicator
from measures.services import indicator_retire
from measures.services import indicator_save
from measures.services import indicator_targets_save
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.services import action_retire
from objectives.services import action_save
from objectives.services import goal_retire
from objectives.services import goal_save
from portal.form_saves import form_save
from portal.paging import PARAM as PAGE_PARAM
from portal.people import display_name
from projects.access import Perm
from projects.access import can
from projects.access import require
from projects.models import PlanVersion
from projects.models import WorkPackage
from projects.plan_services import PlanConflictError
from projects.plan_services import plan_version_start
from projects.plan_services import work_package_retire
from projects.plan_services import work_package_save
from projects.selectors import project_get
from projects.selectors import project_people

from . import selectors as plan_selectors
from .forms import ActionForm
from .forms import GoalForm
from .forms import IndicatorForm
from .forms import PlanVersionForm
from .forms import RetireForm
from .forms import TargetsForm
from .forms import WorkPackageForm
from .forms import target_years


def _manager_project(request, project_pk: int):
    """The hanke (404 outside the user's scope) when the user may edit its plan (else 403)."""
    project = project_get(user=request.user, pk=project_pk)
    require(can(request.user, Perm.EDIT_PLAN, project))
    return project


@login_required
@require_GET
def plan(request, project_pk: int):
    """One part of the hanke's plan (?osa=), 50 rows a page, each with its edit link."""
    project = _manager_project(request, project_pk)
    part = request.GET.get("osa", plan_selectors.DEFAULT_PART)
    if part not in plan_selectors.PARTS:
        part = plan_selectors.DEFAULT_PART
    rows = plan_selectors.plan_part(project=project, part=part, page=request.GET.get(PAGE_PARAM))
    context = {
        "project": project,
        "part": part,
        "parts": plan_selectors.PARTS.items(),
        "rows": rows,
        "versions": PlanVersion.objects.filter(project=project).order_by("-issued_on", "-id")[:1],
    }
    return render(request, "reporting/plan.html", context)


# --- One kind of plan row: its form, its services and its words --------------------------------


@dataclass(frozen=True)
class RowKind:
    key: str  # the ?osa= part the row is listed in
    model: type[Model]
    form: type
    links: tuple[str, ...]  # many-to-many fields the service takes as keywords
    title_add: Any
    title_edit: Any
    saved: Any
    save: Callable[..., Any]  # the app's `*_save` service
    retire: Callable[..., Any]  # the app's `*_retire` service
    row_keyword: str  # how the services name the row


KINDS = {
    "package": RowKind(
        "paketit",
        WorkPackage,
        WorkPackageForm,
        (),
        gettext_lazy("New work package"),
        gettext_lazy("Edit work package"),
        gettext_lazy("Work package saved."),
        work_package_save,
        work_package_retire,
        "package",
    ),
    "goal": RowKind(
        "tavoitteet",
        ProcessGoal,
        GoalForm,
        ("benefit_targets",),
        gettext_lazy("New process goal"),
        gettext_lazy("Edit process goal"),
        gettext_lazy("Process goal saved."),
        goal_save,
        goal_retire,
        "goal",
    ),
    "action": RowKind(
        "toimenpiteet",
        Action,
        ActionForm,
        ("goals", "benefit_targets"),
        gettext_lazy("New action"),
        gettext_lazy("Edit action"),
        gettext_lazy("Action saved."),
        action_save,
        action_retire,
        "action",
    ),
    "indicator": RowKind(
        "mittarit",
        Indicator,
        IndicatorForm,
        ("goals",),
        gettext_lazy("New indicator"),
        gettext_lazy("Edit indicator"),
        gettext_lazy("Indicator saved."),
        indicator_save,
        indicator_retire,
        "indicator",
    ),
}


def _form(kind: RowKind, project, row, data=None, preset=None):
    extra = {"people": project_people(project=project)} if kind.model is Action else {}
    instance = row if row is not None else kind.model(project=project)
    initial = _preset(project, preset) if row is None and preset else {}
    return kind.form(data, instance=instance, initial=initial, project=project, **extra)


def _preset(project, params) -> dict:
    """Starting values of a new row from the link that opened the form: ?paketti=<work
    package>, ?tavoite=<goal> (an action under a goal gets its work package too)."""
    initial = {}
    package, goal = params.get("paketti", ""), params.get("tavoite", "")
    if package.isdigit():
        initial["work_package"] = int(package)
    if goal.isdigit():
        found = ProcessGoal.objects.filter(project=project, pk=int(goal)).first()
        if found is not None:
            initial.update(goals=[found.pk], work_package=found.work_package_id)
    return initial


def _shown(value, field=None) -> str:
    """A value as a person reads it in the side-by-side view."""
    if value is None or value == "":
        return "–"
    if isinstance(value, QuerySet | list | tuple | set):
        items = [getattr(v, "code", None) or str(v) for v in value]
        return ", ".join(item[:80] for item in items) or "–"
    if isinstance(value, date):
        return date_format(value, "j.n.Y")
    if isinstance(value, Decimal):
        return str(value.normalize())
    if hasattr(value, "get_full_name"):
        return display_name(value)
    if isinstance(field, ChoiceField) and not isinstance(field, ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)[:200]


def _side_by_side(kind: RowKind, form, current) -> list[tuple[str, str, str]]:
    """(label, saved meanwhile, your input) of the fields where the two differ."""
    rows = []
    for name in (*form.plan_fields, *kind.links):
        field = form.fields[name]
        saved = getattr(current, name)
        if name in kind.links:
            saved = list(saved.all())
        yours = form.cleaned_data.get(name)
        if name in kind.links:
            yours = list(yours or [])
        saved_text, yours_text = _shown(saved, field), _shown(yours, field)
        if saved_text != yours_text:
            rows.append((str(field.label), saved_text, yours_text))
    return rows


def _plan_url(project, part: str) -> str:
    return f"{reverse('reporting:plan', args=[project.pk])}?osa={part}"


def _row_save(request, kind: RowKind, project, row, form):
    """Run the save service; return (saved row or None, conflict rows or None)."""
    return form_save(
        form,
        lambda: kind.save(
            project=project,
            actor=request.user,
            values=form.values(),
            **{kind.row_keyword: row},
            expected_version=form.cleaned_data.get("expected_version"),
            reason=form.cleaned_data.get("reason", ""),
            mark=form.chosen_mark(),
            **{name: form.cleaned_data.get(name) for name in kind.links},
        ),
        PlanConflictError,
    )


def _retire(request, kind: RowKind, row, form):
    """Run the retire service; return (retired row or None, conflict row or None)."""
    return form_save(
        form,
        lambda: kind.retire(
            **{kind.row_keyword: row},
            actor=request.user,
            expected_version=form.cleaned_data["expected_version"],
            reason=form.cleaned_data["reason"],
        ),
        PlanConflictError,
    )


def _targets(request, indicator, data=None) -> TargetsForm:
    years = target_years(indicator.project)
    return TargetsForm(data, indicator=indicator, years=years)


def _edit(request, kind_key: str, project_pk: int, pk: int | None):
    kind = KINDS[kind_key]
    project = _manager_project(request, project_pk)
    row = (
        None
        if pk is None
        else plan_selectors.plan_row_get(project=project, model=kind.model, pk=pk)
    )
    row_label = str(row) if row else ""  # as stored: the bound form changes `row`
    form = _form(kind, project, row, preset=request.GET)
    retire_form = RetireForm(initial={"expected_version": row.version}) if row else None
    targets_form = _targets(request, row) if kind.model is Indicator and row else None
    conflict = conflict_rows = None
    op = request.POST.get("op", "save")
    if request.method == "POST" and row is not None and row.is_retired:
        messages.error(request, _("A retired row cannot be edited."))
        return redirect(_plan_url(project, "poistetut"))
    if request.method == "POST" and op == "retire" and row is not None:
        retire_form = RetireForm(request.POST)
        if retire_form.is_valid():
            retired, conflict = _retire(request, kind, row, retire_form)
            if retired is not None:
                messages.success(request, _("Retired: it stays in the history and past rounds."))
                return redirect(_plan_url(project, kind.key))
            if conflict is not None:
                retire_form = RetireForm(
                    initial={"expected_version": conflict.version, **retire_form.cleaned_data}
                )
                conflict_rows = []
    elif request.method == "POST" and op == "targets" and targets_form is not None:
        targets_form = _targets(request, row, request.POST)
        if targets_form.is_valid():
            changed, _conflict = form_save(
                targets_form,
                lambda: indicator_targets_save(
                    indicator=row,
                    actor=request.user,
                    targets=targets_form.targets(),
                    reason=targets_form.cleaned_data["reason"],
                ),
            )
            if changed is not None:  # how many targets changed (0: none)
                messages.success(
                    request, _("Targets saved.") if changed else _("No target changed.")
                )
                return redirect("reporting:plan-indicator-edit", project_pk=project.pk, pk=row.pk)
    elif request.method == "POST":
        form = _form(kind, project, row, request.POST)
        if form.is_valid():
            saved, conflict = _row_save(request, kind, project, row, form)
            if saved is not None:
                messages.success(request, kind.saved)
                if kind.model is Indicator and row is None:  # next: its baseline's targets
                    return redirect(
                        "reporting:plan-indicator-edit", project_pk=project.pk, pk=saved.pk
                    )
                return redirect(_plan_url(project, kind.key))
            if conflict is not None:
                conflict_rows = _side_by_side(kind, form, conflict)
    context = {
        "project": project,
        "kind": kind_key,
        "row": row,
        "row_label": row_label,
        "form": form,
        "retire_form": retire_form,
        "targets_form": targets_form,
        "conflict": conflict,
        "conflict_rows": conflict_rows,
        "title": kind.title_edit if row else kind.title_add,
        "back": _plan_url(project, kind.key),
        "history_key": "workpackage" if kind.model is WorkPackage else kind_key,
        "action_url": request.path,
    }
    return render(request, "reporting/plan_edit.html", context)


def _pair(kind_key: str):
    @login_required
    @require_http_methods(["GET", "POST"])
    def add(request, project_pk: int):
        return _edit(request, kind_key, project_pk, None)

    @login_required
    @require_http_methods(["GET", "POST"])
    def edit(request, project_pk: int, pk: int):
        return _edit(request, kind_key, project_pk, pk)

    add.__name__, edit.__name__ = f"{kind_key}_add", f"{kind_key}_edit"
    add.__doc__ = f"Add a {kind_key} to the hanke's plan (managers, programme office)."
    edit.__doc__ = f"Edit, move or retire one {kind_key} of the plan (managers, programme office)."
    return add, edit


package_add, package_edit = _pair("package")
goal_add, goal_edit = _pair("goal")
action_add, action_edit = _pair("action")
indicator_add, indicator_edit = _pair("indicator")


# --- Plan versions ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_versions(request, project_pk: int):
    """The hanke's plan versions, newest first, and the form to start a new one."""
    project = _manager_project(request, project_pk)
    form = PlanVersionForm()
    if request.method == "POST":
        form = PlanVersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            version, _conflict = form_save(
                form, lambda: plan_version_start(project=project, actor=request.user, **data)
            )
            if version is not None:
                messages.success(
                    request,
                    _("Plan version started: rows you add or change are marked in it."),
                )
                return redirect("reporting:plan-version-diff", project_pk=project.pk, pk=version.pk)
    versions = PlanVersion.objects.filter(project=project).select_related("supersedes")
    context = {
        "project": project,
        "page_name": _("Plan versions"),
        "form": form,
        "versions": versions.order_by("-issued_on", "-id"),
    }
    return render(request, "reporting/plan_versions.html", context)


@login_required
@require_GET
def plan_version_diff(request, project_pk: int, pk: int):
    """What one plan version brought: new, changed (old → new) and retired rows."""
    project = _manager_project(request, project_pk)
    version = (
        PlanVersion.objects.filter(project=project, pk=pk).select_related("supersedes").first()
    )
    if version is None:
        raise Http404
    diff = plan_selectors.plan_version_diff(project=project, version=version)
    context = {"project": project, "diff": diff, "kinds": plan_selectors.KIND_LABELS}
    return render(request, "reporting/plan_version_diff.html", context)
