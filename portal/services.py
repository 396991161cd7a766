"""Writes of jobs (R8), for every kind: claim, progress, finish, run again, resume, prune.

A job is claimed with a conditional UPDATE, so a crashed or duplicated task run never works
the same job twice at once; every write that shows someone is working on it moves its
heartbeat, which the one stalled rule (portal.jobs.stalled_q) reads. The kinds' services
check permissions and then call these.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .jobs import ACTIVE
from .jobs import job_kind
from .jobs import resumed_status
from .jobs import stalled_q
from .jobs import task_for
from .models import Job
from .models import JobStatus
from .models import JobUpload
from .queue import enqueue_job_on_commit
from .queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def job_create(*, kind: str, actor, params: dict[str, Any], project=None, **fields) -> Job:
    """Create a job row (queued unless `fields` say otherwise). Permission checks belong to
    the caller's service."""
    return Job.objects.create(kind=kind, owner=actor, project=project, parameters=params, **fields)


def upload_job_create(
    *, kind: str, actor, project, filename: str, rows: list, upload: dict | None = None, **fields
) -> Job:
    """Create a job for an uploaded file read into `rows` (its JobUpload, with `upload`'s
    other cells): named by the file, with nothing done of its rows yet (`fields`: its
    status and the kind's own). Permission checks belong to the caller's service."""
    name = filename[: Job._meta.get_field("filename").max_length]
    job = job_create(
        kind=kind,
        actor=actor,
        project=project,
        params={},
        filename=name,
        progress_total=len(rows),
        **fields,
    )
    job.upload = JobUpload.objects.create(job=job, rows=rows, **(upload or {}))
    return job


def job_queue(job: Job) -> None:
    """Queue the task of the job's current status once the transaction commits; never fails
    the request (with the broker down the job stalls and the catch-up queues it)."""
    task = task_for(job.kind, job.status)
    if task is None:
        return
    spec = job_kind(job.kind)
    if spec is not None and spec.thread_without_broker:
        enqueue_job_on_commit(task, job.pk)
    else:
        enqueue_on_commit(task, job.pk)


def job_claim(*, job_id: int, statuses, to: str | None = None, **reset) -> bool:
    """Claim a job for a worker: only if it is in one of `statuses` (a finished job is never
    run again). Counts the attempt and moves the heartbeat; `to` is its status while it runs
    (default: unchanged), `reset` any other fields to write. True when claimed."""
    now = timezone.now()
    fields = {"started_at": now, "heartbeat_at": now, "attempts": F("attempts") + 1, **reset}
    if to is not None:
        fields["status"] = to
    return bool(Job.objects.filter(pk=job_id, status__in=list(statuses)).update(**fields))


def job_progress(job_id: int, done: int, total: int | None = None) -> None:
    """Write progress (and so the heartbeat). One UPDATE."""
    fields = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


class ProgressWriter:
    """Writes a job's progress at most twice a second (a polling page reads it)."""

    def __init__(self, job_id: int):
        self.job_id, self.last = job_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        job_progress(self.job_id, done, total)


def job_finish(
    *, job: Job, counts: dict[str, int], errors: list[dict] | None = None, message: str = ""
) -> Job:
    """Record a finished run: done, or failed when it has row errors."""
    job.status = JobStatus.FAILED if errors else JobStatus.DONE
    job.summary, job.errors, job.message = counts, errors or [], message
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save(
        update_fields=["status", "summary", "errors", "message", "finished_at", "heartbeat_at"]
    )
    return job


def job_fail(*, job: Job, message: str) -> Job:
    logger.warning("job %s failed: %s", job.pk, message)
    with transaction.atomic():
        job.status, job.message = JobStatus.FAILED, message
        job.finished_at = job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "heartbeat_at"])
    return job


def _requeue_fields(status: str, now) -> dict:
    return {
        "status": resumed_status(status),
        "heartbeat_at": now,
        "progress_done": 0,
        "finished_at": None,
    }


@transaction.atomic
def job_rerun(*, job: Job, actor, now=None) -> Job:
    """The owner's "Run again": a stalled job (or a failed one, where its kind allows) is
    queued again, in the same row. Claimed with a conditional UPDATE, so a second click or
    the periodic catch-up does not queue it twice.

    PermissionDenied for anyone but the owner; ValidationError when it may not run again.
    """
    if actor is None or actor.pk != job.owner_id:
        raise PermissionDenied
    now = now or timezone.now()
    spec = job_kind(job.kind)
    rerunnable = stalled_q(now)
    if spec is not None and spec.rerun_failed:
        rerunnable |= Q(status=JobStatus.FAILED)
    status = Job.objects.filter(pk=job.pk).values_list("status", flat=True).first()
    fields = _requeue_fields(status or job.status, now)
    if status == JobStatus.FAILED:
        fields["message"] = ""
    if not Job.objects.filter(rerunnable, pk=job.pk, status=status).update(**fields):
        refused = spec.rerun_refused if spec is not None else ""
        raise ValidationError(
            refused or _("Only a stalled job can be run again."), code="not_rerunnable"
        )
    job.refresh_from_db()
    job_queue(job)
    return job


def jobs_resume(*, now=None) -> int:
    """The periodic catch-up (and a starting worker): queue again every job nobody is working
    on (portal.jobs.stalled_q), of every kind. Each is claimed with a conditional UPDATE that
    moves its heartbeat, so it is not queued again for STALLED_AFTER; the kinds' tasks are
    idempotent, so nothing is done twice. Returns how many were queued."""
    now = now or timezone.now()
    resumed = 0
    for pk, kind, status in Job.objects.filter(stalled_q(now)).values_list("pk", "kind", "status"):
        task = task_for(kind, resumed_status(status))
        if task is None:
            continue
        with transaction.atomic():
            claimed = Job.objects.filter(stalled_q(now), pk=pk, status=status).update(
                **_requeue_fields(status, now)
            )
            if claimed:
                enqueue_on_commit(task, pk)
                resumed += 1
    if resumed:
        logger.info("resumed %s stalled job(s)", resumed)
    return resumed


def jobs_prune(*, now=None) -> int:
    """Delete jobs past their expiry, with their files and uploaded cells (which may hold
    personal data); a job a worker is on is left alone. Idempotent. Returns the count."""
    now = now or timezone.now()
    _total, detail = Job.objects.filter(expires_at__lte=now).exclude(status__in=ACTIVE).delete()
    return detail.get(Job._meta.label, 0)
