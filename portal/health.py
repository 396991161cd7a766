"""Checks behind /healthz. Each returns {"ok": bool, "detail": str} and never raises.

`run_checks` runs them side by side and gives each at most CHECK_SECONDS: a component that
does not answer in time is reported failing (a paused Redis accepts connections and then
says nothing, so a connection alone proves nothing: the cache and the broker are asked a
command, with socket timeouts). The details are for the log (portal.outage: one line per
outage), never for the public answer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db import connections

from .outage import outages
from .outage import summary

CHECK_SECONDS = 2.0


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "detail": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return {"ok": False, "detail": _short(exc)}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        return {"ok": ok, "detail": backend if ok else "value not read back"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "detail": _short(exc)}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": "eager (tasks run in the web process)"}
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {"ok": False, "detail": f"unsupported broker for this check: {url.split(':')[0]}"}
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=CHECK_SECONDS, socket_timeout=CHECK_SECONDS
        )
        try:
            client.ping()  # an answer, not just an accepted connection
        finally:
            client.close()
        return {"ok": True, "detail": "answers"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "detail": _short(exc)}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def _in_own_thread(check: Callable[[], dict]) -> dict:
    try:
        return check()
    finally:
        connections.close_all()  # this thread's database connection, not the request's


def run_checks(timeout: float = CHECK_SECONDS) -> dict[str, dict]:
    """Every check at once, each given `timeout` seconds; failures go to the log once."""
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="healthz")
    futures = {name: pool.submit(_in_own_thread, check) for name, check in CHECKS.items()}
    results: dict[str, dict] = {}
    deadline = time.monotonic() + timeout  # one budget for all: they run side by side
    try:
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                results[name] = {"ok": False, "detail": f"no answer within {timeout:g} s"}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a hung check ends on its own timeout
    for name, result in results.items():
        if result["ok"]:
            outages.recovered(name)
        else:
            outages.failed(name, result["detail"])
    return results


def public_summary(results: dict[str, dict]) -> dict:
    """What anyone may read: ok or failing per component, no hosts, ports or errors."""
    healthy = all(result["ok"] for result in results.values())
    return {
        "status": "ok" if healthy else "failing",
        "checks": {name: "ok" if r["ok"] else "failing" for name, r in results.items()},
    }


def _short(exc: BaseException) -> str:
    return summary(exc)[:200]
