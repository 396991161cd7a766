"""The status engine: every light of a set of hankkeet from the recorded data and a date.

Contract:
- `lights_compute(data=…, programmes=…, today=…)` applies the pure rules
  (objectives.status, measures.progress, portal.lights.rollup) to a `PlanData`
  (measures.history) and returns the lights, unsaved. The same function answers for today
  (`plan_now`) and for any past day (`plan_at`): "what was true on day D" is the rules with
  `today=D` over what was recorded by D.
- `status_recompute_projects(project_ids=…, today=…)` computes today's lights and upserts
  them into the current-state tables (`CurrentLight`, one row per object and HT;
  `IndicatorProgress`, one per indicator), deletes the rows of objects that are gone, and
  re-rolls the regions and the programme from the stored hanke lights. Idempotent; the
  cost does not grow with the days the portal has run.
- `lights_at(project_ids=…, day=…)` computes a past day's lights without writing anything;
  `lights_on(project_ids=…, day=…, today=…)` reads them, keeping a past day's lights once
  computed (`DayLight`: a day that is over cannot change), and today's from `CurrentLight`.
- `status_recompute_all` / `status_recompute_dirty`: every hanke, or the ones marked dirty.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from django.db import Error as DatabaseFailure
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from objectives.models import Action
from objectives.status import action_light
from portal.lights import Assessment
from portal.lights import Child
from portal.lights import Light
from portal.lights import Rollup
from portal.lights import rests_on_generated
from portal.lights import rollup
from projects.models import Programme
from projects.models import Project
from projects.models import Region

from .history import PlanData
from .history import plan_at
from .history import plan_now
from .models import CurrentLight
from .models import DayLight
from .models import IndicatorProgress
from .models import RollupKind
from .progress import IndicatorInput
from .progress import IndicatorResult
from .progress import assess_indicator

logger = logging.getLogger(__name__)

# Rows per INSERT … ON CONFLICT statement: 2 000 rows of CurrentLight stay well under
# PostgreSQL's 65 535 bind-parameter limit (11 columns each) and keep statements ~1 MB.
BATCH_SIZE = 2000


@dataclass
class RecomputeReport:
    projects: int = 0
    indicators: int = 0
    rollups: int = 0
    lights: dict[str, int] = field(default_factory=dict)


@dataclass
class Computed:
    """The lights of a set of hankkeet on one day, unsaved."""

    today: date
    rows: list[CurrentLight] = field(default_factory=list)
    indicators: dict[int, IndicatorResult] = field(default_factory=dict)


def _action_light(a: dict, today: date) -> Assessment:
    """`action_light` of an action read with `.values()` (its status and planned dates)."""
    return action_light(
        status=a["status"],
        planned_start=a["planned_start"],
        planned_end=a["planned_end"],
        today=today,
    )


def _days_late(a: dict, today: date) -> int:
    day = a["planned_end"] if a["status"] != "not_started" else a["planned_start"]
    return (today - day).days if day else 0


def _rests_on_generated(result: IndicatorResult, generated_periods) -> bool:
    """The indicator's light rests on its latest value, and that one was generated."""
    return result.latest is not None and result.latest.period in generated_periods


def _shortfall(result: IndicatorResult) -> float:
    if result.progress is None or result.expected is None:
        return 0.0
    return float(result.expected - result.progress)


