"""Export jobs: large regional reports as jobs, the job page and its progress partial, the
download's permission re-check, running again, idempotent runs, failures and pruning."""

from __future__ import annotations

import io
import re
import threading
from datetime import date
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from portal.jobs import STALLED_AFTER
from portal.models import Job
from portal.services import jobs_prune
from projects.models import ProgrammeRole
from reporting import tasks as reporting_tasks
from reporting.exports import services as job_services
from reporting.exports.services import ExportOptions
from reporting.exports.services import export_job_run
from reporting.exports.services import export_job_start

from .factories import ActionFactory
from .factories import ProgrammeRoleFactory
from .factories import ReportingPeriodFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .factories import recorded_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(personas):
    return ReportingPeriodFactory(
        programme=personas.project.programme, name="Väliarviointi 4/2023", cut_off=date(2023, 3, 31)
    )


@pytest.fixture
def actions(personas):
    with recorded_on(date(2023, 1, 2)):  # in the plan before the round's cut-off
        package = WorkPackageFactory(project=personas.project, code="TP1")
        return [
            ActionFactory(project=personas.project, work_package=package, number=f"1.{n}")
            for n in range(3)
        ]


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _national_job(user, period, **fields) -> Job:
    return Job.objects.create(
        owner=user, kind="national", parameters={"period": period.pk}, **fields
    )


# --- Regional reports: direct download or job -----------------------------------------------


def test_small_regional_report_downloads_directly(client, personas, actions):
    client.force_login(personas.project_worker)
    response = client.get(reverse("reporting:project-report-xlsx", args=[personas.project.pk]))
    assert response.status_code == 200
    assert not Job.objects.exists()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_large_regional_report_runs_as_a_job(
    client, personas, actions, settings, django_capture_on_commit_callbacks, kind
):
    # given a threshold below the hanke's three actions
    settings.EXPORT_JOB_THRESHOLD_ACTIONS = 2
    _english(client, personas.project_worker)
    url = (
        reverse("reporting:project-report-xlsx", args=[personas.project.pk])
        if kind == "xlsx"
        else reverse("reporting:project-report-csv", args=[personas.project.pk, "actions"])
        + "?sep=semicolon&bom=1"
    )
    # when the worker asks for the report
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    # then a job was made and ran, and the answer leads to its page
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export-job-detail", args=[job.pk])
    assert (job.kind, job.project, job.status) == ("regional", personas.project, "done")
    assert job.progress_total == job.progress_done > 0
    content = bytes(job.content)
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(content))
        assert book["Actions"].max_row == 4  # header and three actions
    else:
        assert job.parameters["semicolon"] and job.parameters["bom"]
        assert content.startswith(b"\xef\xbb\xbf") and b";Action number;" in content


def test_the_pdf_of_a_large_hanke_is_laid_out_by_a_job(
    client, personas, actions, settings, django_capture_on_commit_callbacks
):
    # given a PDF threshold below the hanke's three actions (the XLSX one stays high)
    settings.PDF_JOB_THRESHOLD_ACTIONS = 2
    _english(client, personas.project_worker)
    url = reverse("reporting:project-report-pdf", args=[personas.project.pk])
    # when the worker asks for the PDF
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    # then the job made it, in the worker's language, and the page leads to it
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export-job-detail", args=[job.pk])
    assert (job.parameters["format"], job.language, job.status) == (
        "pdf",
        "en",
        "done",
    )
    assert bytes(job.content).startswith(b"%PDF") and job.filename.endswith(".pdf")
    page = client.get(response["Location"])
    assert "PDF" in page.text
    download = client.get(reverse("reporting:export-job-download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_progress_page_comes_before_the_pdf_is_laid_out(
    client, personas, actions, settings, monkeypatch
):
    # given no broker (make run: Celery configured eager), a hanke above the PDF threshold,
    # and a layout that waits until the test has seen the answer
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PDF_JOB_THRESHOLD_ACTIONS = 2
    answered = threading.Event()
    lay_out = job_services.export_job_run

    def export_job_run_after_the_answer(**kwargs):
        answered.wait(timeout=60)
        return lay_out(**kwargs)

    # (the task holds the service it runs: reporting.tasks imports it)
    monkeypatch.setattr(reporting_tasks, "export_job_run", export_job_run_after_the_answer)
    _english(client, personas.project_worker)
    url = reverse("reporting:project-report-pdf", args=[personas.project.pk])
    before = set(threading.enumerate())
    # when the worker asks for the PDF
    response = client.get(url)
    # then the answer is the job's page while the job is still waiting to be laid out
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export-job-detail", args=[job.pk])
    assert job.status == "queued" and not job.content
    # and the job, in a thread of its own, then finishes
    answered.set()
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=120)
    job.refresh_from_db()
    assert job.status == "done" and bytes(job.content).startswith(b"%PDF")


