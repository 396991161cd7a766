"""A real Celery worker process on the local Redis runs a task and sends the result back."""

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from measures.models import CurrentLight
from measures.models import IndicatorProgress
from measures.services import measurement_save
from portal.celery import app
from portal.models import Job
from portal.tasks import ping_task

from .factories import ProgrammeFactory
from .factories import ProgrammeRoleFactory
from .factories import ProjectFactory
from .factories import ReportingPeriodFactory
from .factories import UserFactory
from .factories import programme_admin
from .helpers import national_export_start
from .test_status_engine import _hanke_with_work

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def celery_worker_process(django_db_serialized_rollback, transactional_db):
    # serialized rollback: the HT catalogue (a data migration) survives the flush after the test
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip(
            "REDIS_URL is not set: there is no broker for a real worker (make test sets it)"
        )

    app.control.purge()  # messages left by an earlier, interrupted run
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    name = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
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
            name,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_until_ready(name, worker)
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def _wait_until_ready(name: str, worker: subprocess.Popen) -> None:
    """The tests' deadlines time the work, not the worker's start (slow on a busy machine)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and worker.poll() is None:
        if app.control.ping(destination=[name], timeout=1.0):
            return
    worker.terminate()
    pytest.fail("the worker did not start:\n" + worker.communicate(timeout=20)[0])


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


@pytest.mark.worker
def test_saving_a_measurement_updates_lights_within_seconds(celery_worker_process):
    # given a hanke with an indicator linked to a goal
    # The worker judges as of the real today, so the hanke and its target run past it.
    this_year = date.today().year
    programme = ProgrammeFactory(name_fi="Jatko-ohjelma", end_date=date(this_year + 1, 12, 31))
    project = ProjectFactory(programme=programme, end_date=None)
    project, goal, _action, indicator = _hanke_with_work(
        project, target_date=date(this_year + 1, 12, 31)
    )
    # when a user saves a value (the task is queued on commit and runs in the worker)
    measurement_save(
        indicator=indicator, period=date(this_year, 12, 31), raw_value="95", actor=programme_admin()
    )
    # then the indicator's light and the goal and hanke rollups appear within seconds
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        progress = IndicatorProgress.objects.filter(indicator=indicator).first()
        goal_row = CurrentLight.objects.filter(kind="goal", object_id=goal.pk).first()
        hanke_row = CurrentLight.objects.filter(kind="project", object_id=project.pk).first()
        if progress and goal_row and hanke_row:
            break
        time.sleep(0.3)
    else:
        celery_worker_process.terminate()
        pytest.fail(
            "lights not computed in 30 s:\n" + celery_worker_process.communicate(timeout=20)[0]
        )
    assert progress.latest_value == 95
    assert progress.light == "green", (progress.reason_code, progress.reason_params)
    assert goal_row.counts["green"] == 1


@pytest.mark.worker
def test_an_export_job_runs_in_the_worker_and_its_file_lands_in_the_row(celery_worker_process):
    # given a reporting round and a viewer who asks for the national extract
    project = ProjectFactory()
    viewer = ProgrammeRoleFactory(user=UserFactory(), role="viewer").user
    period = ReportingPeriodFactory(
        programme=project.programme, name="Väliarviointi 4/2023", cut_off=date(2023, 3, 31)
    )
    # when the job is started (queued on commit: autocommit here, so at once)
    job = national_export_start(viewer, period)
    # then the worker builds the file into the job's row within seconds
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.3)
    else:
        celery_worker_process.terminate()
        pytest.fail("export not done in 30 s:\n" + celery_worker_process.communicate(timeout=20)[0])
    assert job.status == "done", job.message
    lines = bytes(job.content).decode().splitlines()
    assert lines[0].startswith("Region code,Region,Hanke id,Hanke,Data source")
    assert str(project.pk) in lines[1]
    assert Job.objects.get(pk=job.pk).attempts == 1
