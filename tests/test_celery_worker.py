"""A real Celery worker process on the local Redis runs a task and sends the result back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from portal.tasks import ping_task

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def celery_worker_process(transactional_db):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip(
            "REDIS_URL is not set: there is no broker for a real worker (make test sets it)"
        )
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.worker
def test_task_round_trip_through_redis_and_a_worker(celery_worker_process):
    # given a running worker / when a task is sent through the broker
    token = uuid.uuid4().hex
    result = ping_task.delay(token)
    # then the worker runs it, reaches the test database, and the result comes back
    try:
        value = result.get(timeout=60)
    except Exception:
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=20)[0]
        pytest.fail(f"no result from the worker; its output:\n{output}")
    assert value["token"] == token
    assert value["database"]["ok"] is True
