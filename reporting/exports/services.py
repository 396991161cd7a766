"""Export jobs: start one, run it (in a Celery worker), run a failed one again.

Export jobs are portal.Job rows of the kinds "national" and "regional" (reporting.jobs);
portal.services claims them, reruns, resumes and prunes them as every other job.

Contract (STYLE R3, R7, R8):
- `export_job_start` checks the permission of what is exported (Perm.VIEW_PROGRAMME for the
  national extract, Perm.EXPORT on the hanke for a regional report), writes the job row and
  queues `export_job_run_task` after commit. The job is kept EXPORT_JOB_KEEP_DAYS days.
- `export_job_run` is what the task calls. It is idempotent: a job that is done is left
  alone; a queued job, or one left "running" by a worker that died (the task is acked late
  and delivered again), is built again from the start and the same row's file is rewritten.
  It re-checks the requester's permission (a role may have ended since the request), writes
  progress as it goes (outside any transaction, so the polling page sees it) and catches
  every error into status "failed" with the error text: the user can run it again.
- `export_job_rerun`: the requester puts a failed or stalled job back in the queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from objectives.models import ReportingPeriod
from portal.models import Job
from portal.models import JobStatus
from portal.services import ProgressWriter
from portal.services import job_claim
from portal.services import job_create
from portal.services import job_queue
from portal.services import job_rerun
from projects.access import Perm
from projects.access import can
from projects.access import check
from projects.models import Project
from projects.selectors import project_get
from reporting.models import ExportKind

from .national import extract_csv
from .national import extract_row_count
from .national import extract_xlsx
from .national import national_extract
from .tables import TABLES
from .tables import project_report
from .tables import report_csv
from .tables import report_xlsx

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class ExportOptions:
    """What file to write: the workbook, or one table as CSV with its format options."""

    format: str = "xlsx"  # "xlsx" | "csv" | "pdf" (regional report only)
    table: str = ""  # the CSV table
    semicolon: bool = False
    bom: bool = False

    def as_json(self) -> dict:
        return {
            "format": self.format,
            "table": self.table,
            "semicolon": self.semicolon,
            "bom": self.bom,
        }


@transaction.atomic
def export_job_start(
    *,
    actor,
    kind: str,
    options: ExportOptions,
    period: ReportingPeriod | None = None,
    project: Project | None = None,
    language: str | None = None,
) -> Job:
    """Create an export job for `actor` and queue it after commit.

    Permission: Perm.VIEW_PROGRAMME (national) or Perm.EXPORT on `project` (regional).
    `language` is the requester's: the file's labels are written in it by the worker.
    """
    if kind == ExportKind.NATIONAL:
        check(actor, Perm.VIEW_PROGRAMME)
        if period is None:
            raise ValidationError(_("Choose a reporting period."))
        subject = {"period": period.pk}
    elif kind == ExportKind.REGIONAL:
        check(actor, Perm.EXPORT, project)
        subject = {}
    else:
        raise ValidationError(_("Choose what to export."))
    job = job_create(
        kind=kind,
        actor=actor,
        project=project if kind == ExportKind.REGIONAL else None,
        params={**options.as_json(), **subject},
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        expires_at=timezone.now() + timedelta(days=settings.EXPORT_JOB_KEEP_DAYS),
    )
    # Never fails the request: with the broker down the job stays queued, is shown as
    # stalled after STALLED_AFTER and may then be run again.
    job_queue(job)
    return job


def export_job_rerun(*, actor, job: Job) -> Job:
    """Put the requester's failed (or stalled) job back in the queue: same row, same file.

    Refused (ValidationError) unless the job failed or stalled (portal.jobs.stalled_q);
    PermissionDenied for anyone but the requester (views answer 404 before that).
    """
    return job_rerun(job=job, actor=actor)


def export_job_run(*, job_id: int) -> dict:
    """Build the job's file and store it in the row (the body of export_job_run_task).

    Idempotent (see the module docstring); never raises for a failing export: the job row
    gets status "failed" and the error text.
    """
    running = [JobStatus.QUEUED, JobStatus.RUNNING]
    if not job_claim(
        job_id=job_id, statuses=running, to=JobStatus.RUNNING, progress_done=0, message=""
    ):
        return {"job": job_id, "status": "skipped"}
    job = Job.objects.defer("content").select_related("owner", "project").get(pk=job_id)
    language = job.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            content, filename, content_type = _build(job, ProgressWriter(job.pk))
    except Exception as exc:  # recorded on the row; the user sees it and may run it again
        logger.exception("export job %s failed", job_id)
        with translation.override(language):  # the message in the requester's language
            error = _error_text(exc)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=error, finished_at=timezone.now()
        )
        return {"job": job_id, "status": JobStatus.FAILED}
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        content=content,
        filename=filename,
        content_type=content_type,
        progress_done=F("progress_total"),
        message="",
        finished_at=timezone.now(),
    )
    return {"job": job_id, "status": JobStatus.DONE, "bytes": len(content)}


def export_period(job: Job) -> ReportingPeriod:
    """The reporting period a national extract is of (Http404 when it has been deleted)."""
    period = (
        ReportingPeriod.objects.select_related("programme")
        .filter(pk=job.parameters.get("period"))
        .first()
    )
    if period is None:
        raise Http404
    return period


def _error_text(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied | Http404):
        return _("You no longer have access to this content.")
    return f"{type(exc).__name__}: {exc}"[:2000]


def _build(job: Job, progress: ProgressWriter) -> tuple[bytes, str, str]:
    options = ExportOptions(
        **{k: v for k, v in job.parameters.items() if k in ExportOptions.__dataclass_fields__}
    )
    user = job.owner
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    if job.kind == ExportKind.NATIONAL:
        if not can(user, Perm.VIEW_PROGRAMME):
            raise PermissionDenied
        period = export_period(job)
        extract = national_extract(period=period, user=user)
        name = f"kansallinen-poiminta-{slugify(period.name) or period.pk}"
        if options.format == "csv":
            progress(0, extract_row_count(extract, options.table))
            content = extract_csv(
                extract, options.table, semicolon=options.semicolon, bom=options.bom
            )
            return content, f"{name}-{options.table}-{stamp}.csv", CSV_TYPE
        progress(0, extract_row_count(extract))
        return extract_xlsx(extract, progress=progress), f"{name}-{stamp}.xlsx", XLSX_TYPE

    project = project_get(user=user, pk=job.project_id)  # Http404 outside the scope
    if not can(user, Perm.EXPORT, project):
        raise PermissionDenied
    report = project_report(project=project, user=user)
    name = f"{slugify(project.short_name or project.name_fi) or f'hanke-{project.pk}'}-raportti"
    if options.format == "csv":
        progress(0, len(getattr(report, TABLES[options.table].rows)))
        content = report_csv(report, options.table, semicolon=options.semicolon, bom=options.bom)
        return content, f"{name}-{options.table}-{stamp}.csv", CSV_TYPE
    if options.format == "pdf":
        return _pdf(job, report, progress), f"{name}-{stamp}.pdf", PDF_TYPE
    return report_xlsx(report, progress=progress), f"{name}-{stamp}.xlsx", XLSX_TYPE


PDF_TYPE = "application/pdf"


def _pdf(job: Job, report, progress: ProgressWriter) -> bytes:
    """The regional report as a PDF (WeasyPrint lays it out in one step: 0 %, then done)."""
    # Imported here, as the PDF views do: WeasyPrint takes a while to import, and only a PDF
    # export needs it (this module serves every export and the web process imports it).
    from .documents import project_report_pdf

    progress(0, 1)
    return project_report_pdf(
        report=report,
        today=timezone.localdate(),
        language=job.language or settings.LANGUAGE_CODE,
        base_url=settings.PORTAL_BASE_URL,
    )
