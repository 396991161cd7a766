"""Queue Celery work after the surrounding transaction commits, without ever failing the save.

Celery's `task.delay_on_commit()` registers a plain `transaction.on_commit` callback, so a
broker that is down raises into the request after the data is already committed. Here the
callback is registered `robust=True` and publishing is not retried for long: the user's save
succeeds, the failure is logged, and the dirty mark written in the same transaction lets
the periodic catch-up task do the work later.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import InterfaceError
from django.db import OperationalError
from django.db import connections
from django.db import transaction

from .outage import outages

logger = logging.getLogger(__name__)


def redelivered_task_options(*, soft_time_limit: int, time_limit: int) -> dict:
    """Celery options of a task whose message is acknowledged only when it ends, so a lost
    worker gets it redelivered, and which is stopped after the given seconds."""
    return {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "soft_time_limit": soft_time_limit,
        "time_limit": time_limit,
    }


# Celery options of an idempotent task that may be retried (R7): redelivered when its worker
# dies, time-limited, retried with backoff only for transient database errors.
RETRYING_TASK_OPTIONS = {
    **redelivered_task_options(soft_time_limit=240, time_limit=300),
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}

# One quick attempt: a person is waiting for the page.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def _registered(name: str) -> Any:
    """The task registered under `name`, importing the apps' task modules on first use (the
    web process imports them lazily, the worker at start)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue(task: Any, *args: Any) -> bool:
    """Publish `task` now (a task, or a registered task's name); never raises. A broker that
    is down or does not answer costs seconds (the socket timeouts in settings) and one
    warning line per outage; the catch-up tasks do the work later. True when it was sent."""
    try:
        if isinstance(task, str):
            task = _registered(task)
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # noqa: BLE001 - any broker failure: keep going, catch up later
        # One warning per outage (portal.outage), not one per save; each task at DEBUG.
        outages.failed("broker", exc)
        logger.debug(
            "could not queue %s%s; the catch-up will do it", getattr(task, "name", task), args
        )
        return False
    outages.recovered("broker")
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue `task` (a task, or a registered task's name, so that a lower app can queue the
    work of a higher one without importing it) once the transaction commits."""
    transaction.on_commit(lambda: enqueue(task, *args), robust=True)


def enqueue_job_on_commit(task: Any, *args: Any) -> None:
    """Queue a job a person waits for on its progress page (an export, an import).

    With a broker, as `enqueue_on_commit`. Without one (`make run`: no REDIS_URL, so Celery is
    configured eager) the task would run inside the request and the browser would wait for the
    whole job before it sees the progress page; it runs in a thread of the web process after
    the commit instead, so the page comes at once and polls the job's progress.
    """
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue_on_commit(task, *args)
        return
    transaction.on_commit(lambda: run_in_thread(task, *args), robust=True)


def run_in_thread(task: Any, *args: Any) -> threading.Thread:
    """Run `task` (eagerly) in a daemon thread with its own database connection."""

    def run() -> None:
        try:
            (_registered(task) if isinstance(task, str) else task).apply(args=args)
        except Exception:  # noqa: BLE001 - the job row records the failure; log the rest
            logger.exception("job %s%s failed in its thread", getattr(task, "name", task), args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=f"job-{getattr(task, 'name', task)}", daemon=True)
    thread.start()
    return thread
