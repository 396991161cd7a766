"""The status engine's writes: recompute every light of a set of hankkeet, set-based.

Contract:
- `project_status_changed(project_id=…)` is called by every service that changes what a
  light depends on (a measurement, a target, an action's status). In the caller's
  transaction it marks the hanke dirty; after commit it queues the recomputation. When the
  broker is down the save still succeeds and the dirty mark stays for the catch-up task.
- `status_recompute_projects(project_ids=…, today=…)` reads everything the rules need in a
  fixed number of queries (one per table, never one per object), applies the pure rules of
  objectives.status, measures.progress and reporting.rollup, and upserts IndicatorProgress
  and StatusRollup rows for `today`. Regions and the programme are re-rolled from the
  stored hanke lights. Idempotent: running it twice for the same day writes the same rows.
- `status_recompute_all(today=…, region_code=None)` does the same for every hanke (of one
  region).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from measures.models import Indicator, IndicatorProgress, Measurement, Target
from measures.progress import IndicatorInput, Point, TargetPoint, assess_indicator
from objectives.models import Action, ProcessGoal
from objectives.status import Light, action_light
from portal.queue import enqueue_on_commit
from projects.models import Programme, Project, WorkPackage

from .models import RollupKind, StatusRollup
from .rollup import Rollup, rollup

# Rows per INSERT … ON CONFLICT statement: 2 000 rows of StatusRollup stay well under
# PostgreSQL's 65 535 bind-parameter limit (11 columns each) and keep statements ~1 MB.
BATCH_SIZE = 2000


def project_status_changed(*, project_id: int) -> None:
    """Mark the hanke's lights out of date and queue their recomputation after commit."""
    from .tasks import status_recompute_project_task

    Project.objects.filter(pk=project_id).update(status_dirty_at=timezone.now())
    enqueue_on_commit(status_recompute_project_task, project_id)


@dataclass
class RecomputeReport:
    projects: int = 0
    indicators: int = 0
    rollups: int = 0
    lights: dict[str, int] = field(default_factory=dict)


@dataclass
class _Snapshot:
    """Everything the rules need for a set of hankkeet, loaded with one query per table."""

    projects: list[dict]
    actions: list[dict]
    action_goals: dict[int, list[int]]
    action_hts: dict[int, list[int]]
    goals: list[dict]
    goal_hts: dict[int, list[int]]
    packages: list[dict]
    indicators: list[dict]
    indicator_goals: dict[int, list[int]]
    indicator_hts: dict[int, list[int]]
    targets: dict[int, list[TargetPoint]]
    points: dict[int, list[Point]]


def _pairs(through, left: str, right: str, project_ids: list[int], scope: str) -> dict:
    grouped: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(**{f"{scope}__in": project_ids}).values_list(left, right)
    for a, b in rows:
        grouped[a].append(b)
    return grouped


def _load(project_ids: list[int]) -> _Snapshot:
    ids = project_ids
    targets: dict[int, list[TargetPoint]] = defaultdict(list)
    for ind, day, value, strict in Target.objects.filter(indicator__project__in=ids).values_list(
        "indicator_id", "target_date", "value", "strict"
    ):
        targets[ind].append(TargetPoint(day, value, strict))
    points: dict[int, list[Point]] = defaultdict(list)
    rows = Measurement.objects.filter(indicator__project__in=ids).order_by("indicator", "period")
    for ind, period, value in rows.values_list("indicator_id", "period", "value"):
        points[ind].append(Point(period, value))
    return _Snapshot(
        projects=list(Project.objects.filter(pk__in=ids).values("id", "region_id", "programme_id")),
        actions=list(
            Action.objects.filter(project__in=ids).values(
                "id", "project_id", "work_package_id", "status", "planned_start", "planned_end"
            )
        ),
        action_goals=_pairs(
            Action.goals.through, "action_id", "processgoal_id", ids, "action__project"
        ),
        action_hts=_pairs(
            Action.benefit_targets.through,
            "action_id",
            "benefittarget__number",
            ids,
            "action__project",
        ),
        goals=list(
            ProcessGoal.objects.filter(project__in=ids).values(
                "id", "project_id", "work_package_id"
            )
        ),
        goal_hts=_pairs(
            ProcessGoal.benefit_targets.through,
            "processgoal_id",
            "benefittarget__number",
            ids,
            "processgoal__project",
        ),
        packages=list(
            WorkPackage.objects.filter(project__in=ids).values("id", "project_id", "parent_id")
        ),
        indicators=list(
            Indicator.objects.filter(project__in=ids).values(
                "id", "project_id", "direction", "frequency", "baseline_value", "baseline_date"
            )
        ),
        indicator_goals=_pairs(
            Indicator.goals.through, "indicator_id", "processgoal_id", ids, "indicator__project"
        ),
        indicator_hts=_pairs(
            Indicator.benefit_targets.through,
            "indicator_id",
            "benefittarget__number",
            ids,
            "indicator__project",
        ),
        targets=targets,
        points=points,
    )


