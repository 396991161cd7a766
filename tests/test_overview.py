"""The programme overview: region × HT matrix from the stored lights, scope, sorting, counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from measures.services import measurement_save
from measures.status_engine import status_recompute_projects

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .helpers import steering_member_of

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)
URL = reverse("reporting:overview")


def _action(project, *, ht: int, **fields):
    action = ActionFactory(
        work_package=WorkPackageFactory(project=project), project=project, **fields
    )
    action.benefit_targets.set([ht])
    return action


def _indicator(project, *, frequency="yearly", period, value):
    indicator = IndicatorFactory(
        project=project,
        baseline_value=Decimal(50),
        baseline_date=date(2021, 1, 1),
        frequency=frequency,
        targets={date(2023, 12, 31): Decimal(100)},
        measurements={period: value},
    )
    return indicator


@pytest.fixture
def world(personas):
    """Own hanke: a late HT2 action, an indicator off track, a stale one; other hanke: done."""
    own, other = personas.project, personas.other_project
    _action(own, ht=2, status="in_progress", planned_end=date(2022, 12, 31))
    _indicator(own, period=date(2023, 3, 31), value=Decimal(50))  # no progress: red
    _indicator(own, period=date(2020, 12, 31), value=Decimal(60))  # two years old: stale
    _action(other, ht=2, status="done")
    status_recompute_projects(project_ids=[own.pk, other.pk], today=TODAY)
    return personas


def _row(response, region):
    return next(r for r in response.context["overview"].rows if r.region == region)


def _cell(row, ht):
    return dict(row.cells)[ht]


def test_matrix_shows_the_hankes_ht_light_for_the_region(client, world):
    # given the viewer
    client.force_login(world.ministry_viewer)
    # when
    response = client.get(URL)
    # then the late HT2 action makes the own region red on HT2, the other region green
    assert response.status_code == 200
    own = _row(response, world.project.region)
    other = _row(response, world.other_project.region)
    assert _cell(own, 2).assessment.light == "red"
    assert _cell(other, 2).assessment.light == "green"
    assert _cell(own, 4).assessment.light == "grey"  # nothing serves HT4
    assert _cell(own, 2).counts["red"] == 1
    html = response.content.decode()
    assert '<td data-ht="2"><span class="light light--red">' in html
    assert '<td data-ht="2"><span class="light light--green">' in html
    assert 'aria-hidden="true">✕</span>' in html  # a symbol and a label, not colour alone
    assert 'scope="row"' in html and 'scope="col"' in html and "<caption>" in html


def test_all_column_uses_the_stored_region_light(client, world):
    client.force_login(world.programme_admin)
    response = client.get(URL)
    own = _row(response, world.project.region)
    stored = world.project.region.current_lights.get(kind="region", ht=0)
    assert own.total.assessment.light == stored.light
    assert own.total.counts == stored.counts


def test_each_ht_cell_of_a_region_seen_whole_is_the_stored_region_light(client, world):
    # given the region's HT2 light as the status engine stored it
    stored = world.project.region.current_lights.get(kind="region", ht=2)
    assert stored.light == "red" and stored.reason_params["groups"][0][0] == "project"
    client.force_login(world.ministry_viewer)
    # when the overview is read in Swedish
    project = world.project
    project.name_sv = "Projektet på svenska"
    project.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = client.get(URL)
    # then the cell is the stored light, naming the hanke in the reader's language
    cell = _cell(_row(response, world.project.region), 2)
    assert cell.assessment.light == stored.light and cell.counts == stored.counts
    with translation.override("sv"):
        assert "Projektet på svenska" in cell.assessment.reason.text
    assert project.name_fi not in cell.assessment.reason.text


def test_a_region_seen_in_part_is_rolled_up_from_the_hankkeet_seen(client, world):
    # given a second hanke in the own region, late on HT2, that the worker does not see
    second = ProjectFactory(region=world.project.region, programme=world.project.programme)
    _action(second, ht=2, status="in_progress", planned_end=date(2022, 12, 31))
    _action(world.project, ht=2, status="done")
    _action(world.project, ht=2, status="done")
    _action(world.project, ht=2, status="done")
    status_recompute_projects(project_ids=[world.project.pk, second.pk], today=TODAY)
    client.force_login(world.project_worker)
    # when
    cell = _cell(_row(client.get(URL), world.project.region), 2)
    # then the cell rolls up the worker's own hanke only, not the stored region light
    assert cell.counts["red"] == 1 and sum(cell.counts.values()) == 1
    assert second.display_name not in cell.assessment.reason.text
    stored = world.project.region.current_lights.get(kind="region", ht=2)
    assert sum(stored.counts.values()) == 2


def test_hanke_worker_sees_only_their_region(client, world):
    client.force_login(world.project_worker)
    response = client.get(URL)
    regions = [row.region for row in response.context["overview"].rows]
    assert regions == [world.project.region]
    assert world.other_project.region.display_name not in response.content.decode()


def test_viewer_sees_every_region(client, world):
    client.force_login(world.ministry_viewer)
    response = client.get(URL)
    regions = {row.region for row in response.context["overview"].rows}
    assert regions == {world.project.region, world.other_project.region}


def test_user_without_role_sees_an_empty_state(client, world):
    client.force_login(UserFactory(username="nobody"))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["overview"].rows == []
    assert "<table" not in response.content.decode()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_sorting_by_all_puts_the_weakest_region_first_and_stays_in_the_url(client, world):
    # given the own region is red overall, the other green; names in the opposite order
    world.project.region.name_fi = "Ööö-maakunta"
    world.project.region.save()
    client.force_login(world.ministry_viewer)
    by_name = client.get(URL, {"sort": "name"})
    by_all = client.get(URL, {"sort": "all"})
    # then
    assert [r.region for r in by_name.context["overview"].rows][-1] == world.project.region
    assert [r.region for r in by_all.context["overview"].rows][0] == world.project.region
    assert '<option value="all" selected>' in by_all.content.decode()
    assert '<option value="name" selected>' in by_name.content.decode()


def test_ht_filter_shows_only_that_column_and_stays_in_the_url(client, world):
    client.force_login(world.ministry_viewer)
    response = client.get(URL, {"ht": "2", "sort": "all"})
    overview = response.context["overview"]
    html = response.content.decode()
    assert overview.columns == [2] and overview.ht == 2 and overview.sort == "all"
    assert all([number for number, _ in row.cells] == [2] for row in overview.rows)
    assert 'data-ht="2"' in html and 'data-ht="3"' not in html
    assert '<option value="2" selected>' in html
    assert 'method="get"' in html and '<label for="overview-ht">' in html


def test_nonsense_parameters_fall_back_to_defaults(client, world):
    client.force_login(world.ministry_viewer)
    overview = client.get(URL, {"ht": "9", "sort": "<x>"}).context["overview"]
    assert overview.columns == [1, 2, 3, 4, 5] and overview.sort == "name"


def test_late_off_track_and_stale_counts_per_region(client, world):
    indicator = world.project.indicators.first()
    measurement_save(
        indicator=indicator, period=date(2023, 3, 31), raw_value="51", actor=world.programme_admin
    )
    client.force_login(world.ministry_viewer)
    response = client.get(URL)
    own = _row(response, world.project.region)
    other = _row(response, world.other_project.region)
    assert (own.late_actions, own.indicators_off_track, own.indicators_stale) == (1, 1, 1)
    assert (other.late_actions, other.indicators_off_track, other.indicators_stale) == (0, 0, 0)
    assert own.projects[0].last_update is not None
    assert other.projects[0].last_update is None


def test_region_name_is_escaped(client, world):
    world.project.region.name_fi = "<script>alert(1)</script>"
    world.project.region.save()
    client.force_login(world.project_manager)
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_home_links_to_the_overview_for_programme_roles_only(client, world):
    client.force_login(world.ministry_viewer)
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(world.project_worker)
    assert URL not in client.get(reverse("home")).content.decode()


def _late_and_behind(project, index: int) -> None:
    _action(project, ht=1 + index % 5, status="in_progress", planned_end=date(2022, 1, 1))
    _indicator(project, period=date(2023, 3, 31), value=Decimal(60))


def _monitored_user(hankkeet: int):
    return steering_member_of(hankkeet, _late_and_behind, TODAY)[0]


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"sort": "all"}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("hankkeet", [1, 6])
def test_overview_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, hankkeet):
    user = _monitored_user(hankkeet)
    client.force_login(user)
    # session, user, roles (2), hankkeet, hankkeet per region, hanke lights, region lights,
    # late actions, indicators, last status update, last measurement, budget lines,
    # spending, high risks (the last three added with the budget and risk columns: 12 → 15)
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert len(response.context["overview"].rows) == hankkeet


def test_query_count_does_not_grow_with_the_data(client):
    assert _queries(client, _monitored_user(1)) == _queries(client, _monitored_user(6))
