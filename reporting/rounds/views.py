"""Reporting rounds (thin views): the rounds, a hanke's self-assessment, THL's dashboard and
the frozen report. Selectors read (reporting.rounds.selectors), services write
(reporting.rounds.services); the rules are in reporting.rounds.workflow and projects.access."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from portal.form_saves import form_save
from portal.forms import add_service_errors
from portal.htmx_views import htmx_template
from projects.access import Perm
from projects.access import can
from projects.access import require
from projects.selectors import project_get

from . import selectors
from .forms import AssessmentForm
from .forms import DecisionForm
from .forms import PeriodForm
from .services import AssessmentConflictError
from .services import reporting_period_save
from .services import self_assessment_decide
from .services import self_assessment_save
from .services import self_assessment_submit


def _save_period(request, form: PeriodForm, period=None) -> bool:
    if not form.is_valid():
        return False
    save = partial(reporting_period_save, actor=request.user, period=period)
    saved, _conflict = form_save(form, lambda: save(**form.cleaned_data))
    return saved is not None


@login_required
@require_http_methods(["GET", "POST"])
def period_list(request):
    """The rounds (programme staff) and, for the programme admin, the form for a new one."""
    require(can(request.user, Perm.VIEW_PROGRAMME))
    can_manage = can(request.user, Perm.MANAGE_PROGRAMME)
    form = PeriodForm() if can_manage else None
    if request.method == "POST":
        require(can_manage)
        form = PeriodForm(request.POST)
        if _save_period(request, form):
            messages.success(request, _("Reporting round saved."))
            return redirect("reporting:period-list")
    context = {"periods": selectors.period_list(), "form": form, "can_manage": can_manage}
    return render(request, "reporting/period_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request, pk: int):
    require(can(request.user, Perm.MANAGE_PROGRAMME))
    period = selectors.period_get(pk=pk)
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and _save_period(request, form, period):
        messages.success(request, _("Reporting round saved."))
        return redirect("reporting:period-list")
    return render(request, "reporting/period_edit.html", {"period": period, "form": form})


@login_required
@require_GET
def round_dashboard(request, period_pk: int):
    """Which hankkeet have submitted in a round, late ones first (programme staff)."""
    require(can(request.user, Perm.VIEW_PROGRAMME))
    period = selectors.period_get(pk=period_pk)
    today = timezone.localdate()
    rows = selectors.round_dashboard(user=request.user, period=period, today=today)
    context = {"period": period, "rows": rows, "late": sum(r.late for r in rows), "today": today}
    return render(request, "reporting/round_dashboard.html", context)


@login_required
@require_GET
def project_rounds(request, project_pk: int):
    project = project_get(user=request.user, pk=project_pk)
    rounds = selectors.project_rounds(project=project)
    return render(request, "reporting/hanke_rounds.html", {"project": project, "rounds": rounds})


def _render_assessment(request, page, form, decision_form=None, conflict=None):
    can_edit = can(request.user, Perm.EDIT_PLAN, page.project)
    can_decide = can(request.user, Perm.MANAGE_PROGRAMME)
    context = {
        "page": page,
        "project": page.project,
        "period": page.period,
        "form": form,
        "can_edit": can_edit and page.editable,
        "can_decide": can_decide and page.status == "submitted",
        "decision_form": decision_form or DecisionForm(initial={"expected_version": page.version}),
        "conflict": conflict,
    }
    template = htmx_template(request, "reporting/assessment.html", "assessment-form")
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment(request, project_pk: int, period_pk: int):
    """The hanke's self-assessment for a round: read by everyone who sees the hanke, filled,
    saved and submitted by its project manager (POST `action` = save | submit)."""
    project = project_get(user=request.user, pk=project_pk)
    page = selectors.assessment_page(project=project, period_pk=period_pk)
    if request.method != "POST":
        return _render_assessment(request, page, AssessmentForm(page=page))
    require(can(request.user, Perm.EDIT_PLAN, project))
    form = AssessmentForm(request.POST, page=page)
    conflict = None
    submit = request.POST.get("action") == "submit"

    def save():
        saved = self_assessment_save(
            actor=request.user,
            period=page.period,
            project=project,
            expected_version=form.cleaned_data["expected_version"],
            summaries=form.summaries(),
            narratives=form.narratives(),
        )
        if submit:
            self_assessment_submit(
                actor=request.user, assessment=saved, expected_version=saved.version
            )
        return saved

    if form.is_valid():
        saved, conflict = form_save(form, save, AssessmentConflictError)
        if saved is not None:
            messages.success(
                request,
                _("Self-assessment submitted to THL. It is now locked.")
                if submit
                else _("Draft saved."),
            )
            if not request.htmx:
                return redirect("reporting:assessment", project_pk=project.pk, period_pk=period_pk)
            page = selectors.assessment_page(project=project, period_pk=period_pk)
            form = AssessmentForm(page=page)
    return _render_assessment(request, page, form, conflict=conflict)


@login_required
@require_POST
def assessment_decide(request, project_pk: int, period_pk: int):
    """THL's decision (programme admin): accept, or return with a reason."""
    project = project_get(user=request.user, pk=project_pk)
    require(can(request.user, Perm.MANAGE_PROGRAMME))
    page = selectors.assessment_page(project=project, period_pk=period_pk)
    form = DecisionForm(request.POST)
    if page.assessment is None:
        messages.error(request, _("Only a submitted self-assessment can be accepted or returned."))
        return redirect("reporting:assessment", project_pk=project.pk, period_pk=period_pk)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            self_assessment_decide(
                actor=request.user,
                assessment=page.assessment,
                accept=accept,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except AssessmentConflictError:
            form.add_error(
                None, _("The self-assessment changed meanwhile. Check it and decide again.")
            )
        else:
            text = _("Self-assessment accepted.") if accept else _("Self-assessment returned.")
            messages.success(request, text)
            return redirect("reporting:assessment", project_pk=project.pk, period_pk=period_pk)
    return _render_assessment(request, page, AssessmentForm(page=page), decision_form=form)


@login_required
@require_GET
def frozen_report(request, project_pk: int, period_pk: int):
    """The report as frozen on submission: snapshot data only, never live rows."""
    project = project_get(user=request.user, pk=project_pk)
    period, report = selectors.frozen_report(project=project, period_pk=period_pk)
    context = {"project": project, "period": period, "report": report}
    return render(request, "reporting/frozen_report.html", context)
