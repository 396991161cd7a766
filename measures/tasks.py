"""Celery tasks for indicators: thin wrappers around measures.sotkanet (R7, R8).

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
from django.utils.translation import gettext as _

from portal.models import Job
from portal.services import job_claim, job_fail, job_finish

from .models import Indicator
from .sotkanet import SotkanetError, sotkanet_import

logger = logging.getLogger(__name__)

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 240,
    "time_limit": 300,
}


def _summary(job: Job) -> dict:
    return {"job": job.pk, "status": job.status, **job.counts}


@shared_task(**TASK_OPTIONS)
def sotkanet_import_task(job_id: int) -> dict:
    """Run the Sotkanet import described by Job `job_id` (params: indicator_id, years)."""
    job = job_claim(job_id=job_id)
    if job is None:
        logger.info("sotkanet import job %s is already finished or gone", job_id)
        return {"job": job_id, "status": "skipped"}
    indicator = (
        Indicator.objects.select_related("project__region", "project__programme")
        .filter(pk=job.params.get("indicator_id"))
        .first()
    )
    if indicator is None:
        logger.warning("indicator of sotkanet import job %s vanished", job_id)
        return _summary(job_fail(job=job, message=_("The indicator no longer exists.")))
    try:
        result = sotkanet_import(
            indicator=indicator, years=job.params.get("years", []), actor=job.actor
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
