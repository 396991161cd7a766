"""Generated figures are marked where they are shown (issue 15, point 1).

The demo loader generates values (source "demo") for indicators the plans give none for.
Wherever such a value is shown, or a light rests on one, the portal says so: the indicator
list and cards, the goal page, the indicator page and its chart (a trace of its own, "demo,
generated"), the comparison, the PDF (its SVG chart too), the regional XLSX/CSV (a source
column), the national extract, the API; a generated value is never imported back as real.
`generated_values_remove` deletes them all at once, with history.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from measures.charts import indicator_chart_texts
from measures.charts import indicator_figure
from measures.models import CurrentLight
from measures.models import DayLight
from measures.models import Indicator
from measures.models import Measurement
from measures.models import RollupKind
from measures.selectors import indicator_cards
from measures.selectors import with_latest_source
from measures.services import GENERATED_REMOVED_REASON
from measures.services import generated_values_remove
from measures.status_engine import lights_on
from measures.status_engine import status_recompute_projects
from reporting.exports.chart_images import static_charts
from reporting.exports.tables import project_report
from reporting.exports.tables import report_csv
from reporting.imports.reader import is_generated_source
from reporting.overview.charts import indicator_comparison_figure
from reporting.overview.compare import IndicatorKey
from reporting.overview.compare import compare_by_indicator

from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProcessGoalFactory
from .factories import ProjectFactory
from .factories import recorded_on

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


def _indicator(project, code: str, sources: list[str]) -> Indicator:
    """An indicator with a baseline, a 2023 target and one value per source, yearly."""
    indicator = IndicatorFactory(
        project=project,
        code=code,
        unit="percent",
        baseline_value=Decimal(50),
        baseline_date=date(2020, 12, 31),
        targets={date(2023, 12, 31): Decimal(80)},
    )
    for year, source in enumerate(sources, start=2021):
        MeasurementFactory(
            indicator=indicator,
            period=date(year, 12, 31),
            value=Decimal(55 + 5 * (year - 2021)),
            source=source,
        )
    return indicator


@pytest.fixture
def hanke(personas):
    """Three indicators of one hanke: latest value generated, latest value real (after a
    generated one), and real only; lights computed."""
    project = personas.project
    generated = _indicator(project, "G1", ["plan", "demo"])
    mixed = _indicator(project, "M1", ["demo", "manual"])
    real = _indicator(project, "R1", ["plan", "sotkanet"])
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    return generated, mixed, real


def _marks(html: str, what: str) -> int:
    return html.count(f'data-generated="{what}"')


# --- Reading which value a light rests on ------------------------------------------------


def test_latest_source_is_the_source_of_the_value_the_light_rests_on(hanke):
    generated, mixed, real = hanke
    rows = {i.code: i for i in with_latest_source(Indicator.objects.all())}
    assert rows["G1"].latest_source == "demo" and rows["G1"].latest_generated
    assert rows["M1"].latest_source == "manual" and not rows["M1"].latest_generated
    assert rows["R1"].latest_source == "sotkanet" and not rows["R1"].latest_generated


def test_latest_source_costs_no_query_of_its_own(hanke, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(with_latest_source(Indicator.objects.select_related("progress")))
        assert [i.latest_generated for i in sorted(rows, key=lambda i: i.code)] == [
            True,
            False,
            False,
        ]


def test_before_the_engine_runs_nothing_is_marked(personas):
    _indicator(personas.project, "G1", ["demo"])
    (row,) = with_latest_source(Indicator.objects.all())
    assert row.latest_source is None and not row.latest_generated


# --- Pages ---------------------------------------------------------------------------------


def test_indicator_list_marks_generated_latest_values_and_their_lights(client, personas, hanke):
    client.force_login(personas.steering_member)
    html = client.get(reverse("measures:indicator-list", args=[personas.project.pk])).content
    html = html.decode()
    # one indicator rests on a generated value: its value and its light are marked, in words
    assert _marks(html, "value") == 1 and _marks(html, "light") == 1
    assert "demo, generoitu" in html  # Finnish by default
    assert "data-generated-help" in html  # the one explanation below the table
    row = html[html.index("G1 ") : html.index("M1 ")]
    assert 'data-generated="value"' in row and 'data-generated="light"' in row


def test_nothing_is_marked_without_generated_values(client, personas):
    _indicator(personas.project, "R1", ["plan", "manual"])
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    client.force_login(personas.steering_member)
    html = client.get(reverse("measures:indicator-list", args=[personas.project.pk])).content
    assert b"data-generated" not in html


def test_goal_page_marks_the_indicator_table(client, personas, hanke):
    generated, _mixed, real = hanke
    goal = ProcessGoalFactory(work_package__project=personas.project)
    goal.indicators.set([generated, real])
    client.force_login(personas.steering_member)
    html = client.get(reverse("objectives:goal-detail", args=[goal.pk])).content.decode()
    assert _marks(html, "value") == 1 and _marks(html, "light") == 1


def test_cards_mark_the_latest_value_and_the_light(personas, hanke):
    cards = {
        c.code: c for c in indicator_cards(user=personas.steering_member, project=hanke[0].project)
    }
    assert cards["G1"].latest_generated and cards["G1"].light_generated
    assert cards["G1"].generated_count == 1
    # a real value after a generated one: the card's latest value and light are real
    assert not cards["M1"].latest_generated and not cards["M1"].light_generated
    assert cards["M1"].generated_count == 1
    assert not cards["R1"].generated


def test_hanke_page_cards_say_so_in_words_and_in_the_chart_summary(client, personas, hanke):
    client.force_login(personas.steering_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    url = reverse("objectives:hanke", args=[personas.project.pk])
    html = client.get(url, {"kortit": 1}).content.decode()
    cards = html[html.index('id="indicator-cards"') :]
    assert _marks(cards, "value") == 1 and _marks(cards, "light") == 1
    assert "demo, genererad" in cards
    assert "1 värde har genererats för demon, inte uppmätt." in cards  # the sparkline title


def test_indicator_page_marks_the_light_and_each_generated_value(client, personas, hanke):
    generated = hanke[0]
    client.force_login(personas.steering_member)
    url = reverse("measures:indicator-detail", args=[generated.pk])
    html = client.get(url).content.decode()
    assert _marks(html, "light") == 1
    assert _marks(html, "value") == 1  # the one generated row of the values table


def test_indicator_page_query_count_is_unchanged(
    client, personas, hanke, django_assert_max_num_queries
):
    client.force_login(personas.steering_member)
    url = reverse("measures:indicator-detail", args=[hanke[0].pk])
    client.get(url)  # roles read once per session
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Charts ---------------------------------------------------------------------------------


def _traces(figure: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure["data"]}


@pytest.mark.parametrize(
    ("language", "measured", "generated"),
    [
        ("en", "Measured value", "demo, generated"),
        ("fi", "Mitattu arvo", "demo, generoitu"),
        ("sv", "Uppmätt värde", "demo, genererad"),
    ],
)
def test_chart_draws_generated_values_as_a_trace_of_their_own(hanke, language, measured, generated):
    indicator = Indicator.objects.prefetch_related("measurements", "targets").get(code="M1")
    with translation.override(language):
        figure = indicator_figure(indicator)
    traces = _traces(figure)
    assert traces[measured]["x"] == ["2022-12-31"]  # only the real value
    assert traces[generated]["x"] == ["2021-12-31"]  # the generated one, apart
    assert traces[generated]["marker"]["symbol"] == "circle-open"
    assert figure["generated"] == 1


def test_chart_of_only_generated_values_has_no_measured_trace(hanke):
    indicator = Indicator.objects.prefetch_related("measurements", "targets").get(code="G1")
    Measurement.objects.filter(indicator=indicator, source="plan").delete()
    indicator = Indicator.objects.prefetch_related("measurements", "targets").get(pk=indicator.pk)
    with translation.override("en"):
        names = set(_traces(indicator_figure(indicator)))
    assert "demo, generated" in names and "Measured value" not in names


def test_chart_of_real_values_is_as_before(hanke):
    indicator = Indicator.objects.prefetch_related("measurements", "targets").get(code="R1")
    with translation.override("en"):
        figure = indicator_figure(indicator)
    assert "demo, generated" not in _traces(figure) and figure["generated"] == 0


def test_indicator_page_chart_help_says_generated_values_are_drawn_apart(client, personas, hanke):
    client.force_login(personas.steering_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("measures:indicator-detail", args=[hanke[0].pk])).content.decode()
    assert "drawn apart, as “demo, generated”" in html
    assert '"name": "demo, generated"' in html  # the chart's JSON data block


def test_pdf_chart_has_a_legend_entry_and_says_so_in_its_text(hanke):
    indicator = Indicator.objects.prefetch_related("measurements", "targets").get(code="M1")
    with translation.override("fi"):
        figure = indicator_figure(indicator)
        (chart,) = static_charts([(figure, *indicator_chart_texts(indicator))])
    assert "demo, generoitu" in chart.svg and "Mitattu arvo" in chart.svg
    assert "niistä 1 generoitu esittelyä varten" in chart.description
    # the page's figure, drawn by Plotly: hollow rings on a dotted line, not dots
    assert "circle-open" in json.dumps(figure) and "stroke-dasharray" in chart.svg


def test_comparison_marks_generated_latest_values_lights_and_chart_points(personas):
    generated = _indicator(personas.project, "G1", ["plan", "demo"])
    real = _indicator(personas.other_project, "R1", ["plan", "manual"])
    Indicator.objects.filter(pk__in=[generated.pk, real.pk]).update(
        source_system="sotkanet", source_id="4123"
    )
    status_recompute_projects(
        project_ids=[personas.project.pk, personas.other_project.pk], today=TODAY
    )
    comparison = compare_by_indicator(
        user=personas.ministry_viewer, key=IndicatorKey("sotkanet", "4123")
    )
    rows = {row.indicator.code: row for row in comparison.rows}
    assert rows["G1"].latest_generated and rows["G1"].light_generated
    assert not rows["R1"].latest_generated and not rows["R1"].light_generated
    with translation.override("en"):
        figure = indicator_comparison_figure(comparison.rows)
    ringed = _traces(figure)["demo, generated"]
    assert ringed["x"] == ["2022-12-31"] and ringed["mode"] == "markers"
    assert figure["generated"] == 1


# --- Exports, PDF, import --------------------------------------------------------------------


def _csv_rows(project, user, language="en") -> list[dict]:
    with translation.override(language):
        report = project_report(project=project, user=user)
        data = report_csv(report, "indicators").decode()
    return list(csv.DictReader(io.StringIO(data)))


def test_regional_csv_has_the_source_of_each_value(personas, hanke):
    project = Indicator.objects.get(code="G1").project
    rows = _csv_rows(project, personas.programme_admin)
    sources = {(r["Indicator code"], r["Period end"]): r["Source of the value"] for r in rows}
    assert sources[("G1", "2021-12-31")] == "Figure printed in the plan"
    assert sources[("G1", "2022-12-31")] == "Demo value (generated, not real)"
    assert sources[("M1", "2022-12-31")] == "Entered by hand"
    assert sources[("R1", "2022-12-31")] == "Sotkanet"


def test_regional_csv_light_reason_says_it_rests_on_a_generated_value(personas, hanke):
    project = Indicator.objects.get(code="G1").project
    rows = _csv_rows(project, personas.programme_admin)
    reasons = {r["Indicator code"]: r["Reason for the light"] for r in rows}
    assert reasons["G1"].endswith(
        " – rests on a value generated for the demo, not on a measurement"
    )
    assert "generated" not in reasons["M1"] and "generated" not in reasons["R1"]


def test_regional_csv_in_finnish_names_the_column_and_the_source(personas, hanke):
    project = Indicator.objects.get(code="G1").project
    rows = _csv_rows(project, personas.programme_admin, "fi")
    assert "Demoarvo (generoitu, ei todellinen)" in {r["Arvon lähde"] for r in rows}


def test_workbook_indicators_sheet_has_the_source_column(client, personas, hanke):
    client.force_login(personas.programme_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reporting:project-report-xlsx", args=[personas.project.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Indicators"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Source of the value")
    assert "Demo value (generated, not real)" in {row[column] for row in rows[1:]}


def test_report_pdf_marks_generated_values_and_the_light(client, personas, hanke):
    client.force_login(personas.programme_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reporting:project-report-pdf", args=[personas.project.pk]))
    assert response.status_code == 200
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    # G1's light and value, M1's first value: in the value tables and the charts' legends
    assert text.count("demo, generated") >= 4
    assert "generated for the demo, not measured" in text  # the chart's caption


def test_an_exported_generated_value_is_not_imported_back_as_real():
    assert is_generated_source("Demo value (generated, not real)")
    assert is_generated_source("Demoarvo (generoitu, ei todellinen)")
    assert is_generated_source("demovärde (genererat, inte verkligt) ")
    assert is_generated_source("demo")
    assert not is_generated_source("Figure printed in the plan")
    assert not is_generated_source("")


# --- API ---------------------------------------------------------------------------------------


def test_api_measurements_carry_their_source(client, personas, hanke):
    client.force_login(personas.steering_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = client.get(reverse("api:measurement-list"), {"indicator": hanke[0].pk}).json()
    by_period = {row["period"]: row for row in rows["results"]}
    assert by_period["2022-12-31"]["source"] == "demo"
    assert by_period["2022-12-31"]["generated"] is True
    assert by_period["2022-12-31"]["source_label"] == "Demo value (generated, not real)"
    assert by_period["2021-12-31"]["generated"] is False
    assert by_period["2021-12-31"]["source_label"] == "Figure printed in the plan"


def test_api_indicators_say_whether_their_latest_value_is_generated(client, personas, hanke):
    client.force_login(personas.steering_member)
    rows = client.get(reverse("api:indicator-list"), {"project": personas.project.pk}).json()
    progress = {row["code"]: row["progress"] for row in rows["results"]}
    assert progress["G1"]["latest_generated"] is True
    assert progress["G1"]["latest_source"] == "demo"
    assert progress["M1"]["latest_generated"] is False
    assert progress["M1"]["latest_source"] == "manual"
    detail = client.get(reverse("api:indicator-detail", args=[hanke[0].pk])).json()
    assert detail["progress"]["latest_generated"] is True


def test_api_indicator_list_reads_the_sources_without_more_queries(
    client, personas, django_assert_max_num_queries
):
    for index in range(8):
        _indicator(ProjectFactory(), f"G{index}", ["plan", "demo"])
    project_ids = Indicator.objects.values_list("project_id", flat=True)
    status_recompute_projects(project_ids=list(project_ids), today=TODAY)
    client.force_login(personas.programme_admin)
    client.get(reverse("api:indicator-list"))
    with django_assert_max_num_queries(9):
        rows = client.get(reverse("api:indicator-list")).json()["results"]
    assert all(row["progress"]["latest_generated"] for row in rows)


# --- Removing every generated value ---------------------------------------------------------


def test_remove_deletes_generated_values_only_with_history_and_dirty_lights(
    personas, hanke, django_capture_on_commit_callbacks
):
    project = personas.project
    with django_capture_on_commit_callbacks(execute=False) as queued:
        removed = generated_values_remove(actor=personas.programme_admin)
    assert removed.measurements == 2 and removed.project_ids == (project.pk,)
    assert not Measurement.objects.filter(source="demo").exists()
    assert Measurement.objects.count() == 4  # plan, entered and Sotkanet values stay
    deleted = Measurement.history.filter(history_type="-")
    assert deleted.count() == 2
    assert {h.history_change_reason for h in deleted} == {GENERATED_REMOVED_REASON}
    assert {h.history_user for h in deleted} == {personas.programme_admin}
    project.refresh_from_db()
    assert project.status_dirty_at is not None and len(queued) == 1  # the recomputation
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    rows = {i.code: i for i in with_latest_source(Indicator.objects.select_related("progress"))}
    assert not any(row.latest_generated for row in rows.values())
    assert rows["G1"].progress.latest_period == date(2021, 12, 31)  # the plan figure


def test_remove_is_for_the_programme_office(personas, hanke):
    with pytest.raises(PermissionDenied):
        generated_values_remove(actor=personas.project_manager)
    assert Measurement.objects.filter(source="demo").count() == 2


# --- Rollups whose reason counts a light resting on a generated value ----------------------


def _params(kind: str, object_id: int) -> dict:
    return CurrentLight.objects.get(kind=kind, object_id=object_id, ht=0).reason_params


def _goal_with_indicators(project):
    """A goal followed by an indicator whose latest value is generated and a real one."""
    goal = ProcessGoalFactory(work_package__project=project, project=project)
    _indicator(project, "G1", ["plan", "demo"]).goals.add(goal)
    _indicator(project, "R1", ["plan", "sotkanet"]).goals.add(goal)
    return goal


def test_every_rollup_above_a_generated_light_counts_it_up_to_the_programme(personas):
    project = personas.project
    goal = _goal_with_indicators(project)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    for kind, object_id in (
        (RollupKind.GOAL, goal.pk),
        (RollupKind.WORK_PACKAGE, goal.work_package_id),
        (RollupKind.PROJECT, project.pk),
    ):
        assert _params(kind, object_id)["generated"] == {"indicator": 1}, kind
    assert _params(RollupKind.REGION, project.region_id)["generated"] == {"project": 1}
    assert _params(RollupKind.PROGRAMME, project.programme_id)["generated"] == {"region": 1}
    hanke_light = CurrentLight.objects.get(kind=RollupKind.PROJECT, object_id=project.pk)
    with translation.override("en"):
        assert "of 2 indicators behind target (1 on a generated demo value)" in (
            hanke_light.assessment.reason.text
        )


def test_rollups_of_real_values_are_not_marked(personas):
    project = personas.project
    _indicator(project, "R1", ["plan", "sotkanet"])
    _indicator(project, "M1", ["demo", "manual"])  # a generated value, but not the latest
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    for kind, object_id in (
        (RollupKind.PROJECT, project.pk),
        (RollupKind.REGION, project.region_id),
        (RollupKind.PROGRAMME, project.programme_id),
    ):
        assert "generated" not in _params(kind, object_id), kind


def test_a_past_days_lights_are_marked_the_same_way(personas):
    project = personas.project
    with recorded_on(date(2023, 1, 2)):
        goal = _goal_with_indicators(project)
    rows = lights_on(project_ids=[project.pk], day=TODAY, today=date(2024, 1, 1))
    params = {(r.kind, r.object_id): r.reason_params for r in rows}
    assert params[(RollupKind.PROJECT, project.pk)]["generated"] == {"indicator": 1}
    assert params[(RollupKind.GOAL, goal.pk)]["generated"] == {"indicator": 1}
    assert DayLight.objects.get(
        day=TODAY, kind=RollupKind.PROJECT, object_id=project.pk
    ).assessment.reason.generated
    # A day before the generated value was recorded rests on real values only.
    earlier = lights_on(project_ids=[project.pk], day=date(2023, 1, 1), today=date(2024, 1, 1))
    assert not any(r.reason_params.get("generated") for r in earlier)


def test_hanke_page_marks_the_lights_that_rest_on_generated_values(client, personas):
    project = personas.project
    goal = _goal_with_indicators(project)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    client.force_login(personas.steering_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    url = reverse("objectives:hanke", args=[project.pk])
    html = client.get(url).content.decode()
    above = html[: html.index('id="indicator-cards"')]
    summary = above[above.index("hanke-summary") :]
    assert 'data-generated="light"' in summary[: summary.index("</dd>")]  # the hanke light
    assert "(1 bygger på ett genererat demovärde)" in above
    package = client.get(url, {"paketti": goal.work_package_id}).content.decode()
    goal_light = package[package.index(f'id="goal-light-{goal.pk}"') :]
    assert 'data-generated="light"' in goal_light[: goal_light.index("</p>")]


def test_regional_report_reason_counts_the_generated_values(personas):
    project = personas.project
    _goal_with_indicators(project)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    with translation.override("fi"):
        report = project_report(project=project, user=personas.programme_admin)
        assert "(1 perustuu generoituun demoarvoon)" in report.light.reason