class _Computation:
    """Applies the pure rules to a snapshot and collects the rows to write."""

    def __init__(self, snap: _Snapshot, programmes: dict[int, Programme], today: date):
        self.snap, self.programmes, self.today = snap, programmes, today
        self.now = timezone.now()
        self.project_of = {p["id"]: p for p in snap.projects}
        self.progress_rows: list[IndicatorProgress] = []
        self.rollup_rows: list[StatusRollup] = []
        self.action_light: dict[int, Light] = {}
        self.indicator_light: dict[int, Light] = {}
        self.goal_light: dict[int, Light] = {}
        self.package_light: dict[int, Light] = {}

    def programme_for(self, project_id: int) -> Programme:
        return self.programmes[self.project_of[project_id]["programme_id"]]

    def run(self) -> None:
        self._actions()
        self._indicators()
        self._goals()
        self._packages()
        self._project_hts()
        self._projects()

    def _row(
        self,
        kind: str,
        object_id: int,
        project_id: int | None,
        result: Rollup | None,
        light: Light,
        reason,
        ht: int = 0,
        region_id: int | None = None,
    ) -> StatusRollup:
        row = StatusRollup(
            kind=kind,
            object_id=object_id,
            ht=ht,
            project_id=project_id,
            region_id=region_id,
            as_of=self.today,
            light=light.value,
            score=result.score if result else light_score(light),
            counts=result.counts if result else {},
            reason_code=reason.code,
            reason_params=reason.params,
            computed_at=self.now,
        )
        self.rollup_rows.append(row)
        return row

    def _actions(self) -> None:
        for a in self.snap.actions:
            assessed = action_light(
                status=a["status"],
                planned_start=a["planned_start"],
                planned_end=a["planned_end"],
                today=self.today,
            )
            self.action_light[a["id"]] = assessed.light
            self._row(
                RollupKind.ACTION, a["id"], a["project_id"], None, assessed.light, assessed.reason
            )

    def _indicators(self) -> None:
        for ind in self.snap.indicators:
            data = IndicatorInput(
                direction=ind["direction"],
                frequency=ind["frequency"],
                baseline=ind["baseline_value"],
                baseline_date=ind["baseline_date"],
                targets=tuple(self.snap.targets.get(ind["id"], ())),
                points=tuple(self.snap.points.get(ind["id"], ())),
            )
            thresholds = self.programme_for(ind["project_id"]).indicator_thresholds()
            result = assess_indicator(data, today=self.today, thresholds=thresholds)
            self.indicator_light[ind["id"]] = result.light
            # A daily row too, so "which indicators changed colour since a date" is a read.
            self._row(
                RollupKind.INDICATOR,
                ind["id"],
                ind["project_id"],
                None,
                result.light,
                result.reason,
            )
            self.progress_rows.append(
                IndicatorProgress(
                    indicator_id=ind["id"],
                    latest_value=result.latest.value if result.latest else None,
                    latest_period=result.latest.period if result.latest else None,
                    progress=result.progress,
                    expected_progress=result.expected,
                    trend=result.trend,
                    light=result.light.value,
                    reason_code=result.reason.code,
                    reason_params=result.reason.params,
                    as_of=self.today,
                    computed_at=self.now,
                )
            )

    def _goals(self) -> None:
        children: dict[int, list[Light]] = defaultdict(list)
        for action_id, goal_ids in self.snap.action_goals.items():
            for goal_id in goal_ids:
                children[goal_id].append(self.action_light[action_id])
        for indicator_id, goal_ids in self.snap.indicator_goals.items():
            for goal_id in goal_ids:
                children[goal_id].append(self.indicator_light[indicator_id])
        for g in self.snap.goals:
            self.goal_light[g["id"]] = self._rolled(
                RollupKind.GOAL, g["id"], g["project_id"], children[g["id"]]
            )

    def _packages(self) -> None:
        children: dict[int, list[Light]] = defaultdict(list)
        for g in self.snap.goals:
            children[g["work_package_id"]].append(self.goal_light[g["id"]])
        for a in self.snap.actions:  # actions that serve no goal count for their package
            if not self.snap.action_goals.get(a["id"]):
                children[a["work_package_id"]].append(self.action_light[a["id"]])
        subs = [p for p in self.snap.packages if p["parent_id"]]
        for p in subs + [p for p in self.snap.packages if not p["parent_id"]]:
            light = self._rolled(
                RollupKind.WORK_PACKAGE, p["id"], p["project_id"], children[p["id"]]
            )
            self.package_light[p["id"]] = light
            if p["parent_id"]:
                children[p["parent_id"]].append(light)

    def _project_hts(self) -> None:
        children: dict[tuple[int, int], list[Light]] = defaultdict(list)
        sources = (
            (self.snap.goals, self.snap.goal_hts, self.goal_light),
            (self.snap.actions, self.snap.action_hts, self.action_light),
            (self.snap.indicators, self.snap.indicator_hts, self.indicator_light),
        )
        for rows, hts, lights in sources:
            for row in rows:
                for number in hts.get(row["id"], ()):
                    children[(row["project_id"], number)].append(lights[row["id"]])
        for p in self.snap.projects:
            for number in range(1, 6):
                self._rolled(
                    RollupKind.PROJECT_HT, p["id"], p["id"], children[(p["id"], number)], ht=number
                )

    def _projects(self) -> None:
        children: dict[int, list[Light]] = defaultdict(list)
        for p in self.snap.packages:
            if not p["parent_id"]:
                children[p["project_id"]].append(self.package_light[p["id"]])
        for p in self.snap.projects:
            self._rolled(
                RollupKind.PROJECT, p["id"], p["id"], children[p["id"]], region_id=p["region_id"]
            )

    def _rolled(
        self,
        kind: str,
        object_id: int,
        project_id: int,
        lights: list[Light],
        ht: int = 0,
        region_id: int | None = None,
    ) -> Light:
        result = rollup(lights, self.programme_for(project_id).rollup_thresholds())
        self._row(kind, object_id, project_id, result, result.light, result.reason, ht, region_id)
        return result.light