class _Computation:
    """Applies the pure rules to one `PlanData` and collects the rows."""

    def __init__(self, data: PlanData, programmes: dict[int, Programme], today: date):
        self.data, self.programmes, self.today = data, programmes, today
        self.now = timezone.now()
        self.project_of = {p["id"]: p for p in data.projects}
        self.out = Computed(today)
        self.children: dict[tuple[str, int], Child] = {}  # (kind, id) of a leaf → as a child
        self.goal_leaves: dict[int, list[tuple]] = {}

    def programme_for(self, project_id: int) -> Programme:
        return self.programmes[self.project_of[project_id]["programme_id"]]

    def run(self) -> Computed:
        self._actions()
        self._indicators()
        self._goals()
        self._packages()
        self._project_hts()
        self._projects()
        return self.out

    def _row(self, kind, object_id, project_id, light, reason, result=None, ht=0, region_id=None):
        self.out.rows.append(
            CurrentLight(
                kind=kind,
                object_id=object_id,
                ht=ht,
                project_id=project_id,
                region_id=region_id,
                as_of=self.today,
                light=light.value,
                behind_share=result.behind_share if result else None,
                counts=result.counts if result else {},
                reason_code=reason.code,
                reason_params=reason.params,
                computed_at=self.now,
            )
        )

    def _leaf(self, kind, row: dict, code: str, light, reason, shortfall, generated=False):
        """An action's or indicator's light: kept for its parents' rollup (`shortfall` orders
        the worst first) and written as its stored light row."""
        self.children[(kind.value, row["id"])] = Child(
            light, kind.value, row["id"], code, shortfall, generated=generated
        )
        self._row(kind, row["id"], row["project_id"], light, reason)

    def _actions(self) -> None:
        for a in self.data.actions:
            assessed = _action_light(a, self.today)
            late = _days_late(a, self.today) if assessed.light is Light.RED else 0
            self._leaf(RollupKind.ACTION, a, a["number"], assessed.light, assessed.reason, late)

    def _indicators(self) -> None:
        for ind in self.data.indicators:
            data = IndicatorInput(
                direction=ind["direction"],
                frequency=ind["frequency"],
                baseline=ind["baseline_value"],
                baseline_date=ind["baseline_date"],
                targets=tuple(self.data.targets.get(ind["id"], ())),
                points=tuple(self.data.points.get(ind["id"], ())),
            )
            thresholds = self.programme_for(ind["project_id"]).indicator_thresholds()
            result = assess_indicator(data, today=self.today, thresholds=thresholds)
            self.out.indicators[ind["id"]] = result
            generated = _rests_on_generated(result, self.data.generated.get(ind["id"], ()))
            self._leaf(
                RollupKind.INDICATOR,
                ind,
                ind["code"],
                result.light,
                result.reason,
                _shortfall(result),
                generated=generated,
            )

    # Every rollup of a hanke counts the actions and indicators beneath it (each once), not
    # the lights of the rollups in between: "3 of 201 actions late" whatever the nesting, and
    # a package of yellow goals is not "on track" merely because none of them is red.

    def _leaves(self, keys) -> list[Child]:
        return [self.children[key] for key in dict.fromkeys(keys)]

    def _goals(self) -> None:
        below: dict[int, list[tuple]] = defaultdict(list)
        for kind, links in (
            ("action", self.data.action_goals),
            ("indicator", self.data.indicator_goals),
        ):
            for item_id, goal_ids in links.items():
                for goal_id in goal_ids:
                    below[goal_id].append((kind, item_id))
        self.goal_leaves = below
        for g in self.data.goals:
            self._rolled(RollupKind.GOAL, g["id"], g["project_id"], below[g["id"]])

    def _packages(self) -> None:
        below: dict[int, list[tuple]] = defaultdict(list)
        for a in self.data.actions:
            below[a["work_package_id"]].append(("action", a["id"]))
        for g in self.data.goals:  # the indicators that follow the package's goals
            below[g["work_package_id"]].extend(
                k for k in self.goal_leaves[g["id"]] if k[0] == "indicator"
            )
        subs = [p for p in self.data.packages if p["parent_id"]]
        for p in subs + [p for p in self.data.packages if not p["parent_id"]]:
            self._rolled(RollupKind.WORK_PACKAGE, p["id"], p["project_id"], below[p["id"]])
            if p["parent_id"]:
                below[p["parent_id"]].extend(below[p["id"]])

    def _project_hts(self) -> None:
        below: dict[tuple[int, int], list[tuple]] = defaultdict(list)
        for kind, rows, hts in (
            ("action", self.data.actions, self.data.action_hts),
            ("indicator", self.data.indicators, self.data.indicator_hts),
        ):
            for row in rows:
                for number in hts.get(row["id"], ()):
                    below[(row["project_id"], number)].append((kind, row["id"]))
        for g in self.data.goals:  # a goal's HTs cover what serves or follows it
            for number in self.data.goal_hts.get(g["id"], ()):
                below[(g["project_id"], number)].extend(self.goal_leaves[g["id"]])
        for p in self.data.projects:
            for number in range(1, 6):
                self._rolled(
                    RollupKind.PROJECT_HT, p["id"], p["id"], below[(p["id"], number)], ht=number
                )

    def _projects(self) -> None:
        below: dict[int, list[tuple]] = defaultdict(list)
        for kind, rows in (("action", self.data.actions), ("indicator", self.data.indicators)):
            for row in rows:
                below[row["project_id"]].append((kind, row["id"]))
        for p in self.data.projects:
            self._rolled(
                RollupKind.PROJECT, p["id"], p["id"], below[p["id"]], region_id=p["region_id"]
            )

    def _rolled(self, kind, object_id, project_id, keys, ht=0, region_id=None) -> None:
        result = rollup(self._leaves(keys), self.programme_for(project_id).rollup_thresholds())
        self._row(kind, object_id, project_id, result.light, result.reason, result, ht, region_id)


