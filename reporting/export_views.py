"""Downloads of a hanke's regional report: the XLSX workbook, one CSV per table and the PDF
(thin views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from projects.access import Perm, can, require
from projects.selectors import project_get

from .exports import TABLES, project_report, report_csv, report_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request, project_pk: int):
    project = project_get(user=request.user, pk=project_pk)  # 404 outside the user's scope
    require(can(request.user, Perm.EXPORT, project))
    return project_report(project=project, user=request.user)


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
    report = _report(request, project_pk)
    filename = _filename(report.project, "") + ".xlsx"
    return _download(report_xlsx(report), XLSX_TYPE, filename)


@login_required
@require_GET
def project_report_csv(request, project_pk: int, table: str):
    if table not in TABLES:
        raise Http404
    report = _report(request, project_pk)
    semicolon = request.GET.get("sep") == "semicolon"
    bom = request.GET.get("bom") == "1"
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

    report = _report(request, project_pk)
    content = pdf_document(
        report=report,
        today=timezone.localdate(),
        language=get_language() or "fi",
        base_url=request.build_absolute_uri("/"),
    )
    return _download(content, PDF_CONTENT_TYPE, _filename(report.project, "") + ".pdf")
