"""Infrastructure and e-mail tasks: thin wrappers (R7).

`ping_task` proves a worker is alive and can reach the database. The e-mail tasks call
`portal.notifications`; they are idempotent because every e-mail is claimed by its unique
reason key before it is sent (at-most-once, see that module), so a redelivered or
concurrent run sends nothing twice.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from . import notifications, services
from .health import check_database
from .queue import RETRYING_TASK_OPTIONS, enqueue

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


@shared_task(**MAIL_TASK_OPTIONS)
def round_reminders_send_task() -> dict:
    """Daily: remind project managers of a reporting round whose due date is near."""
    return notifications.round_reminders_send(today=timezone.localdate()).as_dict()


@shared_task(**MAIL_TASK_OPTIONS)
def weekly_digest_send_task() -> dict:
    """Weekly: late actions and overdue risk reviews to their owners."""
    return notifications.weekly_digest_send(today=timezone.localdate()).as_dict()


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
