"""Compare regions: hankkeet side by side on one HT or a shared indicator; chart locales."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from measures.models import CurrentLight
from measures.models import RollupKind
from measures.status_engine import status_recompute_projects
from portal.charts import d3_date_format
from portal.charts import plotly_locale
from reporting.overview.compare import IndicatorKey
from reporting.overview.compare import shared_indicator_list

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProcessGoalFactory
from .factories import ProgrammeRoleFactory
from .factories import ProjectFactory
from .factories import RegionFactory
from .factories import UserFactory
from .factories import WorkPackageFactory

TODAY = date(2023, 6, 30)
URL = reverse("reporting:compare")
SHARED = "sotkanet:4123"


def _action(project, *, hts=(), goal_hts=(), **fields):
    package = WorkPackageFactory(project=project)
    action = ActionFactory(work_package=package, project=project, **fields)
    action.benefit_targets.set(hts)
    if goal_hts:
        goal = ProcessGoalFactory(work_package=package, project=project)
        goal.benefit_targets.set(goal_hts)
        action.goals.set([goal])
    return action


def _shared_indicator(project, *, values, hts=(), source_id="4123", **fields):
    """A Sotkanet indicator: baseline 50 (2021), targets 80 (2022) and 100 (2023)."""
    indicator = IndicatorFactory(
        project=project,
        source_system="sotkanet",
        source_id=source_id,
        baseline_value=Decimal(50),
        baseline_date=date(2021, 1, 1),
        targets={date(2022, 12, 31): Decimal(80), date(2023, 12, 31): Decimal(100)},
        measurements=dict(values),
        **fields,
    )
    indicator.benefit_targets.set(hts)
    return indicator


@pytest.fixture
def world(personas):
    """Own hanke: a late HT2 action and a shared indicator off track on HT2; other hanke: a
    done HT2 action and the same indicator on track. Plus indicators that are not shared."""
    own, other = personas.project, personas.other_project
    _action(own, hts=[2], status="in_progress", planned_end=date(2022, 12, 31))
    _action(other, hts=[2], status="done")
    _shared_indicator(
        own, hts=[2], values=[(date(2022, 12, 31), Decimal(50)), (date(2023, 3, 31), Decimal(50))]
    )
    _shared_indicator(
        other,
        hts=[2],
        values=[(date(2022, 12, 31), Decimal(85)), (date(2023, 3, 31), Decimal("1234.5"))],
    )
    # not shared: one hanke only; hand-entered with the same code; a local register id
    _shared_indicator(own, source_id="999", values=[])
    IndicatorFactory(project=own, code="M1", source_system="manual")
    IndicatorFactory(project=other, code="M1", source_system="manual")
    IndicatorFactory(project=own, source_system="local_register", source_id="7")
    IndicatorFactory(project=other, source_system="local_register", source_id="7")
    status_recompute_projects(project_ids=[own.pk, other.pk], today=TODAY)
    return personas


def _get(client, user, params=None, language="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client.get(URL, params or {})


def _row(rows, project):
    return next(row for row in rows if row.project == project)


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ministry_viewer", "programme_admin"])
def test_programme_roles_open_the_page(client, world, persona):
    response = _get(client, getattr(world, persona))
    assert response.status_code == 200
    assert "<h1>Compare regions</h1>" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["project_manager", "project_worker", "steering_member", "outsider"]
)
@pytest.mark.parametrize("params", [{}, {"ht": "2"}, {"indicator": SHARED}])
def test_hanke_roles_are_refused(client, world, persona, params):
    # given a hanke role: they see one hanke, not every region
    response = _get(client, getattr(world, persona), params)
    # then
    assert response.status_code == 403
    # the refusal page names nothing of the comparison (the address it echoes, e.g. in the
    # language switch, is the reader's own)
    html = response.content.decode()
    assert "<h1>Compare regions</h1>" not in html and "<table" not in html


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_user_without_any_role_is_refused(client):
    assert _get(client, UserFactory(username="nobody")).status_code == 403


def test_home_and_overview_link_to_the_page_only_for_programme_roles(client, world):
    for page in (reverse("home"), reverse("reporting:overview")):
        assert URL in _get_page(client, world.ministry_viewer, page)
        assert URL in _get_page(client, world.programme_admin, page)
        assert URL not in _get_page(client, world.project_manager, page)


def _get_page(client, user, url) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


# --- Benefit target (HT) mode ----------------------------------------------------------------


def test_without_a_choice_the_overall_lights_are_compared(client, world):
    response = _get(client, world.ministry_viewer)
    by_ht = response.context["by_ht"]
    assert by_ht.ht is None
    assert {row.project for row in by_ht.rows} == {world.project, world.other_project}
    for row in by_ht.rows:
        stored = CurrentLight.objects.filter(kind=RollupKind.PROJECT, object_id=row.project.pk)
        newest = stored.latest("as_of")
        assert row.assessment.light == newest.light
        assert row.counts == newest.counts
    assert '<option value="all" selected>' in response.content.decode()


def test_ht_mode_shows_each_hankes_ht_light_distribution_and_counts(client, world):
    # when the viewer picks HT2
    response = _get(client, world.ministry_viewer, {"ht": "2"})
    # then the own hanke is red on HT2 with a late action and an indicator off track
    rows = response.context["by_ht"].rows
    own, other = _row(rows, world.project), _row(rows, world.other_project)
    assert own.assessment.light == "red"
    # the late action and the indicator, both tagged HT2
    assert {k: n for k, n in own.counts.items() if n} == {"red": 2}
    assert (own.late_actions, own.indicators_off_track) == (1, 1)
    assert other.assessment.light == "green"
    assert {k: n for k, n in other.counts.items() if n} == {"green": 2}
    assert (other.late_actions, other.indicators_off_track) == (0, 0)
    html = response.content.decode()
    assert '<option value="2" selected>' in html
    assert "Benefit target HT2 by region" in html
    assert '<td data-light><span class="light light--red">' in html
    assert '<td data-light><span class="light light--green">' in html
    assert 'aria-hidden="true">✕</span>' in html  # a symbol and a label, not colour alone
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html


def test_ht_mode_chart_has_one_stacked_bar_per_hanke_and_colour(client, world):
    response = _get(client, world.ministry_viewer, {"ht": "2"})
    chart = response.context["chart"]
    assert chart["layout"]["barmode"] == "stack"
    assert [trace["name"] for trace in chart["data"]] == [
        "✓ On track",
        "! Needs attention",
        "▲ Starting",
        "✕ Behind",
        "– No assessment",
    ]
    labels = chart["data"][0]["y"]
    assert set(labels) == {
        world.project.region.display_name,
        world.other_project.region.display_name,
    }
    by_name = {
        trace["name"]: dict(zip(trace["y"], trace["x"], strict=True)) for trace in chart["data"]
    }
    assert by_name["✕ Behind"][world.project.region.display_name] == 100
    assert by_name["✓ On track"][world.other_project.region.display_name] == 100
    html = response.content.decode()
    assert 'id="compare-chart-data" type="application/json"' in html
    assert 'data-chart="compare-chart-data"' in html and 'role="img"' in html


def test_ht_mode_counts_actions_and_indicators_serving_the_ht_through_a_goal(client, personas):
    # given a late action and a red indicator that carry no HT tag but serve an HT3 goal
    action = _action(
        personas.project, goal_hts=[3], status="in_progress", planned_end=date(2022, 1, 1)
    )
    indicator = _shared_indicator(personas.project, values=[(date(2023, 3, 31), Decimal(50))])
    indicator.goals.set(action.goals.all())
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    # when
    on_ht3 = _row(
        _get(client, personas.ministry_viewer, {"ht": "3"}).context["by_ht"].rows,
        personas.project,
    )
    on_ht4 = _row(
        _get(client, personas.ministry_viewer, {"ht": "4"}).context["by_ht"].rows,
        personas.project,
    )
    overall = _row(
        _get(client, personas.ministry_viewer).context["by_ht"].rows,
        personas.project,
    )
    # then they count for HT3 only, and for the overall view
    assert (on_ht3.late_actions, on_ht3.indicators_off_track) == (1, 1)
    assert (on_ht4.late_actions, on_ht4.indicators_off_track) == (0, 0)
    assert (overall.late_actions, overall.indicators_off_track) == (1, 1)


def test_hanke_without_stored_lights_is_shown_unassessed(client, personas):
    response = _get(client, personas.ministry_viewer, {"ht": "1"})
    rows = response.context["by_ht"].rows
    assert {row.assessment for row in rows} == {None}
    assert "Not computed yet." in response.content.decode()


def test_names_reach_the_chart_escaped(client, world):
    world.project.region.name_fi = '<a href="javascript:alert(1)">x</a> & co'
    world.project.region.save()
    response = _get(client, world.ministry_viewer, {"ht": "2"}, language="fi")
    labels = response.context["chart"]["data"][0]["y"]
    assert '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt; &amp; co' in labels
    assert 'javascript:alert(1)">x</a>' not in response.content.decode()


def test_a_region_with_two_hankkeet_labels_its_rows_by_hanke(client, world):
    second = ProjectFactory(region=world.project.region, name_fi="Toinen hanke")
    rows = _get(client, world.ministry_viewer).context["by_ht"].rows
    label = _row(rows, second).label
    assert label == f"{world.project.region.display_name}: Toinen hanke"
    assert _row(rows, world.other_project).label == world.other_project.region.display_name


# --- Shared indicator mode -------------------------------------------------------------------


def test_choices_list_only_indicators_shared_by_two_visible_hankkeet(client, world):
    response = _get(client, world.ministry_viewer)
    choices = [value for value, _label in response.context["form"].fields["indicator"].choices]
    # the Sotkanet id in both; not the one-hanke id, equal codes or local register ids
    assert choices == ["", SHARED]
    assert "(Sotkanet (THL) 4123, 2 hankkeet)" in response.content.decode()


def test_shared_indicators_are_scoped_to_what_the_user_sees(world):
    # the selector is scoped even though the view lets in programme roles only
    assert [s.key.value for s in shared_indicator_list(user=world.ministry_viewer)] == [SHARED]
    assert shared_indicator_list(user=world.project_manager) == []
    assert shared_indicator_list(user=UserFactory(username="nobody")) == []


def test_indicator_mode_shows_latest_value_baseline_target_and_light(client, world):
    # when the viewer picks the shared indicator
    response = _get(client, world.ministry_viewer, {"indicator": SHARED})
    # then one row per hanke with its own values
    rows = response.context["by_indicator"].rows
    assert [row.indicator.project for row in rows] == sorted(
        [world.project, world.other_project], key=lambda p: p.region.name_fi
    )
    other = next(row for row in rows if row.indicator.project == world.other_project)
    assert other.latest.value == Decimal("1234.5") and other.latest.period == date(2023, 3, 31)
    assert other.final_target.value == 100 and other.final_target.target_date == date(2023, 12, 31)
    assert other.assessment.light == "green"
    own = next(row for row in rows if row.indicator.project == world.project)
    assert own.assessment.light == "red"
    html = response.content.decode()
    cell = re.search(rf'<tr data-indicator="{other.indicator.pk}">.*?</tr>', html, re.S).group(0)
    assert "1,234.50" in cell and "03/31/2023" in cell  # English number and date formats
    assert "12/31/2023" in cell and ">100<" in cell and ">50<" in cell
    assert "light--green" in cell and str(other.assessment.reason.text) in cell
    assert '<option value="sotkanet:4123" selected>' in html


def test_indicator_mode_numbers_and_dates_follow_the_language(client, world):
    html = _get(client, world.ministry_viewer, {"indicator": SHARED}, language="fi").content
    assert "1\xa0234,50" in html.decode() and "31.3.2023" in html.decode()


def test_indicator_mode_chart_has_one_line_per_region_over_time(client, world):
    response = _get(client, world.ministry_viewer, {"indicator": SHARED})
    traces = {trace["name"]: trace for trace in response.context["chart"]["data"]}
    assert set(traces) == {
        world.project.region.display_name,
        world.other_project.region.display_name,
    }
    other = traces[world.other_project.region.display_name]
    assert other["x"] == ["2022-12-31", "2023-03-31"] and other["y"] == [85.0, 1234.5]
    assert other["mode"] == "lines+markers"
    symbols = {trace["marker"]["symbol"] for trace in traces.values()}
    assert len(symbols) == 2  # told apart by marker shape, not only by colour
    assert response.context["chart"]["layout"]["yaxis"]["title"]["text"] == "Percent"


@pytest.mark.parametrize(
    "params",
    [
        {"ht": "9"},
        {"ht": "<script>"},
        {"ht": "0"},
        {"indicator": "nonsense"},
        {"indicator": "sotkanet:999"},  # exists, but in one hanke only
        {"indicator": "manual:"},
        {"indicator": "sotkanet:" + "9" * 500},
        {"ht": "2", "indicator": SHARED},
    ],
)
def test_invalid_parameters_show_an_error_not_a_crash(client, world, params):
    response = _get(client, world.ministry_viewer, params)
    assert response.status_code == 200
    assert not response.context["form"].is_valid()
    assert response.context["by_ht"] is None and response.context["by_indicator"] is None
    assert 'class="field-error"' in response.content.decode() or 'role="alert"' in (
        response.content.decode()
    )


def test_indicator_key_parsing_never_raises():
    assert IndicatorKey.parse("sotkanet:4123") == IndicatorKey("sotkanet", "4123")
    assert IndicatorKey.parse("finsote:a:b") == IndicatorKey("finsote", "a:b")
    for value in (None, "", ":", "sotkanet:", "sotkanet: ", "manual:1", "other:1", "4123"):
        assert IndicatorKey.parse(value) is None


# --- Query counts --------------------------------------------------------------------------


def _programme(hankkeet: int, measurements: int):
    """`hankkeet` hankkeet sharing an indicator with `measurements` values each, and a viewer."""
    ids = []
    for index in range(hankkeet):
        project = ProjectFactory(region=RegionFactory(code=f"V{hankkeet}{index}"))
        _action(project, hts=[1 + index % 5], status="in_progress", planned_end=date(2022, 1, 1))
        values = [
            (date(2019 + m // 12, 1 + m % 12, 28), Decimal(50 + m)) for m in range(measurements)
        ]
        _shared_indicator(project, hts=[2], values=values)
        _shared_indicator(project, source_id="5000", values=values[:1])
        ids.append(project.pk)
    status_recompute_projects(project_ids=ids, today=TODAY)
    return ProgrammeRoleFactory(user=UserFactory(username=f"katsoja{hankkeet}"), role="viewer").user


MODES = [{}, {"ht": "all"}, {"ht": "2"}, {"indicator": SHARED}]


@pytest.mark.django_db
@pytest.mark.parametrize("params", MODES)
@pytest.mark.parametrize(("hankkeet", "measurements"), [(2, 1), (8, 30)])
def test_compare_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, params, hankkeet, measurements
):
    user = _programme(hankkeet, measurements)
    client.force_login(user)
    # session, user, roles (2), shared indicators; then HT mode: hankkeet, lights, late
    # actions, indicators off track; or indicator mode: indicators, targets, measurements
    with django_assert_max_num_queries(9):
        response = client.get(URL, params)
    assert response.status_code == 200


def _queries(client, user, params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("params", MODES)
def test_query_count_does_not_grow_with_the_data(client, params):
    small, large = _programme(2, 1), _programme(8, 30)
    assert _queries(client, small, params) == _queries(client, large, params)


# --- Chart locale (Plotly "format" data from Django's translations) ------------------------


def test_finnish_locale_comes_from_djangos_translations():
    # Django itself translates these names; the portal adds no strings of its own here
    fmt = plotly_locale("fi")
    assert plotly_locale("fi")["name"] == "fi"
    assert fmt["format"]["months"][0] == "tammikuu"
    assert fmt["format"]["shortMonths"][:3] == ["tammi", "helmi", "maalis"]
    assert fmt["format"]["days"][:2] == ["sunnuntai", "maanantai"]  # Plotly starts on Sunday
    assert fmt["format"]["shortDays"][1] == "ma"
    assert (fmt["format"]["decimal"], fmt["format"]["thousands"]) == (",", "\xa0")
    assert fmt["format"]["date"] == "%-d.%-m.%Y"
    assert fmt["format"]["month"] == "%b %Y"
    assert fmt["format"]["grouping"] == [3]


def test_swedish_and_english_locales():
    sv, en = plotly_locale("sv")["format"], plotly_locale("en")["format"]
    assert sv["months"][0] == "januari" and sv["days"][0] == "söndag"
    assert (sv["decimal"], sv["date"]) == (",", "%Y-%m-%d")
    assert en["months"][0] == "January" and en["shortMonths"][0] == "Jan."
    assert (en["decimal"], en["thousands"], en["date"]) == (".", ",", "%m/%d/%Y")
    assert en["dayMonthYear"] == "%b %-d, %Y"


def test_locale_follows_the_active_language():
    with translation.override("sv"):
        assert plotly_locale()["name"] == "sv"
    with translation.override("en-gb"):
        assert plotly_locale()["name"] == "en"


@pytest.mark.parametrize(
    ("django_format", "short", "expected"),
    [
        ("j.n.Y", False, "%-d.%-m.%Y"),
        ("Y-m-d", False, "%Y-%m-%d"),
        ("N j, Y", False, "%b %-d, %Y"),
        ("j. E Y", True, "%-d. %b %Y"),
        ("F Y", False, "%B %Y"),
        ("F Y", True, "%b %Y"),
        ("G.i", False, "%-H.%M"),
        (r"j.n.Y \k\l\o G.i", False, "%-d.%-m.%Y klo %-H.%M"),
        ("d%", False, "%d%%"),
    ],
)
def test_django_date_formats_become_d3_formats(django_format, short, expected):
    assert d3_date_format(django_format, short_months=short) == expected


def test_indicator_page_chart_carries_the_page_language(client, personas):
    indicator = IndicatorFactory(project=personas.project)
    MeasurementFactory(indicator=indicator, period=date(2023, 1, 31), value=Decimal(5))
    client.force_login(personas.steering_member)
    for language in ("fi", "sv", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(reverse("measures:indicator-detail", args=[indicator.pk])).content
        data = re.search(rb'id="indicator-chart-data" type="application/json">(.*?)</script>', html)
        locale = json.loads(data.group(1))["locale"]
        assert locale == plotly_locale(language)
