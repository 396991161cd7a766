"""The process goal page: light, HTs, the goal's actions and indicators, in a fixed number
of queries; linked from the hanke tree and the action page."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest
from django.conf import settings
from django.urls import reverse

from measures.status_engine import status_recompute_projects

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import WorkPackageFactory

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


@pytest.fixture
def goal(personas):
    package = WorkPackageFactory(project=personas.project, code="TP2", name_fi="Sote-keskus")
    goal = ProcessGoalFactory(
        work_package=package,
        number="2.1",
        title_fi="Hoitoon pääsy nopeutuu",
        title_sv="Tillgången till vård blir snabbare",
        target_date=date(2025, 12, 31),
        hts=[1, 3],
    )
    action_in_package = partial(ActionFactory, work_package=package)
    late = action_in_package(
        number="2.1.1",
        title_fi="Chatbot käyttöön",
        status="in_progress",
        planned_end=date(2023, 1, 31),
        owner=personas.project_worker,
    )
    done = action_in_package(number="2.1.2", title_fi="Ajanvaraus", status="done")
    action_in_package(number="2.2.1", title_fi="Muun tavoitteen toimenpide")
    for action in (late, done):
        action.goals.add(goal)
    indicator = IndicatorFactory(
        project=personas.project,
        code="M7",
        name_fi="Odotusaika",
        targets={date(2025, 12, 31): 14},
        measurements={date(2022, 12, 31): 21},
    )
    indicator.goals.add(goal)
    IndicatorFactory(project=personas.project, code="M8", name_fi="Muu mittari")
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    return goal


def _get(client, user, goal, lang="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client.get(reverse("objectives:goal-detail", args=[goal.pk]))


def test_the_goal_page_shows_its_light_hts_actions_and_indicators(client, personas, goal):
    response = _get(client, personas.steering_member, goal)
    html = response.text
    assert response.status_code == 200
    assert "<h1>2.1 Hoitoon pääsy nopeutuu</h1>" in html
    assert html.count('class="badge">HT1<') == 1 and 'class="badge">HT3<' in html
    assert "Chatbot käyttöön" in html and "Ajanvaraus" in html
    assert "Muun tavoitteen toimenpide" not in html  # another goal's action
    assert "M7 Odotusaika" in html and "Muu mittari" not in html
    assert "31.12.2025" in html  # the target date
    page = response.context["page"]
    assert [a.number for a in page.actions] == ["2.1.1", "2.1.2"]
    assert page.light is not None  # the stored goal light, with its symbol and text
    assert page.counts == {"red": 1, "green": 1}  # late vs done, each with its own light
    assert 'class="light light--red"' in html


def test_in_swedish_the_goal_has_its_swedish_title(client, personas, goal):
    html = _get(client, personas.steering_member, goal, lang="sv").text
    assert "Tillgången till vård blir snabbare" in html
    assert "Åtgärder" in html  # the actions heading, translated


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("ministry_viewer", 200),
        ("project_worker", 200),
        ("programme_admin", 200),
    ],
)
def test_who_may_read_the_goal(client, personas, goal, persona, status):
    assert _get(client, getattr(personas, persona), goal).status_code == status


def test_anonymous_is_sent_to_log_in(client, goal):
    response = client.get(reverse("objectives:goal-detail", args=[goal.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_hanke_tree_and_the_action_page_link_to_the_goal(client, personas, goal):
    url = reverse("objectives:goal-detail", args=[goal.pk])
    client.force_login(personas.project_manager)
    hanke = client.get(
        reverse("objectives:hanke", args=[personas.project.pk]),
        {"paketti": goal.work_package_id},
    )
    assert f'href="{url}"' in hanke.text
    action = goal.actions.first()
    assert f'href="{url}"' in client.get(reverse("objectives:action-detail", args=[action.pk])).text


def test_query_count_is_the_same_for_a_small_and_a_large_goal(
    client, personas, goal, django_assert_max_num_queries
):
    big = ProcessGoalFactory(work_package=goal.work_package, number="2.9")
    for i in range(40):
        ActionFactory(work_package=goal.work_package, number=f"2.9.{i}").goals.add(big)
    for i in range(15):
        IndicatorFactory(project=personas.project, code=f"B{i}").goals.add(big)
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    client.force_login(personas.programme_admin)
    counts = []
    for one in (goal, big):
        with django_assert_max_num_queries(12) as captured:
            response = client.get(reverse("objectives:goal-detail", args=[one.pk]))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
