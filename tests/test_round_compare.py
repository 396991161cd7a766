"""Comparing two reporting rounds: the pure diff rules (no database) and the pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from measures.models import DayLight
from measures.status_engine import status_recompute_projects
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from reporting.rounds.compare import Entry
from reporting.rounds.compare import compare_rounds

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory
from .factories import recorded_on
from .helpers import action_late_later
from .helpers import assessment_submit
from .helpers import spring_and_autumn_rounds


def _entry(kind: str, label: str, light: str | None, sort="") -> Entry:
    assessed = Assessment(Light(light), Reason("action_done")) if light else None
    return Entry(kind, label, assessed, sort)


def _state(*rows) -> dict:
    """(kind, id, label, light) rows → a round's state."""
    return {(kind, oid): _entry(kind, label, light) for kind, oid, label, light in rows}


# --- The rules, table-driven ----------------------------------------------------------------

CASES = [
    # (name, round a, round b, changed [(key, from, to, direction)], new keys, dropped keys)
    ("nothing at all", [], [], [], [], []),
    (
        "same colours are no change",
        [("action", 1, "1 A", "green")],
        [("action", 1, "1 A", "green")],
        [],
        [],
        [],
    ),
    (
        "yellow to red is worse",
        [("action", 1, "1 A", "yellow")],
        [("action", 1, "1 A", "red")],
        [(("action", 1), "yellow", "red", "worse")],
        [],
        [],
    ),
    (
        "red to green is better",
        [("goal", 2, "2 G", "red")],
        [("goal", 2, "2 G", "green")],
        [(("goal", 2), "red", "green", "better")],
        [],
        [],
    ),
    (
        "yellow to orange changes colour at the same score",
        [("action", 1, "1 A", "yellow")],
        [("action", 1, "1 A", "orange")],
        [(("action", 1), "yellow", "orange", "")],
        [],
        [],
    ),
    (
        "no light counts as grey",
        [("indicator", 3, "M1", None)],
        [("indicator", 3, "M1", "grey")],
        [],
        [],
        [],
    ),
    (
        "grey to green is a change without a direction",
        [("indicator", 3, "M1", None)],
        [("indicator", 3, "M1", "green")],
        [(("indicator", 3), "grey", "green", "")],
        [],
        [],
    ),
    (
        "present only in b is new, only in a dropped",
        [("action", 1, "1 A", "green"), ("action", 2, "2 B", "red")],
        [("action", 1, "1 A", "green"), ("indicator", 9, "M9", "yellow")],
        [],
        [("indicator", 9)],
        [("action", 2)],
    ),
    (
        "the same id in another kind is another object",
        [("goal", 5, "5 G", "green")],
        [("action", 5, "5 A", "green")],
        [],
        [("action", 5)],
        [("goal", 5)],
    ),
]


@pytest.mark.parametrize(
    ("name", "a", "b", "changed", "new", "dropped"), CASES, ids=[c[0] for c in CASES]
)
def test_compare_rounds(name, a, b, changed, new, dropped):
    result = compare_rounds(_state(*a), _state(*b))
    assert [
        (c.key, str(c.before.colour), str(c.after.colour), c.direction) for c in result.changed
    ] == changed
    assert [key for key, _ in result.new] == new
    assert [key for key, _ in result.dropped] == dropped
    assert result.empty == (not (changed or new or dropped))


def test_a_change_keeps_the_name_of_an_object_that_left_the_plan_since():
    a = {("action", 1): _entry("action", "1 Neuvonta", "yellow")}
    gone = Entry(
        "action", "#1", Assessment(Light.RED, Reason("action_done")), "", {"removed": True}
    )
    (change,) = compare_rounds(a, {("action", 1): gone}).changed
    assert change.label == "1 Neuvonta"
    (kept,) = compare_rounds(a, {("action", 1): _entry("action", "1 Uusi", "red")}).changed
    assert kept.label == "1 Uusi"


def test_lists_come_by_kind_then_number():
    a = _state(
        ("action", 1, "2 B", "green"), ("action", 2, "1 A", "green"), ("goal", 3, "G", "red")
    )
    b = {
        ("action", 1): _entry("action", "2 B", "red", "2"),
        ("action", 2): _entry("action", "1 A", "red", "1"),
        ("goal", 3): _entry("goal", "G", "green"),
        ("project", 7): _entry("project", "Hanke", "green"),
    }
    result = compare_rounds(a, b)
    assert [c.key for c in result.changed] == [("goal", 3), ("action", 2), ("action", 1)]
    assert result.counts == {"changed": 3, "better": 1, "worse": 2, "new": 1, "dropped": 0}


# --- The pages ------------------------------------------------------------------------------


