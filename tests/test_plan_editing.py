"""The plan in the browser (issue #17): services (permission, version, history with a reason,
lights marked stale, retirement by date) and the pages (forms, conflict view side by side,
query counts). The refusals of every URL are in tests/test_permission_matrix.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from measures.history import plan_at
from measures.history import plan_now
from measures.models import IndicatorProgress
from measures.services import indicator_save
from measures.services import indicator_targets_save
from measures.values import unit_change_problem
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from objectives.services import action_retire
from objectives.services import action_save
from objectives.services import goal_save
from projects.models import PlanVersion
from projects.models import Project
from projects.plan_services import PlanConflictError
from projects.plan_services import plan_version_start
from projects.plan_services import work_package_retire
from projects.plan_services import work_package_save
from reporting.exports.national import national_extract
from reporting.plan.selectors import plan_version_diff

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory
from .factories import recorded_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(personas):
    return WorkPackageFactory(project=personas.project, code="TP1")


def _hts(*numbers):
    return list(BenefitTarget.objects.filter(number__in=numbers))


def _goal(personas, package, **values):
    return goal_save(
        project=personas.project,
        actor=personas.project_manager,
        values={"number": "T1", "title_fi": "Hoitoon pääsy nopeutuu", "work_package": package}
        | values,
        benefit_targets=_hts(1, 3),
    )


def _edit(personas, save, *, values, reason, actor=None, **row):
    """`save` edits the row given as its one keyword (goal=, action=...) at the version the row
    has, with `reason`: by the hanke's manager unless `actor` says who."""
    ((_keyword, edited),) = row.items()
    return save(
        project=personas.project,
        actor=actor or personas.project_manager,
        values=values,
        expected_version=edited.version,
        reason=reason,
        **row,
    )


# --- Services ---------------------------------------------------------------------------------


def test_a_goal_is_added_with_two_ht_tags_and_marks_the_lights_stale(personas, package):
    # when the manager adds a goal with HT1 and HT3
    goal = _goal(personas, package, title_sv="Snabbare vård", target_date=date(2023, 12, 31))
    # then it is saved with its tags, a history row by the manager, and the hanke is dirty
    assert sorted(goal.benefit_targets.values_list("number", flat=True)) == [1, 3]
    created = goal.history.get()
    assert (created.history_type, created.history_user) == ("+", personas.project_manager)
    assert Project.objects.get(pk=personas.project.pk).status_dirty_at is not None


@pytest.mark.parametrize("persona", ["project_worker", "steering_member", "ministry_viewer"])
def test_only_the_manager_and_the_programme_office_edit_the_plan(personas, package, persona):
    with pytest.raises(PermissionDenied):
        goal_save(
            project=personas.project,
            actor=getattr(personas, persona),
            values={"number": "T9", "title_fi": "x", "work_package": package},
        )
    assert not ProcessGoal.objects.exists()


def test_an_action_under_a_goal_is_not_reported_and_reads_its_schedule(personas, package):
    goal = _goal(personas, package)
    action = action_save(
        project=personas.project,
        actor=personas.project_manager,
        values={
            "number": "1.1",
            "title_fi": "Chat",
            "work_package": package,
            "schedule_text": "1-6/2023",
        },
        goals=[goal],
        benefit_targets=_hts(2),
    )
    assert action.status == "not_reported"
    assert (action.planned_start, action.planned_end) == (date(2023, 1, 1), date(2023, 6, 30))
    assert list(action.goals.all()) == [goal]


def test_an_edit_needs_a_reason_and_the_version_the_user_saw(personas, package):
    goal = _goal(personas, package)
    values = {"number": "T1", "title_fi": "Uusi otsikko", "work_package": package}
    edit = partial(goal_save, project=personas.project, values=values, goal=goal)
    with pytest.raises(ValidationError) as refused:
        edit(actor=personas.project_manager, expected_version=goal.version)
    assert "reason" in refused.value.message_dict
    by_admin = partial(edit, actor=personas.programme_admin, reason="Tarkennus")
    with pytest.raises(PlanConflictError) as conflict:
        by_admin(expected_version=goal.version - 1)
    assert conflict.value.current.title_fi == "Hoitoon pääsy nopeutuu"
    saved = by_admin(expected_version=goal.version)
    newest = saved.history.first()
    assert (saved.version, newest.history_change_reason, newest.history_user) == (
        2,
        "Tarkennus",
        personas.programme_admin,
    )