def _programmes(project_ids: list[int]) -> dict[int, Programme]:
    return {p.pk: p for p in Programme.objects.filter(projects__in=project_ids).distinct()}


def lights_compute(*, data: PlanData, programmes: dict[int, Programme], today: date) -> Computed:
    """Every light of the hankkeet in `data` on `today` (pure: no query, no write)."""
    return _Computation(data, programmes, today).run()


def lights_at(*, project_ids: Iterable[int], day: date) -> Computed:
    """The lights of these hankkeet as they were on `day`, from what was recorded by then.

    Reads only (about fourteen queries, whatever the size); the hanke, HT and lower lights.
    """
    ids = sorted(set(project_ids))
    return lights_compute(data=plan_at(ids, day), programmes=_programmes(ids), today=day)


# What a computation sets on a light row (the upsert of current lights overwrites these);
# _LIGHT_FIELDS: all a kept day's row copies from a computed one.
_COMPUTED_FIELDS = (
    "light",
    "behind_share",
    "counts",
    "reason_code",
    "reason_params",
    "computed_at",
)
_LIGHT_FIELDS = ("kind", "object_id", "ht", "project_id", *_COMPUTED_FIELDS)


_SUMMARY_KINDS = (RollupKind.PROJECT, RollupKind.PROJECT_HT)
# What a summary needs of the items: the ones behind (late, off track) and the stale.
_SUMMARY_Q = Q(kind__in=_SUMMARY_KINDS) | Q(light=Light.RED) | Q(reason_code="indicator_stale")


def _in_summary(row) -> bool:
    return (
        row.kind in _SUMMARY_KINDS
        or row.light == Light.RED
        or (row.reason_code == "indicator_stale")
    )


def lights_on(*, project_ids: Iterable[int], day: date, today: date, summary: bool = False) -> list:
    """The lights of these hankkeet on `day`, as rows with `kind`, `object_id`, `ht`,
    `project_id`, `light`, `counts` and `assessment` (hanke level and below).

    - `day` today or later: today's current lights (`CurrentLight`).
    - A past day: its `DayLight` rows, computed from the history (`lights_at`) the first
      time a hanke's lights of that day are asked for and kept, since a day that is over
      cannot change. Queries: one read, and for the hankkeet not yet kept the history
      (about fourteen) and one insert.
    - `summary`: only the hanke and HT lights and the items behind or stale (what counts
      per region need), so a programme-wide summary reads a few hundred rows, not all.
    """
    ids = sorted(set(project_ids))
    if not ids:
        return []
    where = _SUMMARY_Q if summary else Q()
    if day >= today:
        return list(CurrentLight.objects.filter(where, project_id__in=ids))
    kept = list(DayLight.objects.filter(where, day=day, project_id__in=ids))
    done = {row.project_id for row in kept if row.kind == RollupKind.PROJECT}
    missing = [pk for pk in ids if pk not in done]
    if missing:
        computed = lights_at(project_ids=missing, day=day)
        rows = [
            DayLight(day=day, **{name: getattr(row, name) for name in _LIGHT_FIELDS})
            for row in computed.rows
        ]
        DayLight.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        kept.extend(row for row in rows if not summary or _in_summary(row))
    return kept


