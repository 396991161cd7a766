"""The programme overview and the hanke page "as of" a past reporting round (?kierros=)."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from measures.models import DayLight
from measures.status_engine import status_recompute_projects
from reporting.as_of.states import LATEST
from reporting.as_of.states import round_states

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory
from .factories import recorded_on
from .helpers import action_late_later
from .helpers import assessment_submit
from .helpers import spring_and_autumn_rounds
from .helpers import status_report
from .helpers import steering_member_of

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("reporting:overview")


def _hanke_url(project) -> str:
    return reverse("objectives:hanke", args=[project.pk])


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world(personas):
    """Both hankkeet in one programme with two past rounds. The own hanke submitted the first
    round (a snapshot); the other never submitted (its rounds come from the history)."""
    own, other = personas.project, personas.other_project
    other.programme = own.programme
    other.save()
    first, second = spring_and_autumn_rounds(own.programme)
    package, action = action_late_later(own, personas.project_manager, hts=[2])
    other_package, other_action = action_late_later(
        other, personas.programme_admin, number="2.1", hts=[2]
    )
    with recorded_on(date(2023, 1, 2)):
        indicator = IndicatorFactory(project=own, code="M1")
    status_recompute_projects(project_ids=[own.pk, other.pk], today=date(2023, 3, 15))
    assessment_submit(personas.project_manager, first, own)
    # later lights: both actions late (after the first cut-off, before the second)
    status_recompute_projects(project_ids=[own.pk, other.pk], today=date(2023, 8, 1))
    return {
        "first": first,
        "second": second,
        "own": own,
        "other": other,
        "action": action,
        "other_action": other_action,
        "package": package,
        "indicator": indicator,
    }


# --- The source of a round's state ----------------------------------------------------------


def test_snapshot_first_then_the_history_of_the_cut_off(world):
    own, other = world["own"], world["other"]
    states = round_states(project_ids=[own.pk, other.pk], period=world["first"])
    assert states[own.pk].source == "snapshot"
    assert states[other.pk].source == "history"
    assert states[other.pk].lights_as_of == date(2023, 3, 31)  # the cut-off itself
    assert [(a.id, str(a.light.light)) for a in states[other.pk].actions] == [
        (world["other_action"].pk, "yellow")
    ]
    later = round_states(project_ids=[own.pk, other.pk], period=world["second"])
    assert later[own.pk].source == "history"  # nothing submitted for the second round
    assert [str(a.light.light) for a in later[own.pk].actions] == ["red"]


def test_a_round_does_not_depend_on_any_stored_lights(world):
    """No nightly run happened on or near the cut-off: the lights are the same."""
    other = world["other"]
    expected = round_states(project_ids=[other.pk], period=world["second"])[other.pk]
    other.current_lights.all().delete()
    state = round_states(project_ids=[other.pk], period=world["second"])[other.pk]
    assert state.light == expected.light and state.light.light == "red"
    assert [a.light for a in state.actions] == [a.light for a in expected.actions]


def test_what_was_recorded_after_the_cut_off_does_not_count(world, personas):
    other, action = world["other"], world["other_action"]
    with recorded_on(date(2023, 10, 2)):  # reported done two days after the cut-off
        status_report(
            action,
            personas.programme_admin,
            "done",
            date(2023, 9, 29),
            "Valmis jo syyskuussa",
            expected_version=action.version + 1,
            today=date(2023, 10, 2),
        )
        ActionFactory(project=other, work_package=world["other_action"].work_package)
    state = round_states(project_ids=[other.pk], period=world["second"])[other.pk]
    assert [(a.id, str(a.light.light)) for a in state.actions] == [(action.pk, "red")]


def test_a_snapshot_wins_over_later_stored_lights(world):
    # a recomputation dated before the cut-off but run after the submission
    status_recompute_projects(project_ids=[world["own"].pk], today=date(2023, 3, 30))
    state = round_states(project_ids=[world["own"].pk], period=world["first"])[world["own"].pk]
    assert state.from_snapshot and state.lights_as_of == date(2023, 3, 15)


def test_objects_removed_before_the_cut_off_do_not_linger(world):
    own = world["own"]
    before = round_states(project_ids=[own.pk], period=world["second"])[own.pk]
    assert [i.id for i in before.indicators] == [world["indicator"].pk]
    with recorded_on(date(2023, 9, 1)):
        world["indicator"].delete()
    # the test rewrites a day that is over (the portal never can): forget its kept lights
    DayLight.objects.all().delete()
    state = round_states(project_ids=[own.pk], period=world["second"])[own.pk]
    assert state.indicators == []


def test_objects_removed_after_the_cut_off_are_marked(world):
    gone = world["other_action"].pk
    world["other_action"].delete()
    state = round_states(project_ids=[world["other"].pk], period=world["second"])
    (item,) = state[world["other"].pk].actions
    assert item.removed and item.id == gone
    # named by what it was (its last history row), never by its database id
    assert item.label == "2.1 Neuvonta" and f"#{gone}" not in item.label


def test_nothing_recorded_by_the_cut_off_means_an_empty_state(personas, world):
    early = ReportingPeriodFactory(
        programme=world["own"].programme, name="Kierros 2022", cut_off=date(2022, 9, 30)
    )
    state = round_states(project_ids=[world["other"].pk], period=early)[world["other"].pk]
    assert str(state.light.light) == "grey" and state.light.reason.code == "rollup_none"
    assert state.actions == [] and state.lights_as_of == date(2022, 9, 30)


# --- The programme overview -----------------------------------------------------------------


def test_overview_as_of_a_round_shows_that_rounds_lights(client, personas, world):
    _english(client, personas.ministry_viewer)
    today = client.get(OVERVIEW)
    past = client.get(OVERVIEW, {"kierros": world["first"].pk})
    assert past.status_code == 200
    rows = {row.region: row for row in past.context["overview"].rows}
    own = rows[world["own"].region]
    # in the spring the HT2 action was in progress (on track: green), not late as today
    assert str(dict(own.cells)[2].assessment.light) == "green"
    assert own.late_actions == 0
    today_rows = today.context["overview"].rows
    today_row = next(r for r in today_rows if r.region == world["own"].region)
    assert str(dict(today_row.cells)[2].assessment.light) == "red"
    html = past.content.decode()
    assert "Showing the state as of Kierros 4/2023 (cut-off 31.3.2023)" in html
    assert "Back to today&#x27;s view" in html or "Back to today's view" in html
    assert 'data-source="snapshot"' in html and 'data-source="history"' in html
    assert f'<option value="{world["first"].pk}" selected>' in html
    # the second round: both late, from the history
    later = client.get(OVERVIEW, {"kierros": world["second"].pk})
    assert sum(row.late_actions for row in later.context["overview"].rows) == 2


def test_overview_today_links_to_the_past_and_the_latest_link_redirects(client, personas, world):
    _english(client, personas.ministry_viewer)
    assert 'href="?kierros=viimeisin"' in client.get(OVERVIEW).content.decode()
    response = client.get(OVERVIEW, {"kierros": LATEST, "sort": "all"})
    assert response.status_code == 302
    assert response["Location"] == f"{OVERVIEW}?kierros={world['second'].pk}&sort=all"


def test_an_empty_round_is_today_and_a_bad_one_404(client, personas, world):
    _english(client, personas.ministry_viewer)
    assert "period" not in client.get(OVERVIEW, {"kierros": ""}).context  # today's view
    assert client.get(OVERVIEW, {"kierros": "nonsense"}).status_code == 404
    future = ReportingPeriodFactory(
        programme=world["own"].programme, name="Kierros 2099", cut_off=date(2099, 3, 31)
    )
    assert client.get(OVERVIEW, {"kierros": future.pk}).status_code == 404


def test_latest_without_any_past_round_returns_to_today(client, personas):
    _english(client, personas.ministry_viewer)
    response = client.get(OVERVIEW, {"kierros": LATEST}, follow=True)
    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert "No reporting round has reached its cut-off yet." in response.content.decode()


def test_overview_as_of_keeps_the_users_scope(client, personas, world):
    _english(client, personas.project_worker)
    response = client.get(OVERVIEW, {"kierros": world["first"].pk})
    assert [row.region for row in response.context["overview"].rows] == [world["own"].region]


def _monitored(hankkeet: int, period_programme, admin):
    def fill(project, _index):
        action_late_later(project, admin, hts=[2])
        IndicatorFactory(project=project)

    return steering_member_of(
        hankkeet, fill, date(2023, 3, 15), region_prefix="Z", programme=period_programme
    )


def test_overview_as_of_runs_a_fixed_number_of_queries(
    client, world, personas, django_assert_max_num_queries
):
    counts = []
    for hankkeet in (2, 6):
        user, ids = _monitored(hankkeet, world["own"].programme, personas.programme_admin)
        # one of them submitted: both sources are read
        assessment_submit(
            personas.programme_admin, world["first"], world["own"].__class__.objects.get(pk=ids[0])
        )
        client.force_login(user)
        # session, user, roles (2), rounds, hankkeet, snapshots, and the history of the
        # hankkeet without one (fourteen, measures.history.plan_at)
        with django_assert_max_num_queries(22) as queries:
            response = client.get(OVERVIEW, {"kierros": world["first"].pk, "sort": "all"})
        assert len(response.context["overview"].rows) == hankkeet
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The hanke page -------------------------------------------------------------------------


def test_hanke_page_as_of_a_round_hides_editing(client, personas, world):
    _english(client, personas.project_manager)
    today = client.get(_hanke_url(world["own"]), {"paketti": world["package"].pk}).text
    assert "Update status" in today and 'href="?kierros=viimeisin"' in today
    response = client.get(_hanke_url(world["own"]), {"kierros": world["first"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Showing the state as of Kierros 4/2023 (cut-off 31.3.2023)" in html
    assert "Update status" not in html and 'name="q"' not in html  # no editing, no filters
    assert f'href="{_hanke_url(world["own"])}"' in html  # back to today
    page = response.context["page"]
    assert page.state.from_snapshot
    (node,) = page.packages
    assert [str(a.light.light) for a in node.actions] == ["yellow"]
    assert ">In progress<" in html  # the action's light in words
    assert "The submitted report" in html  # the frozen report of that round is linked


def test_hanke_page_as_of_a_round_without_snapshot(client, personas, world):
    _english(client, personas.steering_member)
    with recorded_on(date(2023, 9, 1)):
        goal = ProcessGoalFactory(work_package=world["package"], number="G1", title_fi="Tavoite")
    response = client.get(_hanke_url(world["own"]), {"kierros": world["second"].pk})
    page = response.context["page"]
    assert page.state.source == "history"
    (node,) = page.packages
    assert [str(a.light.light) for a in node.actions] == ["red"]
    assert [g.id for g in node.goals] == [goal.pk]
    assert page.counts == {"red": 1}
    assert (
        "the lights of 30.9.2023, computed from what had been recorded by the end of that day"
        in response.content.decode()
    )


def test_hanke_page_as_of_folds_its_packages_and_pages_the_opened_one(client, personas, world):
    # given a second work package of 30 actions recorded before the second round's cut-off
    own = world["own"]
    with recorded_on(date(2023, 9, 1)):
        big = WorkPackageFactory(project=own, code="TP2")
        for i in range(30):
            ActionFactory(project=own, work_package=big, number=f"2.{i:02}", title_fi="Iso")
    _english(client, personas.steering_member)
    url = _hanke_url(own)
    # when the round is opened: both packages folded, with their lights and counts
    html = client.get(url, {"kierros": world["second"].pk}).text
    assert 'class="tree__action"' not in html and "30 actions" in html and "1 action" in html
    assert html.count('aria-expanded="false"') == 3  # two packages and the indicators
    assert f"?kierros={world['second'].pk}&amp;paketti={big.pk}#wp-section-{big.pk}" in html
    # when the big package is opened: one page of its rows, the round kept in the links
    first = client.get(url, {"kierros": world["second"].pk, "paketti": big.pk}).text
    assert first.count('class="tree__action"') == 25 and "1–25 of 30 (page 1 of 2)" in first
    assert f"kierros={world['second'].pk}&amp;paketti={big.pk}&amp;sivu=2" in first
    last = client.get(url, {"kierros": world["second"].pk, "paketti": big.pk, "sivu": 2}).text
    assert last.count('class="tree__action"') == 5
    # and the indicators open as a section of their own, linked to today's indicator page
    indicators = client.get(url, {"kierros": world["second"].pk, "paketti": "mittarit"}).text
    indicator_url = reverse("measures:indicator-detail", args=[world["indicator"].pk])
    assert f'href="{indicator_url}"' in indicators and 'class="tree__action"' in indicators
    # an unknown section opens nothing
    junk = client.get(url, {"kierros": world["second"].pk, "paketti": "x"}).text
    assert 'class="tree__action"' not in junk


def test_hanke_page_as_of_is_scoped(client, personas, world):
    _english(client, personas.outsider)  # manages the other hanke only
    response = client.get(_hanke_url(world["own"]), {"kierros": world["first"].pk})
    assert response.status_code == 404


def _grow(project, actions: int, indicators: int):
    package = WorkPackageFactory(project=project)
    goal = ProcessGoalFactory(work_package=package)
    for _ in range(actions):
        ActionFactory(project=project, work_package=package).goals.add(goal)
    for _ in range(indicators):
        IndicatorFactory(project=project)


def test_hanke_page_as_of_runs_a_fixed_number_of_queries(
    client, personas, world, django_assert_max_num_queries
):
    client.force_login(personas.programme_admin)
    counts = []
    for size in (3, 60):
        for project in (world["own"], world["other"]):
            _grow(project, size, size // 3)
        status_recompute_projects(
            project_ids=[world["own"].pk, world["other"].pk], today=date(2023, 3, 20)
        )
        DayLight.objects.all().delete()
        measured = []
        # session, user, roles (2), hanke, rounds, snapshot, and without one: the kept
        # lights of the cut-off (the first time: the history, fourteen, and one insert),
        # names of packages, goals, actions and indicators
        for project, period in (
            (world["own"], world["first"]),
            (world["other"], world["first"]),
            (world["other"], world["first"]),  # kept now
        ):
            with django_assert_max_num_queries(28) as queries:
                response = client.get(_hanke_url(project), {"kierros": period.pk})
            assert response.status_code == 200
            measured.append(len(queries))
        assert measured[2] < measured[1]
        counts.append(measured)
    assert counts[0] == counts[1]


def test_the_overview_of_a_round_reads_only_what_its_counts_need(world):
    """The programme-wide view reads the hanke and HT lights and the items behind, not every
    action of every hanke; a hanke with nothing late still counts as recorded."""
    other = world["other"]
    first = round_states(project_ids=[other.pk], period=world["first"], detail=False)
    assert first[other.pk].actions == [] and first[other.pk].recorded  # in progress, on time
    second = round_states(project_ids=[other.pk], period=world["second"], detail=False)
    assert [str(a.light.light) for a in second[other.pk].actions] == ["red"]