def test_an_action_moves_to_another_goal_and_package(personas, package):
    goal = _goal(personas, package)
    other_package = WorkPackageFactory(project=personas.project, code="TP2")
    other_goal = ProcessGoalFactory(work_package=other_package, number="T2")
    action = ActionFactory(work_package=package, number="1.1")
    action.goals.set([goal])
    move = partial(action_save, goals=[other_goal])
    _edit(personas, move, action=action, values={"work_package": other_package}, reason="Siirretty")
    action.refresh_from_db()
    assert action.work_package == other_package and list(action.goals.all()) == [other_goal]


def test_goals_of_another_hanke_are_refused(personas, package):
    foreign = ProcessGoalFactory(work_package=WorkPackageFactory(project=personas.other_project))
    with pytest.raises(ValidationError):
        action_save(
            project=personas.project,
            actor=personas.project_manager,
            values={"number": "1", "title_fi": "x", "work_package": package},
            goals=[foreign],
        )


def test_a_work_package_with_live_rows_cannot_be_retired(personas, package):
    ActionFactory(work_package=package)
    with pytest.raises(ValidationError):
        work_package_retire(
            package=package,
            actor=personas.project_manager,
            expected_version=package.version,
            reason="Ei enää",
        )


def test_a_retired_action_leaves_the_live_plan_but_not_the_days_before(personas, package):
    # given an action recorded in January and retired (by the manager) today
    with recorded_on(date(2023, 1, 10)):
        action = ActionFactory(work_package=package, status="in_progress")
    retired = action_retire(
        action=action,
        actor=personas.project_manager,
        expected_version=action.version,
        reason="Yhdistetty toiseen",
    )
    # then it is still in the table, out of today's plan, in the plan of a day before
    assert Action.objects.filter(pk=action.pk).exists() and retired.retired_on is not None
    assert action.pk not in {a["id"] for a in plan_now([personas.project.pk]).actions}
    assert action.pk in {a["id"] for a in plan_at([personas.project.pk], date(2023, 6, 30)).actions}
    today = plan_at([personas.project.pk], retired.retired_on)
    assert action.pk not in {a["id"] for a in today.actions}
    assert retired.history.first().history_change_reason == "Yhdistetty toiseen"


def test_an_action_retired_after_a_round_stays_in_that_rounds_national_extract(personas, package):
    # given an action recorded before the round's cut-off and retired after it
    with recorded_on(date(2023, 1, 10)):
        action = ActionFactory(work_package=package, number="7.1")
    with recorded_on(date(2023, 5, 2)):
        action_retire(
            action=action, actor=personas.project_manager, expected_version=1, reason="Lopetettu"
        )
    before = ReportingPeriodFactory(
        programme=personas.project.programme, name="4/2023", cut_off=date(2023, 3, 31)
    )
    after = ReportingPeriodFactory(
        programme=personas.project.programme, name="9/2023", cut_off=date(2023, 8, 31)
    )
    with translation.override("en"):
        early = national_extract(period=before, user=personas.ministry_viewer)
        late = national_extract(period=after, user=personas.ministry_viewer)
    # then the earlier round lists it and the later one does not
    assert "7.1" in {row.number for row in early.actions}
    assert "7.1" not in {row.number for row in late.actions}


def test_the_unit_of_an_indicator_with_values_cannot_change(personas):
    indicator = IndicatorFactory(
        project=personas.project, unit="percent", measurements={date(2022, 12, 31): 50}
    )
    with pytest.raises(ValidationError) as refused:
        _edit(
            personas,
            indicator_save,
            indicator=indicator,
            values={"unit": "days"},
            reason="Yksikkö väärin",
        )
    assert "unit" in refused.value.message_dict


@pytest.mark.parametrize(
    ("old", "new", "has_values", "refused"),
    [
        ("percent", "days", True, True),
        ("percent", "days", False, False),
        ("percent", "percent", True, False),
        (None, "days", False, False),
    ],
)
def test_the_shared_unit_rule(old, new, has_values, refused):
    problem = unit_change_problem(old_unit=old, new_unit=new, has_values=has_values)
    assert (problem is not None) is refused


def test_a_baseline_and_a_yearly_target_give_the_indicator_a_light(
    personas, django_capture_on_commit_callbacks
):
    # given an indicator with values but no baseline or target: grey
    year = timezone.localdate().year - 1  # a recent value: an old one would be "stale"
    indicator = IndicatorFactory(
        project=personas.project,
        unit="percent",
        direction="higher",
        measurements={date(year, 12, 31): 60},
    )
    # when the manager sets its baseline and a yearly target
    baseline = {"baseline_value": Decimal(40), "baseline_date": date(2020, 12, 31)}
    reason = "Lähtötaso suunnitelmasta"
    indicator = _edit(personas, indicator_save, indicator=indicator, values=baseline, reason=reason)
    with django_capture_on_commit_callbacks(execute=True):
        changed = indicator_targets_save(
            indicator=indicator,
            actor=personas.project_manager,
            targets={date(year + 1, 12, 31): Decimal(80), date(year, 12, 31): None},
            reason="Tavoite suunnitelmasta",
        )
    # then the lights (recomputed on commit, eagerly in tests) give it a colour
    assert changed == 1
    progress = IndicatorProgress.objects.get(indicator=indicator)
    assert progress.light != "grey" and progress.reason_code != "no_target"


