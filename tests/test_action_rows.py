"""An action's row in the lists (objectives/templatetags/action_rows.py): the same markup the
row template drew, its values escaped, its dates in d.m.yyyy, in the reader's language.
Pure: unsaved objects, no database."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from objectives.choices import ActionStatus
from objectives.choices import PlanChange
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.templatetags.action_rows import TITLE_CHARS
from objectives.templatetags.action_rows import action_edit_link
from objectives.templatetags.action_rows import action_items
from objectives.templatetags.action_rows import action_summary
from objectives.templatetags.action_rows import goal_line
from projects.models import WorkPackage
from reporting.dashboards.selectors import GoalNode


def _action(**fields) -> Action:
    action = Action(**{"pk": 7, "number": "K2-A3", "title_fi": "Chat-palvelu", **fields})
    action.light = None
    action.last_update = None
    return action


def test_the_row_names_every_fact_and_a_dash_for_what_the_plan_does_not_give():
    action = _action(schedule_text="2024–2025", planned_end=date(2025, 6, 30))
    with translation.override("fi"):
        html = action_summary(action)
    assert '<a class="tree__title" href="/toimenpiteet/7/">K2-A3 Chat-palvelu</a>' in html
    assert "<dt>Aikataulu</dt><dd>2024–2025 (päättyy 30.6.2025)</dd>" in html
    assert "<dd>–</dd>" in html  # responsible party, owner and last update not given
    assert 'class="badge"' not in html


def test_values_are_escaped_and_a_long_title_is_cut():
    action = _action(title_fi="<script>x</script>" + "a" * 300, responsible_text='"R&D"')
    action.owner = get_user_model()(username="o'neil")
    html = action_summary(action)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&quot;R&amp;D&quot;" in html and "o&#x27;neil" in html
    title = html.split('class="tree__title"')[1].split("</a>")[0]
    assert title.endswith("…") and len(title) < TITLE_CHARS + 60


def test_last_update_is_the_local_day_and_new_rows_are_marked_in_swedish():
    action = _action(change=PlanChange.NEW)
    action.last_update = datetime(2025, 3, 31, 22, 30, tzinfo=UTC)  # 1.4. in Helsinki
    with translation.override("sv"):
        html = action_summary(action)
    assert "<dd>1.4.2025</dd>" in html
    assert '<span class="badge">Ny i denna plan</span>' in html


@pytest.mark.parametrize("focus", [False, True])
def test_the_edit_link_carries_the_list_parameters_escaped(focus):
    html = action_edit_link(_action(), "view=hanke&sivu=2", focus)
    assert 'hx-get="/toimenpiteet/7/rivi/?edit=1&amp;view=hanke&amp;sivu=2"' in html
    assert ("data-focus-after-swap" in html) is focus


def test_a_list_links_only_the_rows_the_user_may_update_and_marks_cancelled_ones():
    mine, other = _action(), _action(pk=8, number="K2-A4", status=ActionStatus.CANCELLED)
    mine.can_update, other.can_update = True, False
    html = action_items([mine, other], "view=hanke")
    assert html.count("<li ") == 2 and html.count("</li>") == 2
    assert html.count('class="row-actions"') == 1 and "/toimenpiteet/7/rivi/" in html
    assert '<li class="tree__action tree__action--cancelled">' in html
    assert "/toimenpiteet/8/rivi/" not in html


def _goal_node(title: str, package_name: str, hts=("HT2",)) -> GoalNode:
    goal = ProcessGoal(pk=5, number="G<1>", title_fi=title)
    goal.work_package = WorkPackage(name_fi=package_name)
    return GoalNode(goal=goal, light=None, hts=list(hts), actions=[])


def test_a_goal_line_links_its_title_escaped_with_its_hts_and_light():
    with translation.override("fi"):
        html = goal_line(_goal_node("Chat & <b>", "Paketti"))
    link = '<a class="tree__title" href="/tavoitteet/5/">G&lt;1&gt; Chat &amp; &lt;b&gt;</a>'
    assert link in html
    assert ' <span class="badge">HT2</span>' in html
    assert '<span id="goal-light-5">' in html and "Ei arviota" in html


def test_a_goal_named_as_its_package_is_not_titled_twice_in_swedish():
    with translation.override("sv"):
        html = goal_line(_goal_node("Digitala tjänster", "Digitala tjänster", hts=()))
    assert ">Processmål G&lt;1&gt;</a>" in html
    assert "badge" not in html
