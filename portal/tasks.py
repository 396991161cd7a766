"""Infrastructure tasks: thin wrappers (R7).

`ping_task` proves a worker is alive and can reach the database; the job tasks resume and
prune jobs of every kind. The e-mail tasks are reporting's (reporting/tasks.py); their
options are here, beside the others.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from . import services
from .health import check_database
from .queue import RETRYING_TASK_OPTIONS
from .queue import enqueue

# A mail run may take minutes: longer limits and backoff than the other retrying tasks.
MAIL_TASK_OPTIONS = {
    **RETRYING_TASK_OPTIONS,
    "soft_time_limit": 540,
    "time_limit": 600,
    "retry_backoff_max": 600,
}


# The one task whose result is read (the worker round-trip test); the others ignore theirs.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=10,
    time_limit=20,
    ignore_result=False,
)
def ping_task(token: str) -> dict:
    """Echo `token` with the worker's view of the database. Idempotent, no side effects."""
    return {"token": token, "database": check_database()}


# --- Jobs of every kind (portal.services) --------------------------------------------------


@shared_task(**RETRYING_TASK_OPTIONS)
def jobs_resume_task() -> dict:
    """Every few minutes and when a worker starts: queue again the jobs nobody is working on
    (queued while the broker was down, or left by a worker that died), of every kind."""
    return {"resumed": services.jobs_resume()}


@shared_task(**RETRYING_TASK_OPTIONS)
def jobs_prune_task() -> dict:
    """Hourly: delete jobs past their expiry (export files, unconfirmed uploads)."""
    return {"deleted": services.jobs_prune()}


@worker_ready.connect
def jobs_resume_on_start(sender=None, **kwargs) -> None:
    """A worker (re)started: resume stalled jobs now, not at the next beat tick
    (docs/operations.md)."""
    enqueue(jobs_resume_task)
