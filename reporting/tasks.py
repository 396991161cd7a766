"""Celery tasks of reporting: export and import jobs, the lights of past rounds and the
e-mails (round reminders, weekly digest); thin wrappers around their services (R7).

The e-mail tasks are idempotent because every e-mail is claimed by its unique reason key
before it is sent (at-most-once, portal.mail), so a redelivered or concurrent run sends
nothing twice.

The catch-up and the pruning of every kind of job are portal.tasks.jobs_resume_task and
jobs_prune_task.

All are idempotent, acks_late so a crashed worker's task
is redelivered, time-limited, and retried with backoff only for transient database errors.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from measures.status_engine import lights_on
from objectives.models import ReportingPeriod
from portal.queue import RETRYING_TASK_OPTIONS
from portal.queue import redelivered_task_options
from portal.tasks import MAIL_TASK_OPTIONS
from projects.models import Project

from .exports.services import export_job_run
from .imports.services import import_job_apply
from .imports.services import import_job_check
from .notifications import services as notifications

logger = logging.getLogger(__name__)


# Export jobs: no autoretry. A failing export is recorded on its row ("failed", with the
# error) and the user runs it again; a lost worker gets the message redelivered (acks_late)
# and export_job_run rebuilds the same row's file.
EXPORT_TASK_OPTIONS = redelivered_task_options(soft_time_limit=540, time_limit=600)


@shared_task(**EXPORT_TASK_OPTIONS)
def export_job_run_task(job_id: int) -> dict:
    """Build an export job's file (reporting.exports.services.export_job_run); a job that is
    gone or finished is skipped."""
    return export_job_run(job_id=job_id)


# --- Bulk import (reporting.imports.services): the dry run and the import of large files ----


@shared_task(**RETRYING_TASK_OPTIONS)
def import_job_check_task(job_id: int) -> dict:
    """The dry run of a large upload. Idempotent: it only rewrites the job's preview."""
    return _import_job_status(import_job_check(job_id=job_id), job_id, "check")


@shared_task(**RETRYING_TASK_OPTIONS)
def import_job_apply_task(job_id: int) -> dict:
    """The confirmed import of a large upload: all rows or none, once (see import_job_apply)."""
    return _import_job_status(import_job_apply(job_id=job_id), job_id, "import")


def _import_job_status(job, job_id: int, step: str) -> dict:
    """What an import task returns: the job's status, or "missing" (logged) when it is gone."""
    if job is None:
        logger.warning("import job %s vanished before its %s", job_id, step)
        return {"status": "missing"}
    return {"status": job.status}


@shared_task(**RETRYING_TASK_OPTIONS)
def round_lights_keep_task() -> dict:
    """Daily: the lights of every round whose cut-off day is over, computed from the history
    and kept (measures.status_engine.lights_on), so no reader waits for the first view of a
    round. Only hankkeet whose lights of that day are not kept yet are computed."""
    today = timezone.localdate()
    kept = 0
    for period in ReportingPeriod.objects.filter(cut_off__lt=today).order_by("cut_off"):
        ids = Project.objects.filter(programme_id=period.programme_id).values_list("pk", flat=True)
        kept += len(lights_on(project_ids=ids, day=period.cut_off, today=today, summary=True))
    return {"rows": kept}


@shared_task(**MAIL_TASK_OPTIONS)
def round_reminders_send_task() -> dict:
    """Daily: remind project managers of a reporting round whose due date is near."""
    return notifications.round_reminders_send(today=timezone.localdate()).as_dict()


@shared_task(**MAIL_TASK_OPTIONS)
def weekly_digest_send_task() -> dict:
    """Weekly: late actions and overdue risk reviews to their owners."""
    return notifications.weekly_digest_send(today=timezone.localdate()).as_dict()
