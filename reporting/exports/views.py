"""Exports (thin views): a hanke's regional report (XLSX, CSV per table, PDF), the national
extract for THL, and the export jobs (list, page, htmx status partial, download, run again).

A regional report of more than settings.EXPORT_JOB_THRESHOLD_ACTIONS actions runs as an
export job (redirect to its page); smaller ones download directly. The national extract
always runs as a job.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from objectives.models import Action
from objectives.models import ReportingPeriod
from projects.access import Perm
from projects.access import can
from projects.access import require
from projects.selectors import project_get
from reporting.models import ExportKind
from reporting.overview.forms import NationalExtractForm

from . import selectors as job_selectors
from .services import XLSX_TYPE
from .services import ExportOptions
from .services import export_job_rerun
from .services import export_job_start
from .tables import TABLES
from .tables import project_report
from .tables import report_csv
from .tables import report_xlsx


def _project(request, project_pk: int):
    project = project_get(user=request.user, pk=project_pk)  # 404 outside the user's scope
    require(can(request.user, Perm.EXPORT, project))
    return project


def _large(project, threshold: int | None = None) -> bool:
    limit = settings.EXPORT_JOB_THRESHOLD_ACTIONS if threshold is None else threshold
    return Action.objects.filter(project=project).count() > limit


def _job_redirect(request, project, options: ExportOptions):
    job = export_job_start(
        actor=request.user,
        kind=ExportKind.REGIONAL,
        options=options,
        project=project,
        language=request.LANGUAGE_CODE,
    )
    return redirect("reporting:export-job-detail", pk=job.pk)


def _filename(project, suffix: str) -> str:
    name = slugify(project.short_name or project.name_fi) or f"hanke-{project.pk}"
    return f"{name}-raportti{suffix}-{timezone.localdate():%Y-%m-%d}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def project_report_xlsx(request, project_pk: int):
    project = _project(request, project_pk)
    if _large(project):
        return _job_redirect(request, project, ExportOptions(format="xlsx"))
    report = project_report(project=project, user=request.user)
    filename = _filename(report.project, "") + ".xlsx"
    return _download(report_xlsx(report), XLSX_TYPE, filename)


@login_required
@require_GET
def project_report_csv(request, project_pk: int, table: str):
    if table not in TABLES:
        raise Http404
    project = _project(request, project_pk)
    semicolon = request.GET.get("sep") == "semicolon"
    bom = request.GET.get("bom") == "1"
    if _large(project):
        options = ExportOptions(format="csv", table=table, semicolon=semicolon, bom=bom)
        return _job_redirect(request, project, options)
    report = project_report(project=project, user=request.user)
    content = report_csv(report, table, semicolon=semicolon, bom=bom)
    filename = _filename(report.project, f"-{table}") + ".csv"
    return _download(content, "text/csv; charset=utf-8", filename)


@login_required
@require_GET
def project_report_pdf(request, project_pk: int):
    """The regional report as an A4 PDF in the user's language, charts drawn as SVG."""
    # Imported here: WeasyPrint takes a while to import, and only PDF requests need it.
    from .documents import project_report_pdf as pdf_document
    from .pdf import PDF_CONTENT_TYPE

    project = _project(request, project_pk)
    if _large(project, settings.PDF_JOB_THRESHOLD_ACTIONS):
        return _job_redirect(request, project, ExportOptions(format="pdf"))
    report = project_report(project=project, user=request.user)
    content = pdf_document(
        report=report,
        today=timezone.localdate(),
        language=get_language() or "fi",
        base_url=request.build_absolute_uri("/"),
    )
    return _download(content, PDF_CONTENT_TYPE, _filename(report.project, "") + ".pdf")


# --- The national extract and export jobs ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def national_extract(request):
    """Choose a round and a format; the extract runs as a job (programme-level roles only)."""
    require(can(request.user, Perm.VIEW_PROGRAMME))
    periods = ReportingPeriod.objects.select_related("programme").order_by("-cut_off", "name")
    if request.method == "POST":
        form = NationalExtractForm(request.POST, periods=periods)
        if form.is_valid():
            data = form.cleaned_data
            options = ExportOptions(
                format=data["format"],
                table=data["table"] if data["format"] == "csv" else "",
                semicolon=data["format"] == "csv" and data["sep"] == "semicolon",
                bom=data["format"] == "csv" and data["bom"],
            )
            job = export_job_start(
                actor=request.user,
                kind=ExportKind.NATIONAL,
                options=options,
                period=data["period"],
                language=request.LANGUAGE_CODE,
            )
            return redirect("reporting:export-job-detail", pk=job.pk)
    else:
        # ?sep=semicolon&bom=1 preselects the Finnish-Excel CSV options, as on the hanke page.
        initial = {"sep": request.GET.get("sep") or "comma", "bom": request.GET.get("bom") == "1"}
        if request.GET.get("format") in ("xlsx", "csv"):
            initial["format"] = request.GET["format"]
        form = NationalExtractForm(initial=initial, periods=periods)
    return render(request, "reporting/national_extract.html", {"form": form})


@login_required
@require_GET
def export_job_list(request):
    jobs = job_selectors.export_job_list(user=request.user)
    return render(request, "reporting/export_job_list.html", {"jobs": jobs})


@login_required
@require_GET
def export_job_detail(request, pk: int):
    job = job_selectors.export_job_get(user=request.user, pk=pk)
    return render(request, "reporting/export_job_detail.html", {"job": job})


@login_required
@require_GET
def export_job_status(request, pk: int):
    """The status partial that the job page polls every second until the job finishes: the
    job's progress fields only (never its file)."""
    job = job_selectors.export_job_get(user=request.user, pk=pk, poll=True)
    return render(request, "reporting/export_job_detail.html#job-status", {"job": job})


@login_required
@require_POST
def export_job_rerun_view(request, pk: int):
    job = job_selectors.export_job_get(user=request.user, pk=pk)
    try:
        export_job_rerun(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The export was queued again."))
    return redirect("reporting:export-job-detail", pk=job.pk)


@login_required
@require_GET
def export_job_download(request, pk: int):
    job = job_selectors.export_job_file_get(user=request.user, pk=pk)
    return _download(bytes(job.content), job.content_type, job.filename)