@pytest.fixture
def rounds(personas):
    """Two rounds: in the first the action is on schedule, by the second it is late; a goal
    appears between them, an indicator is removed after the first round was submitted."""
    project = personas.project
    programme = project.programme
    first, second = spring_and_autumn_rounds(programme)
    package, action = action_late_later(project, personas.project_manager)
    with recorded_on(date(2023, 1, 2)):
        indicator = IndicatorFactory(project=project, code="M1")
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 3, 31))
    assessment_submit(personas.project_manager, first, project)
    # after the first round: a goal added, the indicator removed; the second round is not
    # submitted, so its state comes from what had been recorded by its cut-off
    with recorded_on(date(2023, 9, 1)):
        goal = ProcessGoalFactory(work_package=package, number="G2", title_fi="Uusi tavoite")
        indicator.delete()
    return {"first": first, "second": second, "action": action, "goal": goal, "project": project}


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.django_db
def test_hanke_comparison_lists_changes_new_and_dropped(client, personas, rounds):
    _english(client, personas.steering_member)
    url = reverse("reporting:hanke-round-compare", args=[rounds["project"].pk])
    response = client.get(url, {"a": rounds["first"].pk, "b": rounds["second"].pk})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.sources == ("snapshot", "history")
    changed = {
        c.key: (str(c.before.colour), str(c.after.colour)) for c in result.comparison.changed
    }
    assert changed[("action", rounds["action"].pk)] == ("yellow", "red")
    assert [k for k, _ in result.comparison.new] == [("goal", rounds["goal"].pk)]
    assert [e.kind for _, e in result.comparison.dropped] == ["indicator"]
    html = response.content.decode()
    assert 'data-count="changed">' in html and 'data-count="new">1<' in html
    assert 'data-table="changed"' in html and 'data-table="new"' in html
    # the light is shown with its symbol and words, not colour alone
    assert 'aria-hidden="true">✕</span>' in html and ">Late<" in html


@pytest.mark.django_db
def test_defaults_to_the_two_newest_rounds(client, personas, rounds):
    _english(client, personas.project_manager)
    url = reverse("reporting:hanke-round-compare", args=[rounds["project"].pk])
    response = client.get(url)
    assert (response.context["a"], response.context["b"]) == (rounds["first"], rounds["second"])


@pytest.mark.django_db
def test_a_round_of_the_future_or_unknown_is_404(client, personas, rounds):
    future = ReportingPeriodFactory(
        programme=rounds["project"].programme, name="Kierros 2099", cut_off=date(2099, 3, 31)
    )
    _english(client, personas.project_manager)
    url = reverse("reporting:hanke-round-compare", args=[rounds["project"].pk])
    assert client.get(url, {"a": rounds["first"].pk, "b": future.pk}).status_code == 404
    assert client.get(url, {"a": "x", "b": rounds["second"].pk}).status_code == 404


@pytest.mark.django_db
def test_programme_comparison_totals_every_hanke(client, personas, rounds):
    _english(client, personas.ministry_viewer)
    url = reverse("reporting:round-compare")
    response = client.get(url, {"a": rounds["first"].pk, "b": rounds["second"].pk})
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["new"] == 1 and totals["dropped"] == 1 and totals["worse"] >= 1
    assert [r.project for r in response.context["changed"]] == [rounds["project"]]
    assert len(response.context["results"]) == 2  # the other hanke, without changes


@pytest.mark.django_db
def test_with_fewer_than_two_rounds_the_page_says_so(client, personas):
    _english(client, personas.programme_admin)
    response = client.get(reverse("reporting:round-compare"))
    assert response.status_code == 200
    assert "Two reporting rounds must have reached their cut-off" in response.content.decode()


def _grow(project, package, actions: int, indicators: int):
    for _ in range(actions):
        ActionFactory(project=project, work_package=package)
    for _ in range(indicators):
        IndicatorFactory(project=project)


@pytest.mark.django_db
def test_comparison_pages_have_flat_query_counts(
    client, personas, rounds, django_assert_max_num_queries
):
    client.force_login(personas.programme_admin)
    params = {"a": rounds["first"].pk, "b": rounds["second"].pk}
    counts = []
    for size in (3, 30):
        _grow(rounds["project"], WorkPackageFactory(project=rounds["project"]), size, size // 3)
        other = personas.other_project
        _grow(other, WorkPackageFactory(project=other), size, size // 3)
        status_recompute_projects(
            project_ids=[rounds["project"].pk, other.pk], today=date(2023, 9, 2)
        )
        DayLight.objects.all().delete()  # measure the first view of each round, computed
        measured = []
        # session, user, roles (2), hanke, rounds, and per round: snapshots, the kept lights
        # (the first time: the history, fourteen, and one insert), live names (up to four)
        for url, bound in (
            (reverse("reporting:hanke-round-compare", args=[rounds["project"].pk]), 44),
            (reverse("reporting:round-compare"), 46),
        ):
            with django_assert_max_num_queries(bound) as queries:
                assert client.get(url, params).status_code == 200
            measured.append(len(queries))
        counts.append(measured)
    assert counts[0] == counts[1]