def light_score(light: Light):
    from decimal import Decimal

    return None if light.score is None else Decimal(str(light.score))


def _upsert_rollups(rows: list[StatusRollup]) -> None:
    StatusRollup.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["kind", "object_id", "ht", "as_of"],
        update_fields=[
            "project",
            "region",
            "light",
            "score",
            "counts",
            "reason_code",
            "reason_params",
            "computed_at",
        ],
    )


def _upsert_progress(rows: list[IndicatorProgress]) -> None:
    IndicatorProgress.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=[
            "latest_value",
            "latest_period",
            "progress",
            "expected_progress",
            "trend",
            "light",
            "reason_code",
            "reason_params",
            "as_of",
            "computed_at",
        ],
    )


def _reroll_regions_and_programme(
    region_ids: Iterable[int], today: date, now
) -> list[StatusRollup]:
    """Regions and the programme from the stored hanke lights of `today` (two queries)."""
    stored = StatusRollup.objects.filter(kind=RollupKind.PROJECT, as_of=today).values_list(
        "region_id", "light", "project__programme_id"
    )
    by_region: dict[int, list[Light]] = defaultdict(list)
    programme_of_region: dict[int, int] = {}
    for region_id, light, programme_id in stored:
        by_region[region_id].append(Light(light))
        programme_of_region[region_id] = programme_id
    programmes = {p.pk: p for p in Programme.objects.all()}
    rows, by_programme = [], defaultdict(list)
    for region_id, lights in by_region.items():
        programme = programmes[programme_of_region[region_id]]
        result = rollup(lights, programme.rollup_thresholds())
        by_programme[programme.pk].append(result.light)
        if region_id in region_ids:
            rows.append(
                _plain_row(RollupKind.REGION, region_id, result, today, now, region_id=region_id)
            )
    for programme_id, lights in by_programme.items():
        result = rollup(lights, programmes[programme_id].rollup_thresholds())
        rows.append(_plain_row(RollupKind.PROGRAMME, programme_id, result, today, now))
    return rows


