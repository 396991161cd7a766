"""Writes for jobs (R8). A job is claimed with a conditional UPDATE, so a crashed or
duplicated task run never processes the same job twice at once, and a failed job can be
started again safely by creating a new one with the same parameters.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job, JobStatus

logger = logging.getLogger(__name__)


def job_create(*, kind: str, actor, params: dict[str, Any]) -> Job:
    """Create a pending job row. Permission checks belong to the caller's service."""
    return Job.objects.create(kind=kind, actor=actor, params=params)


def job_claim(*, job_id: int) -> Job | None:
    """Move a pending (or a crashed running) job to running; None when it is already done."""
    claimed = Job.objects.filter(
        pk=job_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).update(status=JobStatus.RUNNING, started_at=timezone.now())
    return Job.objects.get(pk=job_id) if claimed else None


def job_finish(
    *, job: Job, counts: dict[str, int], errors: list[dict] | None = None, message: str = ""
) -> Job:
    job.status = JobStatus.FAILED if errors else JobStatus.DONE
    job.counts, job.errors, job.message = counts, errors or [], message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "counts", "errors", "message", "finished_at"])
    return job


def job_fail(*, job: Job, message: str) -> Job:
    logger.warning("job %s failed: %s", job.pk, message)
    with transaction.atomic():
        job.status, job.message, job.finished_at = JobStatus.FAILED, message, timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
    return job
