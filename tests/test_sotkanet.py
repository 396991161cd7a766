"""Sotkanet import: client, API and file imports, command, task and admin action.

Sotkanet is not reachable from here, so a local fake server answers in the API's shape
(PLATFORM.md "Sotkanet REST API 1.1") and can be told to fail in the ways the real one can.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from measures.models import Measurement
from measures.services import measurement_save
from measures.sotkanet import SOTKANET_NOTE
from measures.sotkanet import SotkanetClient
from measures.sotkanet import SotkanetError
from measures.sotkanet import rows_for_region
from measures.sotkanet import sotkanet_default_years
from measures.sotkanet import sotkanet_file_import
from measures.sotkanet import sotkanet_import
from measures.sotkanet import sotkanet_import_start
from measures.tasks import sotkanet_import_task
from portal.models import Job
from portal.models import JobStatus
from portal.services import job_create

from .factories import IndicatorFactory
from .factories import ProjectFactory
from .factories import RegionFactory
from .factories import UserFactory
from .factories import programme_admin

OUR_REGION, OTHER_REGION, WHOLE_COUNTRY = 833, 834, 658
YEARS = [2021, 2022, 2023]


def _row(region: int, year: int, value: float | None, gender: str = "total") -> dict:
    return {"indicator": 1234, "region": region, "year": year, "gender": gender, "value": value}


def _default_rows() -> list[dict]:
    return [
        _row(OUR_REGION, 2021, 41.5),
        _row(OUR_REGION, 2022, 43.2),
        _row(OUR_REGION, 2023, None),  # not published (too few cases)
        _row(OUR_REGION, 2021, 40.1, gender="male"),
        _row(OTHER_REGION, 2021, 38.0),
        _row(OTHER_REGION, 2022, 39.9),
        _row(OTHER_REGION, 2023, 40.5),
        _row(WHOLE_COUNTRY, 2022, 35.0),
        _row(OUR_REGION, 2019, 30.0),  # outside the years asked: the fake filters it out
    ]


# --- The fake Sotkanet ------------------------------------------------------------------------


@dataclass
class FakeSotkanet:
    """What the fake answers; tests change `failure` and `rows` to steer it."""

    url: str = ""
    failure: str | None = None  # http500 | not_json | wrong_shape | empty | slow | flaky
    flaky_failures: int = 2  # how many 503s "flaky" gives before answering
    delay: float = 3.0  # "slow" waits this long (or until the test ends)
    rows: list[dict] = field(default_factory=_default_rows)
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str]:
        failed = self._failure()
        if failed:
            return failed
        if path == "/json":
            return 200, "application/json", json.dumps(self._data(query))
        return 404, "text/plain", "Not Found"

    def _failure(self) -> tuple[int, str, str] | None:
        if self.failure == "slow":
            self.release.wait(self.delay)  # interruptible, so teardown never waits long
        if self.failure == "http500":
            return 500, "text/html", "<html><body>Internal Server Error</body></html>"
        if self.failure == "not_json":
            return 200, "text/html", "<html><body>Huoltokatko / maintenance</body></html>"
        if self.failure == "wrong_shape":
            return 200, "application/json", json.dumps({"error": "no such indicator"})
        if self.failure == "empty":
            return 200, "application/json", "[]"
        with self.lock:
            if self.failure == "flaky" and self.flaky_failures > 0:
                self.flaky_failures -= 1
                return 503, "text/plain", "Service Unavailable"
        return None

    def _data(self, query: dict[str, list[str]]) -> list[dict]:
        indicators = {int(i) for i in query.get("indicator", [])}
        years = {int(y) for y in query.get("years", [])}
        genders = set(query.get("genders", ["total", "male", "female"]))
        return [
            row
            for row in self.rows
            if row["indicator"] in indicators and row["year"] in years and row["gender"] in genders
        ]

    def json_requests(self) -> list[str]:
        return [request for request in self.requests if request.startswith("/json")]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        fake: FakeSotkanet = self.server.fake  # type: ignore[attr-defined]
        fake.requests.append(self.path)
        url = urlsplit(self.path)
        status, content_type, body = fake.answer(url.path, parse_qs(url.query))
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    # Track handler threads and join them on close, so no thread outlives its test.
    daemon_threads = False
    block_on_close = True


@pytest.fixture
def fake():
    state = FakeSotkanet()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = state  # type: ignore[attr-defined]
    state.url = f"http://127.0.0.1:{server.server_port}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English whatever translations are added later.
    with translation.override("en"):
        yield


@pytest.fixture
def client_fast(fake) -> SotkanetClient:
    client = SotkanetClient(base_url=fake.url, timeout=0.5)
    yield client
    client.close()


@pytest.fixture
def indicator(db):
    project = ProjectFactory(region=RegionFactory(sotkanet_id=OUR_REGION))
    return IndicatorFactory(
        project=project,
        source_system="sotkanet",
        source_id="1234",
        unit="percent",
        frequency="yearly",
    )


@pytest.fixture
def user(db):
    return programme_admin()


def _values(indicator) -> dict[date, Decimal]:
    return dict(Measurement.objects.filter(indicator=indicator).values_list("period", "value"))


def _snapshot() -> list[tuple]:
    return list(
        Measurement.objects.order_by("pk").values_list("pk", "period", "value", "source", "version")
    )


# --- Client ---------------------------------------------------------------------------------


def test_client_asks_one_years_parameter_per_year_and_parses_the_rows(fake, client_fast):
    # when
    rows = client_fast.data(1234, [2022, 2021, 2023])
    # then
    query = parse_qs(urlsplit(fake.json_requests()[0]).query)
    assert query == {"indicator": ["1234"], "years": ["2021", "2022", "2023"], "genders": ["total"]}
    assert len(rows) == 7
    assert {"indicator": 1234, "region": OUR_REGION, "year": 2021, "gender": "total"}.items() <= (
        rows[0].items()
    )
    assert rows[0]["value"] == Decimal("41.5")
    assert rows[2]["value"] is None


@pytest.mark.parametrize(
    ("region", "gender", "expected"),
    [
        (OUR_REGION, "total", [(2019, Decimal("30")), (2021, Decimal("41.5")), (2022, None)]),
        (OUR_REGION, "male", [(2021, Decimal("40.1"))]),
        (OTHER_REGION, "total", [(2021, Decimal("38"))]),
        (999, "total", []),
    ],
)
def test_rows_for_region_keeps_one_region_and_gender_ordered_by_year(region, gender, expected):
    # given rows as the client returns them, out of order
    rows = [
        {"indicator": 1, "region": OUR_REGION, "year": 2022, "gender": "total", "value": None},
        {
            "indicator": 1,
            "region": OUR_REGION,
            "year": 2021,
            "gender": "total",
            "value": Decimal("41.5"),
        },  # noqa: E501
        {
            "indicator": 1,
            "region": OUR_REGION,
            "year": 2019,
            "gender": "total",
            "value": Decimal("30"),
        },  # noqa: E501
        {
            "indicator": 1,
            "region": OUR_REGION,
            "year": 2021,
            "gender": "male",
            "value": Decimal("40.1"),
        },  # noqa: E501
        {
            "indicator": 1,
            "region": OTHER_REGION,
            "year": 2021,
            "gender": "total",
            "value": Decimal("38"),
        },  # noqa: E501
    ]
    # when / then
    assert rows_for_region(rows, region, gender=gender) == expected


# --- Import from the API ----------------------------------------------------------------------


def test_import_creates_sotkanet_values_for_the_hanke_region_only(indicator, user, client_fast):
    # when
    result = sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert (result.created, result.updated, result.unchanged, result.skipped) == (2, 0, 0, 1)
    assert result.errors == []
    assert _values(indicator) == {
        date(2021, 12, 31): Decimal("41.5"),
        date(2022, 12, 31): Decimal("43.2"),
    }
    for measurement in Measurement.objects.filter(indicator=indicator):
        assert measurement.source == "sotkanet"
        assert measurement.note == SOTKANET_NOTE
        assert measurement.entered_by == user
    assert "Created: 2" in result.summary()


def test_a_second_import_of_the_same_data_writes_nothing(indicator, user, client_fast):
    # given
    sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    before, history = _snapshot(), Measurement.history.count()
    # when
    result = sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 2, 1)
    assert _snapshot() == before
    assert Measurement.history.count() == history


def test_a_changed_sotkanet_value_updates_the_measurement(fake, indicator, user, client_fast):
    # given
    sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    fake.rows[1] = _row(OUR_REGION, 2022, 44.0)  # THL revised 2022
    # when
    result = sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _values(indicator)[date(2022, 12, 31)] == Decimal("44.0")
    assert Measurement.objects.get(indicator=indicator, period=date(2022, 12, 31)).version == 2


@pytest.mark.parametrize(
    ("failure", "phrase"),
    [
        ("http500", "Sotkanet answered /json with HTTP error 500."),
        ("not_json", "Sotkanet answered /json with something other than JSON."),
        ("wrong_shape", "unexpected shape: expected a list, got an object"),
        ("slow", "Sotkanet did not answer /json within 0.5 seconds."),
    ],
)
def test_a_failing_sotkanet_raises_a_clear_error_and_changes_nothing(
    fake, indicator, user, client_fast, failure, phrase
):
    # given a value entered earlier
    measurement_save(indicator=indicator, period=date(2021, 12, 31), raw_value="10", actor=user)
    before = _snapshot()
    fake.failure = failure
    # when
    with pytest.raises(SotkanetError) as caught:
        sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert phrase in str(caught.value)
    assert caught.value.path == "/json"
    assert _snapshot() == before


def test_a_malformed_row_in_the_answer_is_reported_with_its_number(fake, indicator, user):
    # given
    fake.rows = [_row(OUR_REGION, 2021, 41.5), {**_row(OUR_REGION, 2022, 43.2), "value": "n/a"}]
    client = SotkanetClient(base_url=fake.url, timeout=0.5)
    # when
    with pytest.raises(SotkanetError) as caught:
        sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client)
    # then
    assert "row 2: value 'n/a' is not a number" in str(caught.value)
    assert Measurement.objects.count() == 0


def test_an_unreachable_sotkanet_raises_a_clear_error(indicator, user):
    # given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SotkanetClient(base_url=f"http://127.0.0.1:{port}/rest/1.1/", timeout=0.5)
    # when
    with pytest.raises(SotkanetError) as caught:
        sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client)
    # then
    assert str(caught.value) == (
        "Sotkanet could not be reached at /rest/1.1/json (the connection failed)."
    )
    assert Measurement.objects.count() == 0


def test_gateway_errors_are_retried_twice(fake, indicator, user, client_fast):
    # given two 503s before the answer
    fake.failure, fake.flaky_failures = "flaky", 2
    # when
    result = sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert result.created == 2
    assert len(fake.json_requests()) == 3


def test_gateway_errors_beyond_the_retries_raise(fake, indicator, user, client_fast):
    # given
    fake.failure, fake.flaky_failures = "flaky", 10
    # when
    with pytest.raises(SotkanetError, match="HTTP error 503"):
        sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert len(fake.json_requests()) == 3
    assert Measurement.objects.count() == 0


def test_an_empty_answer_imports_nothing_and_says_so(fake, indicator, user, client_fast):
    # given
    fake.failure = "empty"
    # when
    result = sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert result.counts() == {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    assert result.errors == []
    assert "No values for the hanke's region were found" in result.summary()
    assert Measurement.objects.count() == 0


def test_a_value_the_unit_refuses_writes_nothing_at_all(fake, indicator, user, client_fast):
    # given a percentage above 100 for 2022 (2021 alone would be fine)
    fake.rows[1] = _row(OUR_REGION, 2022, 143.2)
    # when
    result = sotkanet_import(indicator=indicator, years=YEARS, actor=user, client=client_fast)
    # then
    assert result.errors == ["year 2022: A percentage must be between 0 and 100."]
    assert result.created == 0
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"source_system": "manual"}, "is not a Sotkanet indicator"),
        ({"source_id": ""}, "has no numeric Sotkanet indicator id"),
        ({"region_id": None}, "has no Sotkanet region id"),
    ],
)
def test_an_indicator_not_set_up_for_sotkanet_is_refused(indicator, user, change, phrase):
    # given
    if "region_id" in change:
        indicator.project.region.sotkanet_id = None
        indicator.project.region.save()
    else:
        for name, value in change.items():
            setattr(indicator, name, value)
    # when / then (no client is needed: nothing is fetched)
    with pytest.raises(SotkanetError, match=phrase):
        sotkanet_import(indicator=indicator, years=YEARS, actor=user)


# --- Import from a file -----------------------------------------------------------------------

CSV_OK = """indicator;region;year;gender;value
1234;833;2021;total;41,5
1234;833;2022;total;43,2
1234;833;2022;male;42,0
1234;834;2021;total;38,0
1234;833;2023;total;
"""


def test_a_json_file_in_the_api_shape_is_imported(indicator, user):
    # given
    text = json.dumps([r for r in _default_rows() if r["year"] in YEARS])
    # when
    result = sotkanet_file_import(
        indicator=indicator, uploaded_text=text, filename="sotkanet.json", actor=user
    )
    # then
    assert (result.created, result.skipped, result.errors) == (2, 1, [])
    assert _values(indicator) == {
        date(2021, 12, 31): Decimal("41.5"),
        date(2022, 12, 31): Decimal("43.2"),
    }
    assert set(Measurement.objects.values_list("source", flat=True)) == {"sotkanet"}


def test_a_csv_file_with_decimal_commas_is_imported(indicator, user):
    # when
    result = sotkanet_file_import(
        indicator=indicator, uploaded_text="\ufeff" + CSV_OK, filename="SOTKANET.CSV", actor=user
    )
    # then
    assert (result.created, result.skipped, result.errors) == (2, 1, [])
    assert _values(indicator) == {
        date(2021, 12, 31): Decimal("41.5"),
        date(2022, 12, 31): Decimal("43.2"),
    }


def test_a_csv_file_with_one_bad_row_writes_nothing_and_names_the_row(indicator, user):
    # given
    text = "indicator;region;year;gender;value\n1234;833;2021;total;41,5\n1234;833;x;total;43,2\n"
    # when
    result = sotkanet_file_import(
        indicator=indicator, uploaded_text=text, filename="data.csv", actor=user
    )
    # then
    assert result.errors == ["row 3: year 'x' is not a number"]
    assert result.created == 0
    assert "Nothing was imported: 1 problem was found." == result.summary()
    assert Measurement.objects.count() == 0


def test_a_file_row_outside_the_hanke_is_refused_with_its_row_number(indicator, user):
    # given 2019 ends before the hanke starts (1.4.2020)
    text = "indicator;region;year;gender;value\n1234;833;2019;total;30\n1234;833;2021;total;41,5\n"
    # when
    result = sotkanet_file_import(
        indicator=indicator, uploaded_text=text, filename="data.csv", actor=user
    )
    # then
    assert len(result.errors) == 1
    assert result.errors[0].startswith("row 2: The period must fall between")
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    ("filename", "text", "error"),
    [
        ("data.csv", "indicator;region;year;value\n1234;833;2021;4\n", "missing: gender"),
        ("data.json", "{not json", "The file is not valid JSON"),
        ("data.json", '{"rows": []}', "must hold a list of rows"),
        ("data.xlsx", "", "must be a .json or a .csv file"),
        (
            "data.csv",
            "indicator;region;year;gender;value\n9999;833;2021;total;4\n",
            "row 2: indicator 9999 is not this indicator's Sotkanet id 1234",
        ),
        (
            "data.csv",
            "indicator;region;year;gender;value\n1234;833;2021;total;4\n1234;833;2021;total;5\n",
            "row 3: year 2021 for region 833 is given twice (also row 2)",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_error(indicator, user, filename, text, error):
    # when
    result = sotkanet_file_import(
        indicator=indicator, uploaded_text=text, filename=filename, actor=user
    )
    # then
    assert any(error in message for message in result.errors), result.errors
    assert Measurement.objects.count() == 0


# --- Management command -----------------------------------------------------------------------


def test_the_command_imports_from_sotkanet_and_prints_counts(fake, indicator, settings):
    # given
    settings.SOTKANET_BASE_URL = fake.url
    out = StringIO()
    # when
    call_command(
        "import_sotkanet",
        "--indicator",
        str(indicator.pk),
        "--years",
        "2021",
        "2022",
        "2023",
        stdout=out,
    )
    # then
    assert "Created: 2, updated: 0, unchanged: 0, without a value: 1." in out.getvalue()
    assert Measurement.objects.filter(indicator=indicator, source="sotkanet").count() == 2


def test_the_command_imports_a_file(indicator, tmp_path):
    # given
    path = tmp_path / "sotkanet.csv"
    path.write_text(CSV_OK, encoding="utf-8")
    programme_admin(username="tuoja")
    out = StringIO()
    # when
    call_command(
        "import_sotkanet",
        "--indicator",
        str(indicator.pk),
        "--file",
        str(path),
        "--user",
        "tuoja",
        stdout=out,
    )
    # then
    assert "Created: 2" in out.getvalue()
    assert set(Measurement.objects.values_list("entered_by__username", flat=True)) == {"tuoja"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "2021"], "Sotkanet answered /json with HTTP error 500."),
        ([], "Give --years"),
    ],
)
def test_the_command_fails_with_a_clear_message(fake, indicator, settings, args, message):
    # given
    settings.SOTKANET_BASE_URL = fake.url
    fake.failure = "http500"
    # when / then
    with pytest.raises(CommandError, match=message):
        call_command("import_sotkanet", "--indicator", str(indicator.pk), *args)
    assert Measurement.objects.count() == 0


def test_the_command_names_a_missing_indicator(db):
    with pytest.raises(CommandError, match="No indicator with id 999999"):
        call_command("import_sotkanet", "--indicator", "999999", "--years", "2021")


# --- Task, job and admin action ---------------------------------------------------------------


def _job(indicator, user) -> Job:
    params = {"indicator_id": indicator.pk, "years": YEARS}
    return job_create(kind="sotkanet_import", actor=user, params=params)


def test_the_task_runs_the_job_and_records_the_counts(fake, indicator, user, settings):
    # given
    settings.SOTKANET_BASE_URL = fake.url
    job = _job(indicator, user)
    # when
    summary = sotkanet_import_task.run(job.pk)
    # then
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.summary == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1}
    assert job.message.startswith("Created: 2")
    assert job.started_at and job.finished_at
    assert summary["status"] == "done"
    assert Measurement.objects.filter(indicator=indicator, entered_by=user).count() == 2


def test_the_task_records_a_sotkanet_failure_on_the_job(fake, indicator, user, settings):
    # given
    settings.SOTKANET_BASE_URL = fake.url
    fake.failure = "not_json"
    job = _job(indicator, user)
    # when
    sotkanet_import_task.apply(args=[job.pk])
    # then
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Sotkanet answered /json with something other than JSON."
    assert Measurement.objects.count() == 0


def test_the_task_does_not_run_a_finished_job_again(fake, indicator, user, settings):
    # given
    settings.SOTKANET_BASE_URL = fake.url
    job = _job(indicator, user)
    sotkanet_import_task.run(job.pk)
    # when
    summary = sotkanet_import_task.run(job.pk)
    # then
    assert summary == {"job": job.pk, "status": "skipped"}
    assert len(fake.json_requests()) == 1


def test_starting_an_import_queues_the_task_after_commit(
    fake, indicator, user, settings, django_capture_on_commit_callbacks
):
    # given
    settings.SOTKANET_BASE_URL = fake.url
    # when (tasks run eagerly without REDIS_URL)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = sotkanet_import_start(indicator=indicator, years=[2023, 2021, 2022], actor=user)
        assert fake.json_requests() == []  # nothing is fetched before the commit
    # then
    job.refresh_from_db()
    assert callbacks
    assert job.parameters == {"indicator_id": indicator.pk, "years": YEARS}
    assert job.status == JobStatus.DONE
    assert job.summary["created"] == 2


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 23), [2021, 2022, 2023, 2024, 2025]),
        (date(2022, 5, 1), [2020, 2021]),
        (date(2020, 6, 1), []),
    ],
)
def test_default_years_are_the_last_five_full_years_within_the_span(indicator, today, expected):
    # the hanke runs 1.4.2020–31.12.2023 within the programme 2020–2025
    assert sotkanet_default_years(indicator, today=today) == expected


def test_the_admin_action_queues_sotkanet_indicators_and_explains_the_skipped(
    client, indicator, settings, django_capture_on_commit_callbacks
):
    # given
    manual = IndicatorFactory(project=indicator.project, source_system="manual", code="M1")
    admin = UserFactory(username="paakayttaja", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("admin:measures_indicator_changelist")
    # when (the queued task itself is covered above)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url, {"action": "import_from_sotkanet", "_selected_action": [indicator.pk, manual.pk]}
        )
    # then
    assert response.status_code == 302
    job = Job.objects.get(kind="sotkanet_import")
    assert job.owner == admin
    assert job.parameters["indicator_id"] == indicator.pk
    assert job.parameters["years"] == sotkanet_default_years(indicator, today=timezone.localdate())
    assert len(callbacks) == 1
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("1 Sotkanet import was queued" in text for text in texts)
    assert any("Skipped 1: M1: M1 is not a Sotkanet indicator." in text for text in texts)
