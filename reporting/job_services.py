"""Export jobs: start one, run it (in a Celery worker), rerun a failed one, prune old ones.

Contract (STYLE R3, R7, R8):
- `export_job_start` checks the permission of what is exported (Perm.VIEW_PROGRAMME for the
  national extract, Perm.EXPORT on the hanke for a regional report), writes the job row and
  queues `export_job_run_task` after commit.
- `export_job_run` is what the task calls. It is idempotent: a job that is done is left
  alone; a queued job, or one left "running" by a worker that died (the task is acked late
  and delivered again), is built again from the start and the same row's file is rewritten.
  It re-checks the requester's permission (a role may have ended since the request), writes
  progress as it goes (outside any transaction, so the polling page sees it) and catches
  every error into status "failed" with the error text: the user can run it again.
- `export_job_rerun`: the requester puts a failed job back in the queue.
- `export_jobs_resume`: the catch-up queues again the jobs nobody is working on.
- `export_job_prune`: rows (and so files) older than EXPORT_JOB_KEEP_DAYS go.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.queue import enqueue_job_on_commit, enqueue_on_commit
from projects.access import Perm, can, check
from projects.models import Project

from .models import (
    EXPORT_JOB_STALLED_AFTER,
    ExportJob,
    ExportKind,
    ExportStatus,
    ReportingPeriod,
)

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
STALLED_AFTER = EXPORT_JOB_STALLED_AFTER
EXPORT_TASK = "reporting.tasks.export_job_run_task"  # queued by name: tasks import this module


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
) -> ExportJob:
    """Create an export job for `actor` and queue it after commit.

    Permission: Perm.VIEW_PROGRAMME (national) or Perm.EXPORT on `project` (regional).
    `language` is the requester's: the file's labels are written in it by the worker.
    """
    if kind == ExportKind.NATIONAL:
        check(actor, Perm.VIEW_PROGRAMME)
    else:
        check(actor, Perm.EXPORT, project)
    job = ExportJob(
        requested_by=actor,
        kind=kind,
        period=period if kind == ExportKind.NATIONAL else None,
        project=project if kind == ExportKind.REGIONAL else None,
        parameters={**options.as_json(), "language": language or translation.get_language()},
    )
    job.full_clean(exclude=["content"])
    job.save()
    _queue(job)
    return job


@transaction.atomic
def export_job_rerun(*, actor, job: ExportJob) -> ExportJob:
    """Put the requester's failed (or stalled) job back in the queue: same row, same file.

    Refused (ValidationError) unless the job failed or stalled (`stalled_filter`);
    PermissionDenied for anyone but the requester (views answer 404 before that).
    """
    if actor.pk != job.requested_by_id:
        raise PermissionDenied
    rerunnable = Q(status=ExportStatus.FAILED) | stalled_filter()
    updated = ExportJob.objects.filter(rerunnable, pk=job.pk).update(
        status=ExportStatus.QUEUED,
        started_at=timezone.now(),  # while queued: when it was queued again (stalled_filter)
        progress_done=0,
        progress_total=0,
        error="",
        finished_at=None,
    )
    if not updated:
        raise ValidationError(
            _("Only a failed or stalled export can be run again."), code="not_failed"
        )
    job.refresh_from_db()
    _queue(job)
    return job


def _queue(job: ExportJob) -> None:
    from .tasks import export_job_run_task

    # Never fails the request: with the broker down the job stays queued, is shown as
    # stalled after STALLED_AFTER and may then be run again.
    enqueue_job_on_commit(export_job_run_task, job.pk)


def stalled_filter(now=None) -> Q:
    """Jobs nobody is working on (ExportJob.stalled as a query). A queued job counts from
    its last queueing (`started_at` while queued: see export_jobs_resume), else its request."""
    now = now or timezone.now()
    queued_before = now - STALLED_AFTER
    return (
        Q(status=ExportStatus.QUEUED, started_at__isnull=True, created_at__lt=queued_before)
        | Q(status=ExportStatus.QUEUED, started_at__lt=queued_before)
        | Q(
            status=ExportStatus.RUNNING,
            started_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
        )
    )


def export_jobs_resume(*, now=None) -> int:
    """Queue again the export jobs nobody is working on: queued while the broker was down,
    or left running by a worker that was killed (past the task's hard time limit). Like
    reporting.import_services.import_jobs_resume; the catch-up task and a starting worker
    call it. Each job is claimed with a conditional UPDATE (status "queued", `started_at`
    now, so it is not queued again for STALLED_AFTER) and its task queued after commit;
    export_job_run rebuilds the same row, so nothing is duplicated. Returns the count."""
    now = now or timezone.now()
    resumed = 0
    for pk in ExportJob.objects.filter(stalled_filter(now)).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = ExportJob.objects.filter(stalled_filter(now), pk=pk).update(
                status=ExportStatus.QUEUED, started_at=now, progress_done=0
            )
            if claimed:
                enqueue_on_commit(EXPORT_TASK, pk)
                resumed += 1
    if resumed:
        logger.info("resumed %s stalled export job(s)", resumed)
    return resumed


class _ProgressWriter:
    """Writes progress to the job row at most twice a second (a polling page reads it)."""

    def __init__(self, job_id: int):
        self.job_id, self.last = job_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        ExportJob.objects.filter(pk=self.job_id).update(progress_done=done, progress_total=total)


def export_job_run(*, job_id: int) -> dict:
    """Build the job's file and store it in the row (the body of export_job_run_task).

    Idempotent (see the module docstring); never raises for a failing export: the job row
    gets status "failed" and the error text.
    """
    claimed = ExportJob.objects.filter(
        pk=job_id, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    ).update(
        status=ExportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        progress_done=0,
        error="",
    )
    if not claimed:
        return {"job": job_id, "status": "skipped"}
    job = ExportJob.objects.select_related("requested_by", "period__programme", "project").get(
        pk=job_id
    )
    language = job.parameters.get("language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            content, filename, content_type = _build(job, _ProgressWriter(job.pk))
    except Exception as exc:  # recorded on the row; the user sees it and may run it again
        logger.exception("export job %s failed", job_id)
        with translation.override(language):  # the message in the requester's language
            error = _error_text(exc)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=error, finished_at=timezone.now()
        )
        return {"job": job_id, "status": ExportStatus.FAILED}
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.DONE,
        content=content,
        filename=filename,
        content_type=content_type,
        progress_done=F("progress_total"),
        finished_at=timezone.now(),
    )
    return {"job": job_id, "status": ExportStatus.DONE, "bytes": len(content)}


def _error_text(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied | Http404):
        return _("You no longer have access to this content.")
    return f"{type(exc).__name__}: {exc}"[:2000]


def _build(job: ExportJob, progress: _ProgressWriter) -> tuple[bytes, str, str]:
    options = ExportOptions(**{k: v for k, v in job.parameters.items() if k != "language"})
    user = job.requested_by
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    if job.kind == ExportKind.NATIONAL:
        from .national import extract_csv, extract_row_count, extract_xlsx, national_extract

        if not can(user, Perm.VIEW_PROGRAMME):
            raise PermissionDenied
        extract = national_extract(period=job.period, user=user)
        name = f"kansallinen-poiminta-{slugify(job.period.name) or job.period.pk}"
        if options.format == "csv":
            progress(0, extract_row_count(extract, options.table))
            content = extract_csv(
                extract, options.table, semicolon=options.semicolon, bom=options.bom
            )
            return content, f"{name}-{options.table}-{stamp}.csv", CSV_TYPE
        progress(0, extract_row_count(extract))
        return extract_xlsx(extract, progress=progress), f"{name}-{stamp}.xlsx", XLSX_TYPE

    from projects.selectors import project_get

    from .exports import TABLES, project_report, report_csv, report_xlsx

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


def _pdf(job: ExportJob, report, progress: _ProgressWriter) -> bytes:
    """The regional report as a PDF (WeasyPrint lays it out in one step: 0 %, then done)."""
    from .documents import project_report_pdf

    progress(0, 1)
    return project_report_pdf(
        report=report,
        today=timezone.localdate(),
        language=job.parameters.get("language") or settings.LANGUAGE_CODE,
        base_url=settings.PORTAL_BASE_URL,
    )


def export_job_prune(*, now=None) -> int:
    """Delete export jobs (with their files) older than settings.EXPORT_JOB_KEEP_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXPORT_JOB_KEEP_DAYS)
    deleted, _detail = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted
