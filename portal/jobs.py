"""The kinds of job and the one rule of when a job has stalled (pure; no writes).

Every job lives in `portal.Job`. The apps above register their kinds here at start
(`register`, from their AppConfig.ready), so portal names their Celery tasks without
importing them: a kind says which task works a job in each active status and whether a failed
job may simply be run again; its start service sets how long the job is kept
(`Job.expires_at`). portal.services claims, reruns,
resumes and prunes every kind the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # for the annotations only: the model imports this module
    from .models import Job


class JobStatus(models.TextChoices):
    """Where a job stands. A kind uses the statuses of its steps: an export or a Sotkanet
    import goes queued → running → done/failed; a bulk import waits for its owner
    (uploaded, previewed) between the worker's steps (checking, importing).

    `portal.jobs.ACTIVE` are the statuses in which a worker owes the job progress: only
    those can stall. A kind may name a status its own way (`JobKind.status_labels`)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    UPLOADED = "uploaded", _("Uploaded: choose the columns")
    CHECKING = "checking", _("Checking the rows")
    PREVIEWED = "previewed", _("Checked: waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A worker owes progress to a job in these statuses; in the others the job is finished or
# waits for its owner (an upload to map or confirm).
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CHECKING, JobStatus.IMPORTING)

# An active job with no sign of life (queued, claimed, progress written) for this long has
# no worker: its task was never published (broker down) or its worker died. It is at least
# the hard time limit of every job task (600 s), so a live worker is never overtaken.
STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class JobKind:
    """What portal needs to know of a kind of job."""

    name: str
    label: str
    # Registered Celery task name that works a job in each active status (by name: portal
    # does not import the apps above it). A stalled "running" job is queued again.
    tasks: dict[str, str]
    # A failed job of this kind may be run again as it is (exports); else the owner starts
    # over (a bulk import goes back to its mapping).
    rerun_failed: bool = False
    # Without a broker (`make run`), run the task in a thread of the web process so its
    # progress page comes at once (portal.queue.enqueue_job_on_commit); else inline.
    thread_without_broker: bool = False
    status_labels: dict[str, str] = field(default_factory=dict)
    rerun_refused: str = ""


_KINDS: dict[str, JobKind] = {}


def register(*kinds: JobKind) -> None:
    """Register kinds (idempotent for the same definition; a name is never taken twice)."""
    for kind in kinds:
        known = _KINDS.get(kind.name)
        if known is not None and known != kind:
            raise ValueError(f"job kind {kind.name!r} is registered twice")
        _KINDS[kind.name] = kind


def job_kind(name: str) -> JobKind | None:
    return _KINDS.get(name)


def job_kinds() -> list[JobKind]:
    return list(_KINDS.values())


def task_for(kind: str, status: str) -> str | None:
    """The task that works a job of `kind` in `status` (None: nothing to queue)."""
    spec = job_kind(kind)
    return spec.tasks.get(status) if spec else None


def resumed_status(status: str) -> str:
    """The status a stalled or rerun job is queued again in: a job whose worker died while
    "running" is queued again; a step of an import (checking, importing) stays in its step;
    a failed job (of a kind that allows it) is queued again."""
    return JobStatus.QUEUED if status in (JobStatus.RUNNING, JobStatus.FAILED) else status


def stalled_q(now: datetime) -> Q:
    """The one stalled rule, as a query: active, no sign of life for STALLED_AFTER, and not
    expired (an expired upload is pruned instead)."""
    return Q(status__in=ACTIVE, heartbeat_at__lt=now - STALLED_AFTER) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def is_stalled(job: Job, *, now: datetime) -> bool:
    """`stalled_q` for a job in hand."""
    return (
        job.status in ACTIVE
        and job.heartbeat_at < now - STALLED_AFTER
        and (job.expires_at is None or job.expires_at > now)
    )
