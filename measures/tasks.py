"""Celery tasks of measures: the status engine's recomputations and the Sotkanet import (R7, R8).

The status tasks are idempotent (they upsert the current lights), acks_late so a crashed
worker's task is redelivered, time-limited, and retried with backoff only for transient
database errors.

`sotkanet_import_task` runs one Job row created by `sotkanet_import_start`. It claims the job
with a conditional UPDATE (a finished job is never run again), imports, and records counts,
row errors or the failure message on the job. Rerunning is harmless: the import is
idempotent per value and writes all or nothing. No autoretry: Sotkanet's transient errors
are already retried inside the client, and what is left is reported on the job.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import beat_init
from celery.signals import worker_ready
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Job
from portal.models import JobStatus
from portal.queue import RETRYING_TASK_OPTIONS
from portal.queue import enqueue
from portal.queue import redelivered_task_options
from portal.services import job_claim
from portal.services import job_fail
from portal.services import job_finish
from projects.models import Project

from . import status_engine
from .models import Indicator
from .sotkanet import SotkanetError
from .sotkanet import sotkanet_import

logger = logging.getLogger(__name__)

TASK_OPTIONS = redelivered_task_options(soft_time_limit=240, time_limit=300)


def _summary(job: Job) -> dict:
    return {"job": job.pk, "status": job.status, **job.summary}


@shared_task(**TASK_OPTIONS)
def sotkanet_import_task(job_id: int) -> dict:
    """Run the Sotkanet import described by Job `job_id` (params: indicator_id, years)."""
    if not job_claim(
        job_id=job_id, statuses=[JobStatus.QUEUED, JobStatus.RUNNING], to=JobStatus.RUNNING
    ):
        logger.info("sotkanet import job %s is already finished or gone", job_id)
        return {"job": job_id, "status": "skipped"}
    job = Job.objects.select_related("owner").get(pk=job_id)
    indicator = (
        Indicator.objects.select_related("project__region", "project__programme")
        .filter(pk=job.parameters.get("indicator_id"))
        .first()
    )
    if indicator is None:
        logger.warning("indicator of sotkanet import job %s vanished", job_id)
        return _summary(job_fail(job=job, message=_("The indicator no longer exists.")))
    try:
        result = sotkanet_import(
            indicator=indicator, years=job.parameters.get("years", []), actor=job.owner
        )
    except SotkanetError as exc:
        return _summary(job_fail(job=job, message=str(exc)))
    except SoftTimeLimitExceeded:
        return _summary(job_fail(job=job, message=_("The import took too long and was stopped.")))
    except Exception:
        # Never leave the person's job "running" forever; the worker log has the traceback.
        job_fail(job=job, message=_("The import failed unexpectedly."))
        raise
    errors = [{"message": error} for error in result.errors]
    job_finish(job=job, counts=result.counts(), errors=errors, message=result.summary())
    return _summary(job)


def _recompute_summary(report: status_engine.RecomputeReport) -> dict:
    return {"projects": report.projects, "indicators": report.indicators, "rollups": report.rollups}


@shared_task(**RETRYING_TASK_OPTIONS)
def status_recompute_project_task(project_id: int) -> dict:
    """Recompute one hanke's lights after an edit.

    Skipped when the hanke is no longer marked dirty: a recomputation that started after the
    edit has already covered it (many saves in a row cost one or two recomputations)."""
    dirty = Project.objects.filter(pk=project_id).values_list("status_dirty_at", flat=True)
    if not dirty:
        logger.warning("hanke %s vanished before its lights were recomputed", project_id)
        return {"projects": 0}
    if dirty[0] is None:
        return {"projects": 0, "up_to_date": True}
    today = timezone.localdate()
    return _recompute_summary(
        status_engine.status_recompute_projects(project_ids=[project_id], today=today)
    )


@shared_task(**RETRYING_TASK_OPTIONS)
def status_recompute_all_task(region_code: str | None = None) -> dict:
    """Nightly: the date alone changes lights (actions fall late, values go stale)."""
    return _recompute_summary(
        status_engine.status_recompute_all(today=timezone.localdate(), region_code=region_code)
    )


@shared_task(**RETRYING_TASK_OPTIONS)
def status_recompute_dirty_task() -> dict:
    """Every few minutes, and whenever a worker or beat starts: catch up on edits whose task
    could not be queued, and on a missed nightly run (hankkeet with no lights for today)."""
    return _recompute_summary(status_engine.status_recompute_dirty(today=timezone.localdate()))


@worker_ready.connect
@beat_init.connect
def status_catch_up_on_start(sender=None, **kwargs) -> None:
    """A worker or beat (re)started: queue the catch-up at once rather than at the next
    beat tick, which a lost schedule file may put hours away (docs/operations.md)."""
    enqueue(status_recompute_dirty_task)
