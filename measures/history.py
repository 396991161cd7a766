"""What the status rules read, loaded either as it stands now or as it was recorded by a date.

Contract (design README §4: "every light is a function of the recorded history and a date"):
- `plan_now(project_ids)` reads the live tables;
- `plan_at(project_ids, day)` reads django-simple-history's rows: for each work package, goal,
  action, indicator, target and measurement, its newest historical row recorded on or before
  the end of `day` (in the portal's time zone), and nothing that was deleted by then. So an
  action imported after the day is not there, a status saved after it does not count, and a
  value corrected after it counts with the value it had then. The answer for a past day
  therefore never changes once the day is over: a round's numbers can be built again and
  again.
- Both return a `PlanData` of plain dicts; both cost a fixed number of queries (one per
  table) whatever the number of hankkeet or objects.

Retired plan rows (`retired_on`, portal.models_common.Retirable) are left out of the live
plan and out of any day on or after their retirement date; a day before it still has them.

Known limits, stated where they are read: links between rows (an action's goals, the HT tags)
are not versioned by simple-history, so the links of today are applied to the rows that
existed on the day. Every write path of the portal saves a historical row (services, the
imports' `history_copy`, the demo loader, the scale generator); a row without any is
not known to have existed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.utils import timezone

from objectives.models import Action
from objectives.models import ProcessGoal
from portal.models_common import first_of_each
from projects.models import Project
from projects.models import WorkPackage

from .choices import MeasurementSource
from .models import Indicator
from .models import Measurement
from .models import Target
from .progress import Point
from .progress import TargetPoint

_FIELDS = {
    WorkPackage: ("id", "project_id", "parent_id", "code", "retired_on"),
    ProcessGoal: ("id", "project_id", "work_package_id", "number", "retired_on"),
    Action: (
        "id",
        "project_id",
        "work_package_id",
        "number",
        "status",
        "planned_start",
        "planned_end",
        "retired_on",
    ),
    Indicator: (
        "id",
        "project_id",
        "code",
        "direction",
        "frequency",
        "baseline_value",
        "baseline_date",
        "retired_on",
    ),
}


@dataclass
class PlanData:
    """Everything the rules need for a set of hankkeet (plain values only)."""

    projects: list[dict]
    packages: list[dict]
    goals: list[dict]
    actions: list[dict]
    indicators: list[dict]
    action_goals: dict[int, list[int]]
    action_hts: dict[int, list[int]]
    goal_hts: dict[int, list[int]]
    indicator_goals: dict[int, list[int]]
    indicator_hts: dict[int, list[int]]
    targets: dict[int, list[TargetPoint]]
    points: dict[int, list[Point]]
    # Per indicator, the periods whose value was generated for the demo (source "demo"),
    # so a light resting on one, and every rollup counting it, can say so.
    generated: dict[int, set[date]] = field(default_factory=dict)


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in the portal's time zone: what was recorded before it
    was recorded "on or before the day"."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


def _links(model, field_name: str, right: str, project_ids, keep: set[int]) -> dict:
    """Per row of `model` in `keep`, the `right` values of its many-to-many `field_name`."""
    name = model._meta.model_name  # the through table's column of the row: "<name>_id"
    through = getattr(model, field_name).through
    rows = through.objects.filter(**{f"{name}__project__in": project_ids}).values_list(
        f"{name}_id", right
    )
    grouped: dict[int, list[int]] = defaultdict(list)
    for a, b in rows:
        if a in keep:
            grouped[a].append(b)
    return grouped


def _assemble(project_ids, rows: dict, targets, points, generated) -> PlanData:
    ids = list(project_ids)
    actions = {a["id"] for a in rows[Action]}
    goals = {g["id"] for g in rows[ProcessGoal]}
    indicators = {i["id"] for i in rows[Indicator]}
    action_goals = _links(Action, "goals", "processgoal_id", ids, actions)
    indicator_goals = _links(Indicator, "goals", "processgoal_id", ids, indicators)
    return PlanData(
        projects=list(
            Project.objects.filter(pk__in=ids).values("id", "region_id", "programme_id", "name_fi")
        ),
        packages=rows[WorkPackage],
        goals=rows[ProcessGoal],
        actions=rows[Action],
        indicators=rows[Indicator],
        # A link to a goal that did not exist on the day is dropped with it.
        action_goals={a: [g for g in gs if g in goals] for a, gs in action_goals.items()},
        action_hts=_links(Action, "benefit_targets", "benefittarget__number", ids, actions),
        goal_hts=_links(ProcessGoal, "benefit_targets", "benefittarget__number", ids, goals),
        indicator_goals={i: [g for g in gs if g in goals] for i, gs in indicator_goals.items()},
        indicator_hts=_links(
            Indicator, "benefit_targets", "benefittarget__number", ids, indicators
        ),
        targets=targets,
        points=points,
        generated=generated,
    )


def in_plan_on(row: dict, day: date) -> bool:
    """A retired row leaves the plan on its retirement date (`row` has "retired_on")."""
    retired = row["retired_on"]
    return retired is None or retired > day


def plan_now(project_ids) -> PlanData:
    """The live rows of these hankkeet, retired ones left out (ten queries)."""
    ids = list(project_ids)
    rows = {
        model: list(
            model.objects.filter(project__in=ids, retired_on__isnull=True)
            .order_by()
            .values(*fields)
        )
        for model, fields in _FIELDS.items()
    }
    targets: dict[int, list[TargetPoint]] = defaultdict(list)
    for ind, day, value, strict in Target.objects.filter(indicator__project__in=ids).values_list(
        "indicator_id", "target_date", "value", "strict"
    ):
        targets[ind].append(TargetPoint(day, value, strict))
    points: dict[int, list[Point]] = defaultdict(list)
    generated: dict[int, set[date]] = defaultdict(set)
    measured = Measurement.objects.filter(indicator__project__in=ids).order_by(
        "indicator", "period"
    )
    for ind, period, value, source in measured.values_list(
        "indicator_id", "period", "value", "source"
    ):
        points[ind].append(Point(period, value))
        if source == MeasurementSource.DEMO:
            generated[ind].add(period)
    return _assemble(ids, rows, targets, points, generated)


def as_recorded(model, scope: dict, fields: tuple[str, ...], day: date) -> list[dict]:
    """`fields` of each row of `model` (filtered by `scope`, on the historical table) as its
    newest historical version recorded by the end of `day` had them; deleted rows left out
    (one query: DISTINCT ON on PostgreSQL)."""
    history = model.history.model
    newest = first_of_each(
        history.objects.filter(**scope, history_date__lt=end_of_day(day))
        .order_by("id", "-history_date", "-history_id")
        .values_list("history_type", *fields),
        ("id",),
        key=lambda row: row[fields.index("id") + 1],
    )
    return [dict(zip(fields, row[1:], strict=True)) for row in newest if row[0] != "-"]


def _points_as_recorded(
    indicator_ids: list[int], day: date
) -> tuple[dict[int, list[Point]], dict[int, set[date]]]:
    """Each indicator's values of periods ending by `day`, as they stood at its end, and
    the periods of those that were generated for the demo (one query; tuples, not dicts:
    there are a hundred thousand of them at national scale)."""
    history = Measurement.history.model
    newest = first_of_each(
        history.objects.filter(
            indicator_id__in=indicator_ids, history_date__lt=end_of_day(day), period__lte=day
        )
        .order_by("id", "-history_date", "-history_id")
        .values_list("id", "history_type", "indicator_id", "period", "value", "source"),
        ("id",),
        key=lambda row: row[0],
    )
    points: dict[int, list[Point]] = defaultdict(list)
    generated: dict[int, set[date]] = defaultdict(set)
    for _id, kind, indicator, period, value, source in sorted(newest, key=lambda row: row[3]):
        if kind != "-":
            points[indicator].append(Point(period, value))
            if source == MeasurementSource.DEMO:
                generated[indicator].add(period)
    return points, generated


def plan_at(project_ids, day: date) -> PlanData:
    """These hankkeet as recorded on or before the end of `day` (twelve queries). A row
    retired on or before `day` (as recorded by then) is left out; one retired later is in."""
    ids = list(project_ids)
    rows = {
        model: [
            row
            for row in as_recorded(model, {"project_id__in": ids}, fields, day)
            if in_plan_on(row, day)
        ]
        for model, fields in _FIELDS.items()
    }
    indicator_ids = [i["id"] for i in rows[Indicator]]
    scope = {"indicator_id__in": indicator_ids}
    targets: dict[int, list[TargetPoint]] = defaultdict(list)
    target_fields = ("id", "indicator_id", "target_date", "value", "strict")
    target_rows = as_recorded(Target, scope, target_fields, day)
    for t in sorted(target_rows, key=lambda t: t["target_date"]):
        targets[t["indicator_id"]].append(TargetPoint(t["target_date"], t["value"], t["strict"]))
    # Values of periods that end after the day are not yet results on it.
    points, generated = _points_as_recorded(indicator_ids, day)
    return _assemble(ids, rows, targets, points, generated)
