"""A hanke's money and risks: the budget page (plan vs actual, burn chart, spending light,
expense entry, the finance system's CSV import with preview) and the risk register (table,
heat map, add and edit).

Thin views (R11): selectors read (404 outside the user's scope), `require(can(...))` answers
403 to a read-only user's write, services write and re-check. An invalid htmx submit
re-renders the form partial with the errors and the input kept (200, so htmx swaps it); a
saved one reloads the page (HX-Redirect), because the totals, the light and the chart all
change. Without JavaScript the forms post normally and redirect back.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.form_saves import form_save
from portal.htmx_views import Entry
from portal.htmx_views import saved_response
from portal.models import JobStatus
from portal.uploads import show_upload_failure

from . import selectors
from .access import Perm
from .access import can
from .access import require
from .add_row_pages import AddRowPage
from .charts import budget_burn_figure
from .finance_import import COLUMNS
from .finance_import import FileRejected
from .finance_import_services import finance_import_confirm
from .finance_import_services import finance_import_job_get
from .finance_import_services import finance_import_preview
from .finance_import_services import finance_import_start
from .forms import ExpenditureForm
from .forms import FinanceImportForm
from .forms import RiskForm
from .selectors import project_people
from .services import RISK_FIELDS
from .services import RiskConflictError
from .services import expenditure_create
from .services import risk_save

_EXPENSE = Entry("projects/budget.html", "expense-form", gettext_lazy("Expense saved."))
_RISK = Entry("projects/risks.html", "risk-form", gettext_lazy("Risk added."))


def _expense_form(project, data=None) -> ExpenditureForm:
    lines = selectors.budget_lines_for_entry(project=project)
    return ExpenditureForm(data, lines=lines, initial={"date": timezone.localdate()})


def _budget(project) -> dict:
    summary = selectors.budget_summary(project=project, today=timezone.localdate())
    chart = budget_burn_figure(summary) if summary.budget and summary.period else None
    return {"summary": summary, "chart": chart}


def _risk_form(project, data=None, risk=None) -> RiskForm:
    initial = {"status": "open"}
    if risk is not None:
        initial = {name: getattr(risk, name) for name in RISK_FIELDS}
        initial["owner"] = risk.owner_id
        initial["expected_version"] = risk.version
    return RiskForm(data, initial=initial, people=project_people(project=project))


def _risk_save(*, project, actor, risk=None, **data):
    """risk_save of a risk form's data: a new risk, or an edit of `risk` at the version the
    form was read at."""
    edit = {"risk": risk, "expected_version": data["expected_version"]} if risk else {}
    return risk_save(project=project, actor=actor, values=data, **edit)


def _register(project) -> dict:
    return {"register": selectors.risk_register(project=project, today=timezone.localdate())}


_BUDGET_PAGE = AddRowPage(_EXPENSE, _expense_form, expenditure_create, _budget)
_RISKS_PAGE = AddRowPage(_RISK, _risk_form, _risk_save, _register)


@login_required
@require_http_methods(["GET", "POST"])
def project_budget(request, project_pk: int):
    """Plan vs actual, share used, spending light and burn chart; managers add expenses."""
    return _BUDGET_PAGE.respond(request, project_pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_risks(request, project_pk: int):
    """The risk register with its heat map; managers add risks."""
    return _RISKS_PAGE.respond(request, project_pk)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, pk: int):
    """Edit one risk (managers); a change saved meanwhile is shown beside the user's input."""
    risk = selectors.risk_get(user=request.user, pk=pk)
    project = risk.project
    require(can(request.user, Perm.EDIT_PLAN, project))
    form = _risk_form(project, risk=risk)
    conflict = None
    if request.method == "POST":
        form = _risk_form(project, request.POST, risk=risk)
        if form.is_valid():
            data = form.cleaned_data
            save = partial(_risk_save, project=project, actor=request.user, risk=risk, **data)
            saved, conflict = form_save(form, save, RiskConflictError)
            if saved is not None:
                url = reverse("project-risks", args=[project.pk])
                return saved_response(request, url, _("Risk saved."))
    context = {"project": project, "risk": risk, "form": form, "conflict": conflict}
    return render(request, "projects/risk_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def budget_import(request, project_pk: int):
    """Upload the finance system's CSV of periodic totals; a readable file goes to preview."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    require(can(request.user, Perm.EDIT_PLAN, project))
    form = FinanceImportForm()
    if request.method == "POST":
        form = FinanceImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            raw = upload.read(settings.FINANCE_IMPORT_MAX_BYTES + 1)
            try:
                job = finance_import_start(
                    project=project, actor=request.user, raw=raw, filename=upload.name
                )
            except FileRejected as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("project-budget-import-preview", project.pk, job.pk)
        show_upload_failure(request, form)
    context = {
        "project": project,
        "page_name": _("Import spending from the finance system"),
        "form": form,
        "columns": COLUMNS,
    }
    return render(request, "projects/budget_import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def budget_import_preview(request, project_pk: int, pk: int):
    """New, changed, unchanged and rejected rows; confirming imports all of them or none."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    require(can(request.user, Perm.EDIT_PLAN, project))
    job = finance_import_job_get(project=project, pk=pk)
    if request.method == "POST" and job.status != JobStatus.DONE:
        try:
            counts = finance_import_confirm(project=project, actor=request.user, job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = (
                _("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % counts
            )
            return saved_response(request, reverse("project-budget", args=[project.pk]), text)
    context = {
        "project": project,
        "job": job,
        "done": job.status == JobStatus.DONE,
        "preview": finance_import_preview(project=project, job=job),
    }
    return render(request, "projects/budget_import_preview.html", context)