def _plain_row(kind, object_id, result: Rollup, today, now, region_id=None) -> StatusRollup:
    return StatusRollup(
        kind=kind,
        object_id=object_id,
        ht=0,
        region_id=region_id,
        as_of=today,
        light=result.light.value,
        score=result.score,
        counts=result.counts,
        reason_code=result.reason.code,
        reason_params=result.reason.params,
        computed_at=now,
    )


@transaction.atomic
def status_recompute_projects(*, project_ids: Iterable[int], today: date) -> RecomputeReport:
    """Recompute every light of the given hankkeet (and their regions and the programme).

    Permission: a system operation (tasks, commands). Idempotent for a given `today`.
    """
    ids = sorted(set(project_ids))
    started = timezone.now()
    snap = _load(ids)
    programmes = {p.pk: p for p in Programme.objects.filter(projects__in=ids).distinct()}
    work = _Computation(snap, programmes, today)
    work.run()
    _upsert_progress(work.progress_rows)
    _upsert_rollups(work.rollup_rows)
    regions = {p["region_id"] for p in snap.projects}
    upper = _reroll_regions_and_programme(regions, today, work.now)
    _upsert_rollups(upper)
    Project.objects.filter(pk__in=ids, status_dirty_at__lte=started).update(status_dirty_at=None)
    lights: dict[str, int] = defaultdict(int)
    for row in work.rollup_rows:
        if row.kind == RollupKind.PROJECT:
            lights[row.light] += 1
    return RecomputeReport(
        len(ids), len(work.progress_rows), len(work.rollup_rows) + len(upper), dict(lights)
    )


def status_recompute_all(*, today: date, region_code: str | None = None) -> RecomputeReport:
    """Recompute every hanke (of one region when `region_code` is given)."""
    projects = Project.objects.all()
    if region_code:
        projects = projects.filter(region__code=region_code)
    return status_recompute_projects(project_ids=projects.values_list("pk", flat=True), today=today)


def status_recompute_dirty(*, today: date) -> RecomputeReport:
    """Catch up: recompute the hankkeet whose lights were marked dirty and never recomputed."""
    dirty = Project.objects.exclude(status_dirty_at=None).values_list("pk", flat=True)
    return status_recompute_projects(project_ids=list(dirty), today=today)


def status_refresh_project(*, project_id: int) -> RecomputeReport:
    """Recompute one hanke's lights now, so the person who just saved sees the result.

    Called by views after an interactive edit: a fixed ~30 queries for one hanke, cheap
    enough for a request, and it spares the person a stale light while the queued task
    (see `project_status_changed`) is on its way. Both write the same rows (idempotent).
    """
    return status_recompute_projects(project_ids=[project_id], today=timezone.localdate())
