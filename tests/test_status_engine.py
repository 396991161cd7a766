"""The status engine on the database: stored lights, bounded queries, dirty marks, Celery."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils import translation
from kombu.exceptions import OperationalError

from measures.models import CurrentLight
from measures.models import DayLight
from measures.models import IndicatorProgress
from measures.services import ConflictError
from measures.services import measurement_save
from measures.services import target_save
from measures.status_engine import lights_on
from measures.status_engine import status_recompute_all
from measures.status_engine import status_recompute_dirty
from measures.status_engine import status_recompute_projects
from measures.status_engine import status_refresh_action
from measures.tasks import status_recompute_project_task
from objectives.models import ReportingPeriod
from objectives.services import ActionConflictError
from portal.celery import app
from projects.models import Programme
from projects.models import Project
from reporting.tasks import round_lights_keep_task

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import ProjectFactory
from .factories import programme_admin
from .factories import recorded_on
from .helpers import status_report

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


def _hanke_with_work(project=None, target_date=date(2023, 12, 31)):
    """A hanke with a goal, an action under it, a loose action and an indicator with data."""
    project = project or ProjectFactory()
    goal = ProcessGoalFactory(work_package__project=project, project=project, hts=[1, 3])
    action = ActionFactory(
        work_package=goal.work_package,
        project=project,
        status="in_progress",
        planned_end=date(2022, 12, 31),
    )
    action.goals.add(goal)
    ActionFactory(work_package=goal.work_package, project=project, status="done")
    indicator = IndicatorFactory(
        project=project,
        baseline_value=Decimal(50),
        baseline_date=date(2021, 1, 1),
        frequency="yearly",
        targets={target_date: Decimal(100)},
    )
    indicator.goals.add(goal)
    return project, goal, action, indicator


def test_recompute_stores_lights_with_reasons_for_every_level(demo_db):
    report = status_recompute_all(today=TODAY)
    assert report.projects == 4
    kinds = set(CurrentLight.objects.filter(as_of=TODAY).values_list("kind", flat=True))
    assert kinds == {
        "action",
        "indicator",  # a daily row per indicator too: the steering view compares colours
        "goal",
        "work_package",
        "project_ht",
        "project",
        "region",
        "programme",
    }
    assert IndicatorProgress.objects.count() == 93
    assert CurrentLight.objects.filter(as_of=TODAY, kind="indicator").count() == 93
    # The plans state few statuses: the others are "not reported", grey and never late
    # (the demo data once defaulted to "not started", which made passed schedules red).
    grey = CurrentLight.objects.filter(kind="action", reason_code="action_not_reported").first()
    assert grey.light == "grey"
    assert _finnish(grey) == "Ei raportoitu: suunnitelma ei kerro tilaa"
    project, *_ = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    late = CurrentLight.objects.get(kind="action", light="red")
    assert late.reason_code in ("action_late_end", "action_late_start")
    assert _finnish(late).startswith("Myöhässä")


def _finnish(row) -> str:
    with translation.override("fi"):
        return row.assessment.reason.text


def test_a_rollup_shows_its_children_by_colour(db):
    project, goal, action, indicator = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    row = CurrentLight.objects.get(kind="goal", object_id=goal.pk, as_of=TODAY)
    assert row.counts["red"] == 1  # the late action
    assert sum(row.counts.values()) == 2  # the action and the indicator (grey: no data)
    ht1 = CurrentLight.objects.get(kind="project_ht", object_id=project.pk, ht=1, as_of=TODAY)
    assert ht1.light == row.light


def test_recompute_twice_writes_the_same_rows(db):
    project, *_ = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    first = list(
        CurrentLight.objects.values_list("kind", "object_id", "ht", "light", "behind_share")
    )
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    again = list(
        CurrentLight.objects.values_list("kind", "object_id", "ht", "light", "behind_share")
    )
    assert sorted(first) == sorted(again)


@pytest.mark.parametrize("hankkeet", [1, 5])
def test_recompute_runs_a_fixed_number_of_queries(db, hankkeet):
    # given one or five hankkeet with the same shape
    projects = [_hanke_with_work()[0] for _ in range(hankkeet)]
    # when
    with CaptureQueriesContext(connection) as queries:
        status_recompute_projects(project_ids=[p.pk for p in projects], today=TODAY)
    # then the count does not depend on how many hankkeet (or rows) there are
    assert len(queries) <= 25, [q["sql"][:80] for q in queries]
    pytest.recompute_query_counts = getattr(pytest, "recompute_query_counts", set()) | {
        len(queries)
    }
    assert len(pytest.recompute_query_counts) == 1


def test_saving_a_measurement_recomputes_its_indicator(db, django_capture_on_commit_callbacks):
    project, goal, action, indicator = _hanke_with_work()
    user = programme_admin()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saved = measurement_save(
            indicator=indicator, period=date(2022, 12, 31), raw_value="95", actor=user
        )
    assert len(callbacks) == 1
    assert saved.created
    progress = IndicatorProgress.objects.get(indicator=indicator)
    assert progress.latest_value == Decimal(95)
    assert Project.objects.get(pk=project.pk).status_dirty_at is None


def test_second_value_for_a_period_is_an_edit_with_history(db):
    _, _, _, indicator = _hanke_with_work()
    user = programme_admin()
    first = measurement_save(
        indicator=indicator, period=date(2022, 3, 1), raw_value="60", actor=user
    )
    second = measurement_save(
        indicator=indicator,
        period=date(2022, 11, 5),
        raw_value="65",
        actor=user,
        expected_version=first.measurement.version,
    )
    assert not second.created
    assert second.measurement.period == date(2022, 12, 31)  # yearly: the year's last day
    history = list(
        second.measurement.history.order_by("history_date").values_list("value", "history_user")
    )
    assert [v for v, _ in history] == [Decimal(60), Decimal(65)]
    assert {u for _, u in history} == {user.pk}


def test_stale_version_is_a_conflict_not_an_overwrite(db):
    _, _, _, indicator = _hanke_with_work()
    user = programme_admin()
    measurement_save(indicator=indicator, period=date(2022, 12, 31), raw_value="60", actor=user)

    with pytest.raises(ConflictError) as caught:
        measurement_save(
            indicator=indicator,
            period=date(2022, 12, 31),
            raw_value="70",
            actor=user,
            expected_version=99,
        )
    assert caught.value.current.value == Decimal(60)


@pytest.mark.parametrize(
    ("unit", "raw"),
    [("percent", "101"), ("percent", "abc"), ("count", "2.5"), ("count", "-1"), ("days", "5/6")],
)
def test_invalid_values_are_refused_with_a_field_error(db, unit, raw):
    indicator = IndicatorFactory(unit=unit)
    with pytest.raises(ValidationError) as caught:
        measurement_save(
            indicator=indicator, period=date(2022, 12, 31), raw_value=raw, actor=programme_admin()
        )
    assert "value" in caught.value.message_dict


def test_fraction_keeps_numerator_and_denominator(db):
    indicator = IndicatorFactory(unit="percent")
    saved = measurement_save(
        indicator=indicator, period=date(2021, 12, 31), raw_value="698/788", actor=programme_admin()
    )
    m = saved.measurement
    assert (m.numerator, m.denominator, m.value_as_written) == (698, 788, "698/788")
    assert m.value == Decimal("88.5787")


def test_period_outside_the_indicators_span_is_refused(db):
    indicator = IndicatorFactory()  # hanke 2020-04-01 … 2023-12-31, programme to 2025
    with pytest.raises(ValidationError) as caught:
        measurement_save(
            indicator=indicator, period=date(2019, 5, 1), raw_value="5", actor=programme_admin()
        )
    assert "period" in caught.value.message_dict


def test_broker_down_the_save_succeeds_and_the_catch_up_recomputes(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    # given a broker that refuses connections
    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(status_recompute_project_task, "apply_async", refuse)
    status_recompute_all(today=TODAY)  # every other hanke has its lights of the day
    project, goal, action, indicator = _hanke_with_work()
    # when a user saves a measurement
    with django_capture_on_commit_callbacks(execute=True):
        measurement_save(
            indicator=indicator, period=date(2022, 12, 31), raw_value="80", actor=programme_admin()
        )
    # then the value is kept and the hanke is marked dirty, not lost
    assert indicator.measurements.get().value == Decimal(80)
    assert Project.objects.get(pk=project.pk).status_dirty_at is not None
    assert not IndicatorProgress.objects.filter(indicator=indicator).exists()
    # and the periodic catch-up computes it and clears the mark
    report = status_recompute_dirty(today=TODAY)
    assert report.projects == 1
    assert IndicatorProgress.objects.get(indicator=indicator).latest_value == Decimal(80)
    assert Project.objects.get(pk=project.pk).status_dirty_at is None


def test_action_status_update_logs_and_recomputes(db, django_capture_on_commit_callbacks):
    project, goal, action, indicator = _hanke_with_work()
    user = programme_admin()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = status_report(action, user, "done", date(2023, 5, 1), "Valmis")
    assert fresh.status == "done" and fresh.version == action.version + 1
    log = fresh.status_updates.get()
    assert (log.author, log.comment) == (user, "Valmis")
    row = CurrentLight.objects.filter(kind="action", object_id=action.pk).latest("as_of")
    assert row.light == "green"
    with pytest.raises(ActionConflictError):
        status_report(action, user, "in_progress", date(2023, 5, 2))


def test_target_change_marks_the_hanke_for_recomputation(db, django_capture_on_commit_callbacks):
    project, goal, action, indicator = _hanke_with_work()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        target_save(
            indicator=indicator,
            target_date=date(2023, 12, 31),
            value=Decimal(90),
            actor=programme_admin(),
        )
    assert len(callbacks) == 1
    assert Project.objects.get(pk=project.pk).status_dirty_at is not None


def test_programme_refuses_thresholds_out_of_order(db):
    programme = Programme.objects.create(
        name_fi="Ohjelma", start_date=date(2020, 1, 1), end_date=date(2025, 12, 31)
    )
    programme.indicator_yellow_ratio = Decimal("0.95")
    with pytest.raises(ValidationError) as caught:
        programme.full_clean()
    assert "indicator_yellow_ratio" in caught.value.message_dict


def test_recompute_status_command(demo_db, capsys):
    call_command("recompute_status", "--region", "16", "--date", "2023-06-30")
    assert "Recomputed 1 hankkeet" in capsys.readouterr().out


def test_beat_schedule_recomputes_nightly_and_catches_up_on_dirty_hankkeet():
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # (the e-mail tasks are in the schedule too: tests/test_notifications.py)
    assert {
        "measures.tasks.status_recompute_all_task",
        "measures.tasks.status_recompute_dirty_task",
        "portal.tasks.jobs_prune_task",  # deletes unconfirmed uploads and old export files
        "portal.tasks.jobs_resume_task",  # queues again the jobs nobody is working on
    } <= tasks
    assert tasks <= set(app.tasks)
    for name in tasks:
        task = app.tasks[name]
        assert task.acks_late and task.time_limit and task.soft_time_limit


# --- Rollups by shares, the current-state table and the save path (issue: truthful status) --


def test_one_late_action_among_201_keeps_the_hanke_and_its_region_green(db):
    project = ProjectFactory()
    goal = ProcessGoalFactory(work_package__project=project, project=project)
    for n in range(200):
        ActionFactory(
            work_package=goal.work_package, project=project, number=f"A{n}", status="in_progress"
        )
    late = ActionFactory(
        work_package=goal.work_package,
        project=project,
        number="K2-DIAB-A3",
        status="in_progress",
        planned_end=date(2023, 5, 31),
    )
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    hanke = CurrentLight.objects.get(kind="project", object_id=project.pk)
    assert hanke.light == "green" and hanke.behind_share == Decimal("0.0050")
    with translation.override("fi"):
        assert hanke.assessment.reason.text == (
            "1/201 toimenpidettä myöhässä: K2-DIAB-A3 – jäljessä 0,5\u00a0%"
        )
    assert late.pk in [item_id for item_id, _label in hanke.reason_params["groups"][0][3]]
    region = CurrentLight.objects.get(kind="region", object_id=project.region_id, ht=0)
    assert region.light == "green"


def test_a_year_of_nightly_runs_keeps_one_row_per_object(db):
    project, *_ = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 6, 1))
    rows = CurrentLight.objects.count()
    for day in range(2, 31):
        status_recompute_projects(project_ids=[project.pk], today=date(2023, 6, day))
    assert CurrentLight.objects.count() == rows
    assert set(CurrentLight.objects.values_list("as_of", flat=True)) == {date(2023, 6, 30)}


def test_a_run_for_an_earlier_day_leaves_newer_lights(db):
    project, _goal, action, _indicator = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 6, 30))
    report = status_recompute_projects(project_ids=[project.pk], today=date(2022, 6, 30))
    assert report.projects == 0
    row = CurrentLight.objects.get(kind="action", object_id=action.pk)
    assert (row.light, row.as_of) == ("red", date(2023, 6, 30))  # not the 2022 "yellow"


def test_removed_objects_lose_their_lights_at_the_next_run(db):
    project, _goal, action, _indicator = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    action.delete()
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    assert not CurrentLight.objects.filter(kind="action", object_id=action.pk).exists()


def test_nothing_dirty_writes_nothing(db):
    _hanke_with_work()
    status_recompute_all(today=TODAY)  # every hanke has its lights of the day
    before = list(CurrentLight.objects.values_list("pk", "computed_at"))
    assert status_recompute_dirty(today=TODAY).projects == 0
    assert list(CurrentLight.objects.values_list("pk", "computed_at")) == before


def test_a_save_refreshes_the_actions_own_light_and_leaves_the_rest_to_the_worker(
    db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    project, goal, action, _indicator = _hanke_with_work()
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    goal_before = CurrentLight.objects.get(kind="goal", object_id=goal.pk).computed_at
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        status_report(action, programme_admin(), "done", TODAY, "Valmis", today=TODAY)
    queued = [c for c in callbacks if c.__qualname__.startswith("enqueue_on_commit")]
    assert len(queued) == 1  # the hanke's recomputation, queued after the commit
    with django_assert_max_num_queries(2):  # the action, one upsert: whatever the size
        status_refresh_action(action_id=action.pk, today=TODAY)
    assert CurrentLight.objects.get(kind="action", object_id=action.pk).light == "green"
    assert CurrentLight.objects.get(kind="goal", object_id=goal.pk).computed_at == goal_before
    assert Project.objects.get(pk=project.pk).status_dirty_at is not None  # "updating…"


def test_the_queued_task_skips_a_hanke_already_recomputed(db):
    project, *_ = _hanke_with_work()
    Project.objects.filter(pk=project.pk).update(status_dirty_at=timezone.now())
    assert status_recompute_project_task(project.pk)["projects"] == 1
    assert status_recompute_project_task(project.pk) == {"projects": 0, "up_to_date": True}


def test_a_past_day_is_computed_once_and_kept_today_is_the_current_state(
    db, django_assert_num_queries
):
    with recorded_on(date(2023, 1, 2)):
        project, _goal, action, _indicator = _hanke_with_work()
    day = date(2023, 3, 31)
    first = lights_on(project_ids=[project.pk], day=day, today=TODAY)
    assert DayLight.objects.filter(day=day, project=project).count() == len(first)
    with django_assert_num_queries(1):  # kept: one read, no history
        again = lights_on(project_ids=[project.pk], day=day, today=TODAY)
    light = {(r.kind, r.object_id): r.light for r in again}
    assert light[("action", action.pk)] == "red"  # planned end 31.12.2022 had passed
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    today = lights_on(project_ids=[project.pk], day=TODAY, today=TODAY)
    assert {type(r).__name__ for r in today} == {"CurrentLight"}
    assert not DayLight.objects.filter(day=TODAY).exists()


def test_the_daily_task_keeps_the_lights_of_past_rounds(db):
    with recorded_on(date(2023, 1, 2)):
        project, *_ = _hanke_with_work()
    ReportingPeriod.objects.create(
        programme=project.programme, name="4/2023", cut_off=date(2023, 3, 31), due_date=TODAY
    )
    round_lights_keep_task()
    kept = DayLight.objects.filter(day=date(2023, 3, 31), project=project)
    assert kept.filter(kind="project").exists() and kept.filter(kind="action").count() == 2
    again = kept.count()
    round_lights_keep_task()  # nothing new to compute
    assert kept.count() == again
