"""The one job model: every kind stalls, resumes, runs again and is pruned by the same rules
(portal.jobs, portal.services); the admin shows jobs read-only with who started them."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from measures import sotkanet
from portal import services
from portal.jobs import ACTIVE
from portal.jobs import STALLED_AFTER
from portal.jobs import JobKind
from portal.jobs import job_kind
from portal.jobs import register
from portal.jobs import stalled_q
from portal.models import Job
from portal.models import JobStatus
from portal.models import JobUpload

from .factories import IndicatorFactory
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


LONG_AGO = STALLED_AFTER + timedelta(minutes=1)


@pytest.fixture
def queued(monkeypatch):
    """The tasks the services queue after commit, as (task name, job id)."""
    sent = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, pk: sent.append((task, pk)))
    monkeypatch.setattr(services, "enqueue_job_on_commit", lambda task, pk: sent.append((task, pk)))
    return sent


def _job(owner, kind, status, *, quiet_for=timedelta(0), **fields) -> Job:
    job = Job.objects.create(owner=owner, kind=kind, status=status, **fields)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - quiet_for)
    job.refresh_from_db()
    return job


def test_every_kind_is_registered_by_its_app_with_its_tasks():
    assert job_kind("national").tasks == {"queued": "reporting.tasks.export_job_run_task"}
    assert job_kind("actions").tasks == {
        "checking": "reporting.tasks.import_job_check_task",
        "importing": "reporting.tasks.import_job_apply_task",
    }
    assert job_kind("sotkanet_import").tasks == {"queued": "measures.tasks.sotkanet_import_task"}
    assert job_kind("finance-import").tasks == {}
    with pytest.raises(ValueError, match="registered twice"):
        register(JobKind(name="national", label="Something else", tasks={}))


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("national", "queued"),
        ("regional", "running"),
        ("actions", "checking"),
        ("measurements", "importing"),
        ("sotkanet_import", "running"),
    ],
)
def test_one_stalled_rule_for_every_kind(personas, kind, status):
    # given an active job of any kind
    fresh = _job(personas.project_manager, kind, status, quiet_for=STALLED_AFTER / 2)
    quiet = _job(personas.project_manager, kind, status, quiet_for=LONG_AGO)
    # then it has stalled when it has shown no sign of life for STALLED_AFTER, not before
    assert not fresh.stalled and quiet.stalled
    stalled = set(Job.objects.filter(stalled_q(timezone.now())).values_list("pk", flat=True))
    assert stalled == {quiet.pk}


@pytest.mark.parametrize("status", ["uploaded", "previewed", "done", "failed"])
def test_a_job_waiting_for_its_owner_or_finished_never_stalls(personas, status):
    assert status not in ACTIVE
    job = _job(personas.project_manager, "actions", status, quiet_for=timedelta(days=2))
    assert not job.stalled
    assert not Job.objects.filter(stalled_q(timezone.now())).exists()


def test_an_expired_job_does_not_stall_it_is_pruned(personas):
    job = _job(
        personas.project_manager,
        "actions",
        "checking",
        quiet_for=LONG_AGO,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert not job.stalled


def test_the_catch_up_queues_every_kinds_stalled_jobs_once(personas, queued):
    owner = personas.ministry_viewer
    export = _job(owner, "national", "running", quiet_for=LONG_AGO)
    check = _job(owner, "actions", "checking", quiet_for=LONG_AGO)
    apply = _job(owner, "indicators", "importing", quiet_for=LONG_AGO)
    sotkanet_job = _job(None, "sotkanet_import", "queued", quiet_for=LONG_AGO)
    _job(owner, "national", "running")  # alive: left alone
    _job(owner, "finance-import", "previewed", quiet_for=LONG_AGO)  # waits for its owner
    # when the catch-up runs twice
    assert services.jobs_resume() == 4
    assert services.jobs_resume() == 0
    # then each stalled job's task is queued once; a running export is queued again
    assert sorted(queued) == sorted(
        [
            ("reporting.tasks.export_job_run_task", export.pk),
            ("reporting.tasks.import_job_check_task", check.pk),
            ("reporting.tasks.import_job_apply_task", apply.pk),
            ("measures.tasks.sotkanet_import_task", sotkanet_job.pk),
        ]
    )
    export.refresh_from_db()
    assert export.status == "queued" and not export.stalled


def test_run_again_is_for_the_owner_of_a_stalled_job(personas, queued):
    owner = personas.project_manager
    job = _job(owner, "sotkanet_import", "running", quiet_for=LONG_AGO)
    with pytest.raises(PermissionDenied):
        services.job_rerun(job=job, actor=personas.programme_admin)
    assert queued == []
    services.job_rerun(job=job, actor=owner)
    assert queued == [("measures.tasks.sotkanet_import_task", job.pk)]
    job.refresh_from_db()
    assert job.status == "queued"
    # a second click finds nothing stalled
    with pytest.raises(ValidationError, match="Only a stalled job can be run again."):
        services.job_rerun(job=job, actor=owner)
    assert len(queued) == 1


def test_a_failed_job_runs_again_only_where_its_kind_allows(personas, queued):
    owner = personas.ministry_viewer
    export = _job(owner, "national", "failed", message="Boom")
    services.job_rerun(job=export, actor=owner)
    export.refresh_from_db()
    assert (export.status, export.message) == ("queued", "")
    upload = _job(owner, "actions", "failed", message="Refused")
    with pytest.raises(ValidationError, match="no progress for ten minutes"):
        services.job_rerun(job=upload, actor=owner)
    upload.refresh_from_db()
    assert upload.status == "failed"


def test_claim_counts_the_attempt_and_a_finished_job_is_never_claimed(personas):
    job = _job(personas.ministry_viewer, "national", "queued", quiet_for=LONG_AGO)
    running = [JobStatus.QUEUED, JobStatus.RUNNING]
    assert services.job_claim(job_id=job.pk, statuses=running, to=JobStatus.RUNNING)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.stalled) == ("running", 1, False)
    Job.objects.filter(pk=job.pk).update(status="done")
    assert not services.job_claim(job_id=job.pk, statuses=running, to=JobStatus.RUNNING)


def test_prune_deletes_expired_jobs_with_their_uploads_but_not_one_a_worker_is_on(personas):
    owner, past = personas.project_manager, timezone.now() - timedelta(minutes=1)
    expired = _job(owner, "actions", "previewed", expires_at=past)
    JobUpload.objects.create(job=expired, rows=[["a"]])
    busy = _job(owner, "actions", "importing", expires_at=past)
    kept = _job(owner, "sotkanet_import", "done")  # no expiry
    current = _job(owner, "national", "done", expires_at=timezone.now() + timedelta(days=1))
    assert services.jobs_prune() == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {busy.pk, kept.pk, current.pk}
    assert not JobUpload.objects.exists()


def test_a_sotkanet_job_belongs_to_the_indicators_hanke(personas, monkeypatch):
    indicator = IndicatorFactory(project=personas.project)
    monkeypatch.setattr(sotkanet, "_import_target", lambda indicator: None)
    admin = personas.programme_admin
    job = sotkanet.sotkanet_import_start(indicator=indicator, years=[2022], actor=admin)
    assert (job.kind, job.owner, job.project, job.status) == (
        "sotkanet_import",
        admin,
        personas.project,
        "queued",
    )


def test_the_admin_shows_jobs_read_only_with_who_started_them(client, personas):
    job = _job(
        personas.project_worker,
        "regional",
        "done",
        project=personas.project,
        content=b"secret file",
        filename="r.xlsx",
    )
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    changelist = client.get(reverse("admin:portal_job_changelist")).content.decode()
    assert personas.project_worker.username in changelist
    assert client.get(reverse("admin:portal_job_add")).status_code == 403
    page = client.get(reverse("admin:portal_job_change", args=[job.pk])).content.decode()
    assert "r.xlsx" in page and "secret file" not in page
    assert 'name="_save"' not in page  # read-only


def test_portal_names_the_kinds_tasks_without_importing_the_apps_above():
    root = Path(__file__).resolve().parent.parent / "portal"
    for name in ("jobs.py", "services.py", "models.py", "tasks.py", "queue.py"):
        tree = ast.parse((root / name).read_text())
        imported = {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        } | {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not imported & {"projects", "objectives", "measures", "reporting"}, name