def test_a_plan_version_diff_lists_new_changed_and_retired_rows(personas, package):
    # given the plan as it stood before the version
    with recorded_on(date(2023, 1, 5)):
        goal = ProcessGoalFactory(work_package=package, number="T1", title_fi="Vanha")
        old_action = ActionFactory(work_package=package, number="1.1")
    version = plan_version_start(
        project=personas.project,
        actor=personas.project_manager,
        name="2023–2025",
        issued_on=date(2023, 2, 1),
    )
    # when rows are added, changed and retired in the portal
    new_goal = _goal(personas, package, number="T2")
    _edit(
        personas,
        goal_save,
        goal=goal,
        values={"title_fi": "Uusi muotoilu"},
        reason="Päivitetty suunnitelma",
    )
    action_retire(
        action=old_action, actor=personas.project_manager, expected_version=1, reason="Pois"
    )
    # then the diff says so, with the old and the new title
    diff = plan_version_diff(project=personas.project, version=version)
    assert [r.pk for r in diff.new] == [new_goal.pk]
    assert [r.pk for r in diff.changed] == [goal.pk]
    assert ("Vanha", "Uusi muotoilu") in [(old, new) for _f, old, new in diff.changed[0].changes]
    assert [r.pk for r in diff.retired] == [old_action.pk]
    assert ProcessGoal.objects.get(pk=new_goal.pk).change == "new"


def test_a_new_version_cannot_precede_the_current_one(personas):
    PlanVersion.objects.create(
        project=personas.project, key="v1", name="2023", issued_on=date(2023, 1, 1)
    )
    with pytest.raises(ValidationError):
        plan_version_start(
            project=personas.project,
            actor=personas.project_manager,
            name="2022",
            issued_on=date(2022, 1, 1),
        )


def test_a_work_package_is_added_and_edited_with_a_reason(personas):
    package = work_package_save(
        project=personas.project,
        actor=personas.project_manager,
        values={"code": "TP9", "name_fi": "Digi"},
    )
    values = {"name_fi": "Digitaaliset palvelut"}
    edited = _edit(
        personas, work_package_save, package=package, values=values, reason="Nimi tarkennettu"
    )
    assert (edited.name_fi, edited.version) == ("Digitaaliset palvelut", 2)


# --- Pages ------------------------------------------------------------------------------------


def _edit_url(kind, project, pk):
    return reverse(f"reporting:plan-{kind}-edit", args=[project.pk, pk])


def test_the_manager_adds_a_goal_with_two_ht_tags_in_the_browser(client, personas, package):
    client.force_login(personas.project_manager)
    url = reverse("reporting:plan-goal-add", args=[personas.project.pk])
    assert client.get(url).status_code == 200
    hts = [
        str(pk)
        for pk in BenefitTarget.objects.filter(number__in=[1, 2]).values_list("pk", flat=True)
    ]
    response = client.post(
        url,
        {
            "number": "T5",
            "kind": "process",
            "title_fi": "Palveluohjaus yhdestä paikasta",
            "work_package": package.pk,
            "benefit_targets": hts,
            "mark": "auto",
        },
    )
    assert response.status_code == 302
    goal = ProcessGoal.objects.get(number="T5")
    assert goal.benefit_targets.count() == 2


def test_a_stale_action_edit_shows_both_versions_side_by_side(client, personas, package):
    # given the manager opened the action's edit page, and the admin saved a new title since
    action = ActionFactory(work_package=package, number="1.1", title_fi="Alkuperäinen")
    opened_version = action.version
    by_admin = {"actor": personas.programme_admin, "reason": "Muutos"}
    _edit(personas, action_save, action=action, values={"title_fi": "Toisen muutos"}, **by_admin)
    client.force_login(personas.project_manager)
    # when the manager saves their own title against the version they opened
    response = client.post(
        _edit_url("action", personas.project, action.pk),
        {
            "op": "save",
            "number": "1.1",
            "title_fi": "Oma muutos",
            "work_package": package.pk,
            "expected_version": opened_version,
            "reason": "Oma syy",
            "mark": "auto",
        },
    )
    # then nothing is saved and the page shows both titles with the user's input kept
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="conflict"' in html and "Toisen muutos" in html and "Oma muutos" in html
    assert f'name="expected_version" value="{opened_version + 1}"' in html
    assert Action.objects.get(pk=action.pk).title_fi == "Toisen muutos"


