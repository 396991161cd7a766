"""Infrastructure tasks. `ping_task` proves a worker is alive and can reach the database."""

from __future__ import annotations

from celery import shared_task

from .health import check_database


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=10, time_limit=20)
def ping_task(token: str) -> dict:
    """Echo `token` with the worker's view of the database. Idempotent, no side effects."""
    return {"token": token, "database": check_database()}
