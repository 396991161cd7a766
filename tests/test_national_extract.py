"""The national extract for THL: snapshot vs live rows, cut-off, formats, access, query count."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from measures.models import Measurement
from measures.status_engine import status_recompute_projects
from portal.models import Job
from reporting.exports.national import NATIONAL_TABLES
from reporting.exports.national import extract_csv
from reporting.exports.national import extract_xlsx
from reporting.exports.national import national_extract

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProjectFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory
from .factories import recorded_on
from .helpers import assessment_submit
from .helpers import status_report

pytestmark = pytest.mark.django_db
CUT_OFF = date(2023, 3, 31)


@pytest.fixture
def period(personas):
    return ReportingPeriodFactory(
        programme=personas.project.programme, name="Väliarviointi 4/2023", cut_off=CUT_OFF
    )


def _hanke_with_work(project, manager, *, number: str):
    """A package with an action started before the cut-off and finished after it; an
    indicator with one value entered before and one after the cut-off."""
    with recorded_on(date(2023, 1, 2)):
        package = WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut")
        action = ActionFactory(
            project=project,
            work_package=package,
            number=number,
            title_fi=f"Neuvonta {number}",
            status="not_started",
            planned_end=date(2023, 12, 31),
        )
        indicator = IndicatorFactory(
            project=project, code="M1", baseline_value=10, targets={date(2023, 12, 31): 90}
        )
    with recorded_on(date(2023, 2, 1)):
        status_report(
            action, manager, "in_progress", date(2023, 2, 1), "Käynnistetty", today=date(2023, 2, 1)
        )
    with recorded_on(date(2023, 1, 15)):
        MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), value=Decimal("40.5"))
    with recorded_on(date(2023, 7, 5)):  # after the cut-off
        MeasurementFactory(indicator=indicator, period=date(2023, 6, 30), value=60)
    return package, action, indicator


@pytest.fixture
def world(personas, period):
    """Two hankkeet of the programme: `submitted` (snapshot) and `live` (no submission)."""
    submitted = personas.project
    package, action_a, indicator_a = _hanke_with_work(
        submitted, personas.project_manager, number="1.1"
    )
    live = personas.other_project
    _p, action_b, _i = _hanke_with_work(live, personas.programme_admin, number="2.1")
    status_recompute_projects(project_ids=[submitted.pk, live.pk], today=date(2023, 4, 5))
    assessment_submit(
        personas.project_manager, period, submitted, summaries={package.pk: "Hyvin etenee"}
    )
    # Later edits in both hankkeet: the action is finished after the cut-off.
    for action, actor in (
        (action_a, personas.project_manager),
        (action_b, personas.programme_admin),
    ):
        action.refresh_from_db()
        with recorded_on(date(2023, 5, 2)):
            status_report(action, actor, "done", date(2023, 5, 2), "Valmis", today=date(2023, 5, 2))
    return {"submitted": submitted, "live": live, "period": period}


def _extract(personas, period):
    with translation.override("en"):
        return national_extract(period=period, user=personas.ministry_viewer)


def test_submitted_hanke_comes_from_its_snapshot_and_others_live_as_of_cut_off(personas, world):
    # given one submitted hanke and one without a submission, both edited after the cut-off
    # when the extract of the round is read
    extract = _extract(personas, world["period"])
    # then each hanke says where its rows come from
    sources = {row.hanke_id: row.source for row in extract.hankkeet}
    assert sources == {world["submitted"].pk: "snapshot", world["live"].pk: "live"}
    by_hanke = {row.hanke_id: row for row in extract.actions}
    frozen, live = by_hanke[world["submitted"].pk], by_hanke[world["live"].pk]
    # and both show the status at the cut-off, not the later "done"
    assert (frozen.source, frozen.status, frozen.status_comment) == (
        "snapshot",
        "In progress",
        "Käynnistetty",
    )
    assert (live.source, live.status, live.status_date) == ("live", "In progress", date(2023, 2, 1))
    # the live light is judged on the cut-off day: in progress, not yet late
    assert live.light.light == "yellow"
    assert live.light.label == "In progress"


def test_measurements_after_the_cut_off_are_left_out(personas, world):
    extract = _extract(personas, world["period"])
    for hanke in (world["submitted"], world["live"]):
        rows = [r for r in extract.measurements if r.hanke_id == hanke.pk]
        assert [(r.period, r.value) for r in rows] == [(date(2022, 12, 31), Decimal("40.5"))]
    counts = {row.hanke_id: (row.actions, row.measurement_rows) for row in extract.hankkeet}
    assert counts == {world["submitted"].pk: (1, 1), world["live"].pk: (1, 1)}


def test_every_measurement_row_names_its_source_and_a_generated_one_as_such(personas, world):
    # given a live hanke whose value is one the demo loader generated (source "demo")
    for measurement in Measurement.objects.filter(indicator__project=world["live"]):
        with recorded_on(date(2023, 1, 20)):  # as the history recorded it, before the cut-off
            measurement.source = "demo"
            measurement.save()
    # when the extract is read
    extract = _extract(personas, world["period"])
    # then its row says so; the submitted hanke's row keeps the source it was frozen with
    sources = {r.hanke_id: r.measurement_source for r in extract.measurements}
    assert sources == {
        world["live"].pk: "Demo value (generated, not real)",
        world["submitted"].pk: "Entered by hand",
    }
    with translation.override("fi"):
        rows = extract_csv(extract, "measurements").decode().splitlines()
    assert "Arvon lähde" in rows[0] or "Source of the value" in rows[0]


def test_what_was_recorded_after_the_cut_off_is_not_in_the_round(personas, world):
    """An action imported, a value corrected and a status backdated after the cut-off: the
    extract of the round is the same as before them (only the generation time differs)."""
    live = world["live"]
    before = _extract(personas, world["period"])
    with recorded_on(date(2023, 4, 3)):
        ActionFactory(project=live, work_package=live.work_packages.get(), number="9.9")
        measurement = live.indicators.get().measurements.get(period=date(2022, 12, 31))
        measurement.value = Decimal("12.0")
        measurement.save()
    again = _extract(personas, world["period"])
    assert again.actions == before.actions and again.measurements == before.measurements
    assert again.hankkeet == before.hankkeet
    row = next(r for r in again.measurements if r.hanke_id == live.pk)
    assert row.value == Decimal("40.5")  # the value as it stood on the cut-off


def test_an_indicator_without_values_still_has_a_row(personas, world):
    with recorded_on(date(2023, 3, 1)):
        IndicatorFactory(project=world["live"], code="M9", name_fi="Tyhjä")
    extract = _extract(personas, world["period"])
    empty = [r for r in extract.measurements if r.indicator_code == "M9"]
    assert len(empty) == 1 and empty[0].period is None and empty[0].value is None
    assert empty[0].light.label == "No assessment"


def test_workbook_has_a_sheet_per_table_with_frozen_headers_and_widths(personas, world):
    # given the extract
    extract = _extract(personas, world["period"])
    # when written as a workbook and read back
    with translation.override("en"):
        book = load_workbook(io.BytesIO(extract_xlsx(extract)))
    # then a title sheet and one sheet per table, each with a frozen bold header row
    assert book.sheetnames == ["Extract", "Hankkeet", "Actions", "Indicator measurements"]
    assert book["Extract"]["B1"].value == "Väliarviointi 4/2023"
    actions = book["Actions"]
    headers = [c.value for c in actions[1]]
    assert headers[:5] == ["Region code", "Region", "Hanke id", "Hanke", "Data source"]
    assert "Status at cut-off" in headers and "Light symbol" in headers
    assert actions.freeze_panes == "A2" and actions["A1"].font.bold
    assert actions.column_dimensions["D"].width >= len("Hanke") + 2
    rows = {r[headers.index("Hanke id")]: r for r in actions.iter_rows(min_row=2, values_only=True)}
    assert rows[world["submitted"].pk][headers.index("Data source")] == "snapshot"
    assert rows[world["live"].pk][headers.index("Planned end")].date() == date(2023, 12, 31)
    measurements = book["Indicator measurements"]
    assert measurements.max_row == 3  # header and one value per hanke
    # numbers and dates are typed cells with Excel formats that follow the reader's locale
    heads = [c.value for c in measurements[1]]
    value = measurements.cell(row=2, column=heads.index("Value") + 1)
    assert value.data_type == "n" and value.number_format.startswith("#,##0")
    hanke_id = actions.cell(row=2, column=headers.index("Hanke id") + 1)
    assert hanke_id.data_type == "n" and hanke_id.number_format == "0"
    planned_end = actions.cell(row=2, column=headers.index("Planned end") + 1)
    assert planned_end.is_date and planned_end.number_format == "mm-dd-yy"
    assert book["Extract"]["B2"].is_date and book["Extract"]["B2"].number_format == "mm-dd-yy"


@pytest.mark.parametrize("key", list(NATIONAL_TABLES))
def test_csv_has_the_same_columns_as_the_workbook(personas, world, key):
    extract = _extract(personas, world["period"])
    with translation.override("en"):
        book = load_workbook(io.BytesIO(extract_xlsx(extract)))
        text = extract_csv(extract, key).decode("utf-8")
        sheet = book[str(NATIONAL_TABLES[key].title)]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [c.value for c in sheet[1]]
    assert len(rows) == sheet.max_row


def test_finnish_excel_csv_has_semicolons_a_bom_and_finnish_formats(personas, world):
    extract = _extract(personas, world["period"])
    with translation.override("en"):
        content = extract_csv(extract, "measurements", semicolon=True, bom=True)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, first = rows[0], rows[1]
    assert first[header.index("Period end")] == "31.12.2022"
    assert first[header.index("Value")] == "40,5"


def test_query_count_does_not_grow_with_hankkeet(personas, period, django_assert_max_num_queries):
    # given five more hankkeet with work, none submitted
    for n in range(5):
        project = ProjectFactory(programme=personas.project.programme)
        _hanke_with_work(project, personas.programme_admin, number=f"{n}.1")
    # when the extract is read, then a fixed number of queries (the hankkeet, assessments,
    # snapshots; the lights of the cut-off: kept ones, else the history (thirteen) and one
    # insert; the actions, packages, their order and status updates; the indicators, their
    # order and measurements)
    with django_assert_max_num_queries(27):
        extract = national_extract(period=period, user=personas.ministry_viewer)
    assert len(extract.actions) == 5


# --- The page and the job -------------------------------------------------------------------


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_viewer_requests_the_extract_and_downloads_it_when_ready(
    client, personas, world, django_capture_on_commit_callbacks
):
    # given the ministry viewer on the extract page
    _english(client, personas.ministry_viewer)
    url = reverse("reporting:national-extract")
    assert "Reporting round" in client.get(url).content.decode()
    # when they ask for the workbook (the job runs when the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"period": world["period"].pk, "format": "xlsx"})
    # then they land on the job's page, the job is done, and the file is the workbook
    job = Job.objects.get()
    assert response["Location"] == reverse("reporting:export-job-detail", args=[job.pk])
    assert (job.kind, job.status, job.owner) == (
        "national",
        "done",
        personas.ministry_viewer,
    )
    page = client.get(response["Location"]).content.decode()
    assert reverse("reporting:export-job-download", args=[job.pk]) in page
    download = client.get(reverse("reporting:export-job-download", args=[job.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="kansallinen-poiminta-')
    book = load_workbook(io.BytesIO(download.content))
    assert "Actions" in book.sheetnames  # in the requester's language


def test_csv_options_are_kept_on_the_job(
    client, personas, world, django_capture_on_commit_callbacks
):
    _english(client, personas.programme_admin)
    data = {
        "period": world["period"].pk,
        "format": "csv",
        "table": "actions",
        "sep": "semicolon",
        "bom": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:national-extract"), data)
    job = Job.objects.get()
    assert job.parameters == {
        "format": "csv",
        "table": "actions",
        "semicolon": True,
        "bom": True,
        "period": world["period"].pk,
    }
    content = bytes(job.content)
    assert content.startswith(b"\xef\xbb\xbf") and b";Data source;" in content
    assert job.filename.startswith("kansallinen-poiminta-valiarviointi-42023-actions-")
    assert job.filename.endswith(".csv") and job.content_type.startswith("text/csv")


@pytest.mark.parametrize("who", ["steering_member", "project_manager", "outsider"])
def test_hanke_roles_may_not_request_the_extract(client, personas, world, who):
    client.force_login(getattr(personas, who))
    response = client.post(
        reverse("reporting:national-extract"), {"period": world["period"].pk, "format": "xlsx"}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize(("who", "shown"), [("ministry_viewer", True), ("project_manager", False)])
def test_overview_links_the_extract_for_programme_roles(client, personas, who, shown):
    _english(client, getattr(personas, who))
    page = client.get(reverse("reporting:overview")).content.decode()
    assert (reverse("reporting:national-extract") in page) is shown