def test_retiring_in_the_browser_needs_a_reason(client, personas, package):
    action = ActionFactory(work_package=package)
    client.force_login(personas.project_manager)
    url = _edit_url("action", personas.project, action.pk)
    response = client.post(url, {"op": "retire", "reason": "", "expected_version": action.version})
    assert response.status_code == 200 and Action.objects.get(pk=action.pk).retired_on is None
    response = client.post(
        url, {"op": "retire", "reason": "Päällekkäinen", "expected_version": action.version}
    )
    assert response.status_code == 302 and Action.objects.get(pk=action.pk).retired_on
    retired_page = client.get(
        reverse("reporting:plan", args=[personas.project.pk]), {"osa": "poistetut"}
    )
    assert action.number in retired_page.content.decode()


def test_the_indicator_targets_form_saves_yearly_targets(client, personas):
    indicator = IndicatorFactory(project=personas.project)
    client.force_login(personas.project_manager)
    response = client.post(
        _edit_url("indicator", personas.project, indicator.pk),
        {"op": "targets", "target_2022": "55", "target_2023": "70,5", "reason": "Suunnitelma"},
    )
    assert response.status_code == 302
    assert list(indicator.targets.values_list("target_date", "value")) == [
        (date(2022, 12, 31), Decimal(55)),
        (date(2023, 12, 31), Decimal("70.5")),
    ]


def test_the_hanke_goal_and_action_pages_link_to_the_plan_for_managers_only(
    client, personas, package
):
    goal = ProcessGoalFactory(work_package=package)
    action = ActionFactory(work_package=package)
    plan_url = reverse("reporting:plan", args=[personas.project.pk])
    for persona, shown in (("project_manager", True), ("steering_member", False)):
        client.force_login(getattr(personas, persona))
        hanke = client.get(reverse("objectives:hanke", args=[personas.project.pk])).content.decode()
        goal_page = client.get(reverse("objectives:goal-detail", args=[goal.pk])).content.decode()
        action_page = client.get(
            reverse("objectives:action-detail", args=[action.pk])
        ).content.decode()
        assert (plan_url in hanke) is shown
        assert (_edit_url("goal", personas.project, goal.pk) in goal_page) is shown
        assert (_edit_url("action", personas.project, action.pk) in action_page) is shown


@pytest.mark.parametrize("part", ["paketit", "tavoitteet", "toimenpiteet", "mittarit", "poistetut"])
def test_the_plan_page_reads_a_fixed_number_of_queries(
    client, personas, package, part, django_assert_max_num_queries
):
    client.force_login(personas.project_manager)
    url = reverse("reporting:plan", args=[personas.project.pk])

    def count(n):
        for _i in range(n):
            goal = ProcessGoalFactory(work_package=package)
            ActionFactory(work_package=package).goals.set([goal])
            IndicatorFactory(project=personas.project)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"osa": part}).status_code == 200
        return len(queries)

    few = count(1)
    many = count(30)
    assert many == few
    with django_assert_max_num_queries(20):
        client.get(url, {"osa": part})


def test_a_retired_row_is_shown_but_not_edited(client, personas, package):
    action = ActionFactory(work_package=package, title_fi="Vanha")
    action_retire(action=action, actor=personas.project_manager, expected_version=1, reason="Pois")
    client.force_login(personas.project_manager)
    url = _edit_url("action", personas.project, action.pk)
    html = client.get(url).content.decode()
    assert "Käytöstä poistettua riviä ei voi muokata." in html and 'name="op"' not in html
    response = client.post(url, {"op": "save", "title_fi": "Uusi", "reason": "x"})
    assert response.status_code == 302 and Action.objects.get(pk=action.pk).title_fi == "Vanha"


def test_retired_rows_leave_the_live_lists(client, personas, package):
    kept = ActionFactory(work_package=package, title_fi="Jatkuu")
    gone = ActionFactory(work_package=package, title_fi="Lopetettu")
    action_retire(action=gone, actor=personas.project_manager, expected_version=1, reason="Pois")
    client.force_login(personas.steering_member)
    actions = client.get(reverse("objectives:action-list", args=[personas.project.pk]))
    hanke = client.get(reverse("objectives:hanke", args=[personas.project.pk]), {"q": "u"})
    for page in (actions.content.decode(), hanke.content.decode()):
        assert kept.title_fi in page and gone.title_fi not in page