def _upsert_lights(rows: list[CurrentLight]) -> None:
    CurrentLight.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["kind", "object_id", "ht"],
        update_fields=["project", "region", "as_of", *_COMPUTED_FIELDS],
    )


def _progress_row(
    indicator_id: int, result: IndicatorResult, today: date, now
) -> IndicatorProgress:
    return IndicatorProgress(
        indicator_id=indicator_id,
        latest_value=result.latest.value if result.latest else None,
        latest_period=result.latest.period if result.latest else None,
        progress=result.progress,
        expected_progress=result.expected,
        trend=result.trend,
        light=result.light.value,
        reason_code=result.reason.code,
        reason_params=result.reason.params,
        as_of=today,
        computed_at=now,
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


def region_and_programme_lights(today: date, now) -> list[CurrentLight]:
    """Regions from their hankkeet's stored lights, all HTs together (`ht=0`) and each HT
    (the overview's cells), the programme from its regions (three queries: the hanke
    lights, the regions' names, the programmes). A reason names hankkeet by their Finnish
    names; pages name them in the reader's language from the ids."""
    stored = CurrentLight.objects.filter(
        kind__in=[RollupKind.PROJECT, RollupKind.PROJECT_HT]
    ).values_list(
        "object_id",
        "ht",
        "project__region_id",
        "light",
        "behind_share",
        "project__name_fi",
        "project__programme_id",
        "reason_params",
    )
    below: dict[tuple[int, int], list[Child]] = defaultdict(list)
    programme_of_region: dict[int, int] = {}
    for project_id, ht, region_id, light, share, name, programme_id, params in stored:
        child = Child(
            Light(light),
            "project",
            project_id,
            name,
            float(share or 0),
            generated=rests_on_generated(params),
        )
        below[(region_id, ht)].append(child)
        programme_of_region[region_id] = programme_id
    names = dict(
        Region.objects.filter(pk__in=list(programme_of_region)).values_list("pk", "name_fi")
    )
    programmes = {p.pk: p for p in Programme.objects.all()}
    rows, by_programme = [], defaultdict(list)
    for (region_id, ht), children in below.items():
        programme = programmes[programme_of_region[region_id]]
        result = rollup(children, programme.rollup_thresholds())
        rows.append(_plain_row(RollupKind.REGION, region_id, result, today, now, region_id, ht))
        if ht == 0:
            share = float(result.behind_share or 0)
            child = Child(
                result.light,
                "region",
                region_id,
                names.get(region_id, ""),
                share,
                generated=result.reason.generated,
            )
            by_programme[programme.pk].append(child)
    for programme_id, children in by_programme.items():
        result = rollup(children, programmes[programme_id].rollup_thresholds())
        rows.append(_plain_row(RollupKind.PROGRAMME, programme_id, result, today, now))
    return rows


def _plain_row(
    kind, object_id, result: Rollup, today, now, region_id=None, ht: int = 0
) -> CurrentLight:
    return CurrentLight(
        kind=kind,
        object_id=object_id,
        ht=ht,
        region_id=region_id,
        as_of=today,
        light=result.light.value,
        behind_share=result.behind_share,
        counts=result.counts,
        reason_code=result.reason.code,
        reason_params=result.reason.params,
        computed_at=now,
    )


@transaction.atomic
def status_recompute_projects(*, project_ids: Iterable[int], today: date) -> RecomputeReport:
    """Recompute every light of the given hankkeet (and their regions and the programme).

    Permission: a system operation (tasks, commands). Idempotent for a given `today`; a
    hanke whose stored lights are of a later day than `today` is left as it is.
    """
    ids = sorted(set(project_ids))
    # The current state is the newest day's: a run for an earlier day (a backfill, a late
    # task) leaves a hanke whose lights are of a later day as they are. Past days are read
    # with `lights_on` (DayLight), never here.
    newer = CurrentLight.objects.filter(
        kind=RollupKind.PROJECT, object_id__in=ids, as_of__gt=today
    ).values_list("object_id", flat=True)
    ids = sorted(set(ids) - set(newer))
    if not ids:
        return RecomputeReport()
    started = timezone.now()
    computed = lights_compute(data=plan_now(ids), programmes=_programmes(ids), today=today)
    now = computed.rows[0].computed_at if computed.rows else started
    _upsert_progress(
        [_progress_row(pk, result, today, now) for pk, result in computed.indicators.items()]
    )
    _upsert_lights(computed.rows)
    # Objects removed since the last run: their rows were not rewritten just now.
    CurrentLight.objects.filter(project_id__in=ids, computed_at__lt=now).delete()
    upper = region_and_programme_lights(today, now)
    _upsert_lights(upper)
    CurrentLight.objects.filter(
        kind__in=[RollupKind.REGION, RollupKind.PROGRAMME], computed_at__lt=now
    ).delete()
    Project.objects.filter(pk__in=ids, status_dirty_at__lte=started).update(status_dirty_at=None)
    lights: dict[str, int] = defaultdict(int)
    for row in computed.rows:
        if row.kind == RollupKind.PROJECT:
            lights[row.light] += 1
    return RecomputeReport(
        len(ids), len(computed.indicators), len(computed.rows) + len(upper), dict(lights)
    )


def status_refresh_action(*, action_id: int, today: date) -> None:
    """The action's own light now, so the person who just saved sees it (two queries).

    The rollups above it (goal, package, HT, hanke, region, programme) follow with the
    hanke's recomputation, which the save queued; until then the hanke is marked dirty and
    pages say its lights are being updated. No whole-hanke work happens in the request.

    Runs after the save has committed, so it never raises for a database failure (a full
    disk, a lost connection: django.db.Error covers DatabaseError and InterfaceError): one
    line is logged and the recomputation (or the catch-up task) writes the light later."""
    try:
        _refresh_action(action_id, today)
    except DatabaseFailure as exc:
        logger.warning(
            "light of action %s not refreshed (%s); the recomputation will",
            action_id,
            type(exc).__name__,
        )


def _refresh_action(action_id: int, today: date) -> None:
    action = (
        Action.objects.filter(pk=action_id)
        .values("id", "project_id", "status", "planned_start", "planned_end")
        .first()
    )
    if action is None:
        return
    assessed = _action_light(action, today)
    row = CurrentLight(
        kind=RollupKind.ACTION,
        object_id=action["id"],
        ht=0,
        project_id=action["project_id"],
        as_of=today,
        light=assessed.light.value,
        counts={},
        reason_code=assessed.reason.code,
        reason_params=assessed.reason.params,
        computed_at=timezone.now(),
    )
    _upsert_lights([row])


def status_recompute_all(*, today: date, region_code: str | None = None) -> RecomputeReport:
    """Recompute every hanke (of one region when `region_code` is given)."""
    projects = Project.objects.all()
    if region_code:
        projects = projects.filter(region__code=region_code)
    return status_recompute_projects(project_ids=projects.values_list("pk", flat=True), today=today)


def status_recompute_dirty(*, today: date) -> RecomputeReport:
    """Catch up: recompute the hankkeet whose lights were marked dirty and never recomputed,
    and those with no lights computed for `today` (the nightly run was missed: beat was down
    or lost its schedule file, the worker was down at night), so that a missed night is
    caught up by the next catch-up, not the next night."""
    return status_recompute_projects(project_ids=projects_behind(today=today), today=today)


def projects_behind(*, today: date) -> list[int]:
    """The hankkeet marked dirty or without a hanke light of `today` (one query)."""
    current = CurrentLight.objects.filter(kind=RollupKind.PROJECT, ht=0, as_of__gte=today)
    return list(
        Project.objects.filter(
            ~Q(pk__in=current.values("object_id")) | Q(status_dirty_at__isnull=False)
        ).values_list("pk", flat=True)
    )