def test_the_pdf_of_a_small_hanke_downloads_directly(client, personas, actions):
    client.force_login(personas.project_worker)
    response = client.get(reverse("reporting:project-report-pdf", args=[personas.project.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert not Job.objects.exists()


# --- The job page and its polling partial ---------------------------------------------------


def test_running_job_shows_a_progress_bar_that_polls(client, personas, period):
    # given a running job 40 % through
    job = _national_job(
        personas.ministry_viewer, period, status="running", progress_done=40, progress_total=100
    )
    _english(client, personas.ministry_viewer)
    # when the page is opened
    page = client.get(reverse("reporting:export-job-detail", args=[job.pk])).content.decode()
    # then the bar says 40 % to everyone, and the status partial polls every second
    bar = re.search(r"<progress[^>]*>", page).group(0)
    assert 'role="progressbar"' in bar and 'aria-valuenow="40"' in bar
    assert 'aria-valuemin="0"' in bar and 'aria-valuemax="100"' in bar
    assert "40 %" in page
    status_url = reverse("reporting:export-job-status", args=[job.pk])
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 1s"' in page
    assert reverse("reporting:export-job-download", args=[job.pk]) not in page


def test_finished_job_partial_stops_polling_and_links_the_file(client, personas, period):
    job = _national_job(
        personas.ministry_viewer, period, status="done", content=b"x", filename="a.xlsx"
    )
    _english(client, personas.ministry_viewer)
    partial = client.get(reverse("reporting:export-job-status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial and "<html" not in partial
    assert reverse("reporting:export-job-download", args=[job.pk]) in partial
    assert "progressbar" not in partial


def test_failed_job_shows_its_error_and_a_run_again_button(client, personas, period):
    job = _national_job(personas.ministry_viewer, period, status="failed", message="Boom: disk")
    _english(client, personas.ministry_viewer)
    page = client.get(reverse("reporting:export-job-detail", args=[job.pk])).content.decode()
    assert "Boom: disk" in page and "Run again" in page
    assert reverse("reporting:export-job-rerun", args=[job.pk]) in page
    assert "hx-trigger" not in page


def test_job_list_shows_only_my_jobs(client, personas, period, django_assert_max_num_queries):
    mine = [_national_job(personas.ministry_viewer, period) for _n in range(5)]
    theirs = _national_job(personas.programme_admin, period)
    _english(client, personas.ministry_viewer)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("reporting:export-job-list")).content.decode()
    for job in mine:
        assert reverse("reporting:export-job-detail", args=[job.pk]) in page
    assert reverse("reporting:export-job-detail", args=[theirs.pk]) not in page


# --- Who may download --------------------------------------------------------------------------


def test_national_extract_file_is_only_for_its_requester(client, personas, period):
    # given a finished extract of the ministry viewer
    job = _national_job(personas.ministry_viewer, period, status="done", content=b"x")
    url = reverse("reporting:export-job-download", args=[job.pk])
    # then another viewer and even the programme admin are refused
    other_viewer = ProgrammeRoleFactory(user=UserFactory(), role="viewer").user
    for user in (other_viewer, personas.programme_admin, personas.project_manager):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("reporting:export-job-detail", args=[job.pk])).status_code == 404
    client.force_login(personas.ministry_viewer)
    assert client.get(url).content == b"x"


def test_requester_who_lost_the_programme_role_may_not_download(client, personas, period):
    job = _national_job(personas.ministry_viewer, period, status="done", content=b"x")
    ProgrammeRole.objects.filter(user=personas.ministry_viewer).delete()
    client.force_login(personas.ministry_viewer)
    response = client.get(reverse("reporting:export-job-download", args=[job.pk]))
    assert response.status_code == 403


def test_regional_report_file_is_for_everyone_who_sees_the_hanke(client, personas):
    job = Job.objects.create(
        owner=personas.project_worker,
        kind="regional",
        project=personas.project,
        status="done",
        content=b"report",
        filename="r.xlsx",
    )
    url = reverse("reporting:export-job-download", args=[job.pk])
    for user, expected in (
        (personas.steering_member, 200),
        (personas.ministry_viewer, 200),
        (personas.outsider, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected


def test_unfinished_job_has_no_file(client, personas, period):
    job = _national_job(personas.ministry_viewer, period, status="running")
    client.force_login(personas.ministry_viewer)
    assert client.get(reverse("reporting:export-job-download", args=[job.pk])).status_code == 404


# --- Running, running again, failing ------------------------------------------------------------


def _start(personas, period, **options) -> Job:
    return export_job_start(
        actor=personas.ministry_viewer,
        kind="national",
        options=ExportOptions(**options),
        period=period,
        language="en",
    )


def test_a_job_that_failed_is_recorded_and_runs_again_into_the_same_row(
    client, personas, period, monkeypatch, django_capture_on_commit_callbacks
):
    # given an export whose build crashes
    def crash(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("reporting.exports.services.national_extract", crash)
    job = _start(personas, period)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    # then it is failed with the error, not stuck
    assert job.status == "failed" and "database went away" in job.message
    assert job.finished_at is not None and job.attempts == 1
    # when the cause is gone and the requester presses "Run again"
    monkeypatch.undo()
    _english(client, personas.ministry_viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:export-job-rerun", args=[job.pk]))
    # then the same job is done, with its file
    assert response["Location"] == reverse("reporting:export-job-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.message, job.attempts) == ("done", "", 2)
    assert load_workbook(io.BytesIO(bytes(job.content))).sheetnames[0] == "Extract"
    assert Job.objects.count() == 1


def test_a_finished_job_is_not_run_again(client, personas, period):
    job = _national_job(personas.ministry_viewer, period, status="done", content=b"old")
    _english(client, personas.ministry_viewer)
    response = client.post(reverse("reporting:export-job-rerun", args=[job.pk]), follow=True)
    assert "Only a failed or stalled export can be run again." in response.content.decode()
    assert export_job_run(job_id=job.pk)["status"] == "skipped"
    job.refresh_from_db()
    assert (job.status, bytes(job.content)) == ("done", b"old")


def test_only_the_requester_runs_a_job_again(client, personas, period):
    job = _national_job(personas.ministry_viewer, period, status="failed")
    client.force_login(personas.programme_admin)
    assert client.post(reverse("reporting:export-job-rerun", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_job_left_running_by_a_lost_worker_is_rebuilt_when_redelivered(personas, period):
    # given a job a worker claimed and then died on (acks_late redelivers the task)
    job = _start(personas, period, format="csv", table="hankkeet")
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, progress_done=7)
    # when the task runs again, then the same row ends done with its file
    assert export_job_run(job_id=job.pk)["status"] == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert bytes(job.content).startswith(b"Region code,Region,Hanke id")
    # and a third delivery changes nothing
    assert export_job_run(job_id=job.pk)["status"] == "skipped"


def test_a_queued_job_nobody_picked_up_may_be_run_again(personas, period):
    job = _start(personas, period)
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - STALLED_AFTER - timedelta(seconds=1)
    )
    job_services.export_job_rerun(actor=personas.ministry_viewer, job=job)
    assert Job.objects.get(pk=job.pk).status == "queued"


def test_the_requesters_permission_is_checked_again_when_the_job_runs(personas, period):
    job = _start(personas, period)
    ProgrammeRole.objects.filter(user=personas.ministry_viewer).delete()
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.content is None
    with translation.override(job.language):  # written in the job's language
        assert job.message == gettext("You no longer have access to this content.")


def test_progress_is_written_while_the_workbook_is_built(personas, period, actions, monkeypatch):
    seen = []
    original = job_services.ProgressWriter.__call__

    def spy(self, done, total):
        seen.append((done, total))
        original(self, done, total)

    monkeypatch.setattr(job_services.ProgressWriter, "__call__", spy)
    job = _start(personas, period)
    export_job_run(job_id=job.pk)
    # two hankkeet and three actions: the total first, then the end (every 250 rows between)
    assert seen == [(0, 5), (5, 5)]
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)


def test_old_jobs_are_pruned_with_their_files(personas, period):
    old = _national_job(personas.ministry_viewer, period, status="done", content=b"x")
    new = _national_job(personas.ministry_viewer, period, status="done", content=b"y")
    # kept EXPORT_JOB_KEEP_DAYS from the request (export_job_start sets the expiry)
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Job.objects.filter(pk=new.pk).update(
        expires_at=timezone.now() + timedelta(days=settings.EXPORT_JOB_KEEP_DAYS)
    )
    assert jobs_prune() == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [new.pk]


def test_a_job_left_running_past_the_time_limit_offers_run_again(client, personas, period):
    # given a job whose worker was killed an hour ago (the row still says "running")
    job = _national_job(
        personas.ministry_viewer,
        period,
        status="running",
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    _english(client, personas.ministry_viewer)
    page = client.get(reverse("reporting:export-job-detail", args=[job.pk])).content.decode()
    # then the page offers to run it again, and it may be
    assert "Run again" in page and "No worker seems to be building this export." in page
    job_services.export_job_rerun(actor=personas.ministry_viewer, job=job)
    assert Job.objects.get(pk=job.pk).status == "queued"


def test_a_running_job_within_its_time_is_not_run_again(client, personas, period):
    job = _national_job(
        personas.ministry_viewer, period, status="running", started_at=timezone.now()
    )
    _english(client, personas.ministry_viewer)
    page = client.get(reverse("reporting:export-job-detail", args=[job.pk])).content.decode()
    assert "Run again" not in page
    with pytest.raises(ValidationError):
        job_services.export_job_rerun(actor=personas.ministry_viewer, job=job)


def test_regional_job_of_a_requester_who_left_the_hanke_fails_with_a_clear_reason(personas):
    job = Job.objects.create(
        owner=personas.project_worker,
        kind="regional",
        project=personas.project,
        parameters={"format": "xlsx"},
        language="en",
    )
    personas.project_worker.memberships.all().delete()
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "You no longer have access to this content.")


def test_an_export_is_kept_for_the_days_set(personas, period):
    job = _start(personas, period)
    kept = job.expires_at - job.created_at
    assert abs(kept - timedelta(days=settings.EXPORT_JOB_KEEP_DAYS)) < timedelta(minutes=1)


def test_the_progress_poll_reads_the_job_row_without_its_file(
    client, personas, period, django_assert_num_queries
):
    # given a running job whose row already holds a (large) file from an earlier run
    job = _national_job(
        personas.ministry_viewer,
        period,
        status="running",
        progress_done=3,
        progress_total=10,
        content=b"x" * 1_000_000,
    )
    client.force_login(personas.ministry_viewer)
    url = reverse("reporting:export-job-status", args=[job.pk])
    # when the page polls: the session, the user, the job (and the savepoints of the test)
    with django_assert_num_queries(3) as captured:
        partial = client.get(url).content.decode()
    # then it shows the progress and never selected the file
    assert 'aria-valuenow="30"' in partial
    job_reads = [q["sql"] for q in captured.captured_queries if '"portal_job"' in q["sql"]]
    assert len(job_reads) == 1 and '"portal_job"."content"' not in job_reads[0]
