"""Dashboards "as of" a past reporting round, and the states that round comparisons read.

Contract (R5): reads only; callers pass hankkeet the user may see (a scoped selector or
`Project.objects.visible_to`), and every function costs a fixed number of queries whatever
the number of hankkeet or objects.

A hanke's state in a round comes from one of two sources, decided per hanke:

1. **its frozen snapshot** (`ReportSnapshot`, written on submission): what THL was shown;
2. otherwise **the stored lights of the cut-off**: per object the newest `StatusRollup` row
   on or before the round's cut-off date. Only the rows of the hanke's last computation on
   or before the cut-off count, so an object removed before then does not linger with the
   light it had when it was last computed.

`round_states()` is the one place that reads them; the overview and hanke page "as of" a
round, and the round comparison (`reporting.round_compare`), are all built from it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Q
from django.http import Http404
from django.utils import translation

from measures.models import Indicator
from objectives.models import Action, ProcessGoal
from objectives.status import Assessment, Light, Reason
from projects.models import Project, WorkPackage

from .models import ReportingPeriod, ReportSnapshot, RollupKind, StatusRollup
from .round_compare import Comparison, Entry, compare_rounds
from .selectors import HT_NUMBERS, Cell, _rolled_cell, parse_sort

SNAPSHOT, ROLLUP = "snapshot", "rollup"
PARAM = "kierros"  # the query parameter of the "as of" views (Finnish, like the paths)
LATEST = "viimeisin"  # ?kierros=viimeisin: the newest round whose cut-off has passed

_DETAIL_KINDS = (RollupKind.WORK_PACKAGE, RollupKind.GOAL, RollupKind.ACTION, RollupKind.INDICATOR)
_SUMMARY_KINDS = (RollupKind.PROJECT, RollupKind.PROJECT_HT)


# --- Rounds -----------------------------------------------------------------------------------


def past_rounds(*, programme_ids, today: date) -> list[ReportingPeriod]:
    """The rounds of these programmes whose cut-off has passed, newest first (one query)."""
    return list(
        ReportingPeriod.objects.filter(programme_id__in=programme_ids, cut_off__lte=today).order_by(
            "-cut_off", "-pk"
        )
    )


def round_pick(rounds: list[ReportingPeriod], value: str | None) -> ReportingPeriod:
    """The round a `?kierros=` value names among `rounds` (404 for anything else)."""
    for period in rounds:
        if str(period.pk) == (value or "").strip():
            return period
    raise Http404


# --- One hanke's state in one round -----------------------------------------------------------


@dataclass
class Item:
    """A work package, goal, action or indicator as it stood in a round."""

    kind: str
    id: int
    number: str
    name: str
    parent_id: int | None  # the work package (goals, actions) or parent package
    light: Assessment | None
    removed: bool = False  # has rollups at the cut-off but is no longer in the plan

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}".strip()


@dataclass
class HankeState:
    project_id: int
    source: str  # SNAPSHOT or ROLLUP
    lights_as_of: date | None  # when the lights shown were computed
    light: Assessment | None = None
    hts: dict[int, Assessment] = field(default_factory=dict)
    packages: list[Item] = field(default_factory=list)
    goals: list[Item] = field(default_factory=list)
    actions: list[Item] = field(default_factory=list)
    indicators: list[Item] = field(default_factory=list)

    @property
    def from_snapshot(self) -> bool:
        return self.source == SNAPSHOT


def _pick(names: dict) -> str:
    lang = (translation.get_language() or "fi")[:2]
    return names.get(lang) or names.get("fi") or ""


def _live_name(row: dict, field_name: str) -> str:
    return _pick({lang: row.get(f"{field_name}_{lang}") or "" for lang in ("fi", "sv", "en")})


def _from_json(light: dict | None) -> Assessment | None:
    if not light or not light.get("light"):
        return None
    return Assessment(
        Light(light["light"]), Reason(light.get("code", ""), light.get("params") or {})
    )


def _from_snapshot(project_id: int, data: dict) -> HankeState:
    lights_as_of = data.get("lights_as_of")
    state = HankeState(
        project_id=project_id,
        source=SNAPSHOT,
        lights_as_of=date.fromisoformat(lights_as_of) if lights_as_of else None,
        light=_from_json((data.get("project") or {}).get("light")),
        hts={h["number"]: a for h in data.get("hts") or [] if (a := _from_json(h["light"]))},
    )
    for p in data.get("work_packages") or []:
        state.packages.append(
            Item(
                "work_package",
                p["id"],
                p["code"],
                _pick(p["name"]),
                p["parent_id"],
                _from_json(p["light"]),
            )
        )
    for g in data.get("goals") or []:
        state.goals.append(
            Item(
                "goal",
                g["id"],
                g["number"],
                _pick(g["name"]),
                g["work_package_id"],
                _from_json(g["light"]),
            )
        )
    for a in data.get("actions") or []:
        state.actions.append(
            Item(
                "action",
                a["id"],
                a["number"],
                _pick(a["name"]),
                a["work_package_id"],
                _from_json(a["light"]),
            )
        )
    for i in data.get("indicators") or []:
        state.indicators.append(
            Item("indicator", i["id"], i["code"], _pick(i["name"]), None, _from_json(i["light"]))
        )
    return state


def _rollups_at(project_ids: list[int], cut_off: date, kinds) -> tuple[dict[int, date], list]:
    """Each hanke's last computation on or before the cut-off, and its rows (two queries).

    Every computation writes a row for each object of the hanke, so the rows of the last run
    are each object's newest on or before the cut-off; objects without a row in it had been
    removed by then. Reading that one date per hanke spares an anti-join over the history.
    """
    last_run = dict(
        StatusRollup.objects.filter(project_id__in=project_ids, as_of__lte=cut_off)
        .order_by()
        .values("project_id")
        .annotate(last=Max("as_of"))
        .values_list("project_id", "last")
    )
    if not last_run:
        return {}, []
    runs = Q()
    for project_id, as_of in last_run.items():
        runs |= Q(project_id=project_id, as_of=as_of)
    rows = list(
        StatusRollup.objects.filter(runs, kind__in=list(kinds))
        .order_by()
        .values_list(
            "project_id", "kind", "object_id", "ht", "light", "reason_code", "reason_params"
        )
    )
    return last_run, rows


_LIVE = {
    # kind → (model, filter on the hanke, number field, name field, parent field)
    RollupKind.WORK_PACKAGE: (WorkPackage, "project_id", "code", "name", "parent_id"),
    RollupKind.GOAL: (ProcessGoal, "project_id", "number", "title", "work_package_id"),
    RollupKind.ACTION: (Action, "project_id", "number", "title", "work_package_id"),
    RollupKind.INDICATOR: (Indicator, "project_id", "code", "name", None),
}
_ORDER = {
    RollupKind.WORK_PACKAGE: ("order", "code", "id"),
    RollupKind.GOAL: ("work_package__order", "order", "id"),
    RollupKind.ACTION: ("work_package__order", "order", "id"),
    RollupKind.INDICATOR: ("order", "code", "id"),
}
_LIST = {
    RollupKind.WORK_PACKAGE: "packages",
    RollupKind.GOAL: "goals",
    RollupKind.ACTION: "actions",
    RollupKind.INDICATOR: "indicators",
}


def _from_rollups(project_ids: list[int], cut_off: date, detail: bool) -> dict[int, HankeState]:
    kinds = _SUMMARY_KINDS + (
        _DETAIL_KINDS if detail else (RollupKind.ACTION, RollupKind.INDICATOR)
    )
    last_run, rows = _rollups_at(project_ids, cut_off, kinds)
    states = {
        pid: HankeState(project_id=pid, source=ROLLUP, lights_as_of=last_run.get(pid))
        for pid in project_ids
    }
    lights: dict[tuple[str, int], Assessment] = {}
    present: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pid, kind, object_id, ht, light, code, params in rows:
        assessed = Assessment(Light(light), Reason(code, params or {}))
        state = states[pid]
        if kind == RollupKind.PROJECT:
            state.light = assessed
        elif kind == RollupKind.PROJECT_HT:
            state.hts[ht] = assessed
        else:
            lights[(kind, object_id)] = assessed
            present[kind][pid].append(object_id)
    for kind in _LIST:
        if kind not in present:
            continue
        model, project_field, number, name, parent = _LIVE[kind]
        wanted = [oid for ids in present[kind].values() for oid in ids]
        if detail:
            fields = [
                "id",
                project_field,
                number,
                *(f"{name}_{lang}" for lang in ("fi", "sv", "en")),
            ]
            if parent:
                fields.append(parent)
            live = {
                r["id"]: r
                for r in model.objects.filter(pk__in=wanted).order_by(*_ORDER[kind]).values(*fields)
            }
        else:
            live = {}
        for pid, ids in present[kind].items():
            items = getattr(states[pid], _LIST[kind])
            mine = set(ids)
            known = [oid for oid in live if oid in mine]
            for oid in known:  # in the plan's order
                r = live[oid]
                items.append(
                    Item(
                        kind,
                        oid,
                        r[number],
                        _live_name(r, name),
                        r.get(parent) if parent else None,
                        lights[(kind, oid)],
                    )
                )
            for oid in sorted(set(ids) - set(known)):
                items.append(
                    Item(kind, oid, "", f"#{oid}", None, lights[(kind, oid)], removed=detail)
                )
    return states


def round_states(
    *, project_ids: list[int], period: ReportingPeriod, detail: bool = True
) -> dict[int, HankeState]:
    """Each hanke's state in the round: its snapshot, else the stored lights of the cut-off.

    Queries: the snapshots (one), the stored lights of the hankkeet without one (two), and
    with `detail` the live names of their objects (at most four: packages, goals, actions,
    indicators). Without `detail` the items carry lights only (for counts).
    """
    if not project_ids:
        return {}
    keys = ["project", "hts", "actions", "indicators", "lights_as_of"]
    if detail:
        keys += ["work_packages", "goals"]
    snapshots = {
        row["project_id"]: {key: row[f"data__{key}"] for key in keys}
        for row in ReportSnapshot.objects.filter(period=period, project_id__in=project_ids)
        .order_by()
        .values("project_id", *(f"data__{key}" for key in keys))
    }
    states = {pid: _from_snapshot(pid, data) for pid, data in snapshots.items()}
    rest = [pid for pid in project_ids if pid not in states]
    if rest:
        states.update(_from_rollups(rest, period.cut_off, detail))
    return states


# --- The programme overview as of a round -----------------------------------------------------


@dataclass
class AsOfRow:
    region: object
    projects: list[Project]  # each with `state` (HankeState)
    cells: list[tuple[int, Cell]]
    total: Cell
    late_actions: int = 0
    indicators_off_track: int = 0
    indicators_stale: int = 0


@dataclass
class AsOfOverview:
    period: ReportingPeriod
    rows: list[AsOfRow]
    columns: list[int]
    sort: str
    ht: int | None


def _sort_key_all(row: AsOfRow):
    score = row.total.score
    return (score is None, score if score is not None else Decimal(0), row.region.display_name)


def overview_as_of(
    *, user, period: ReportingPeriod, sort: str = "name", ht: int | None = None
) -> AsOfOverview:
    """The region × HT matrix and the follow-up counts as they stood in the round.

    Region and "All" lights are rolled up from the hankkeet's lights of the round (their
    snapshots or the lights stored at the cut-off), with the programme's thresholds.
    Queries: the visible hankkeet, the snapshots, the stored lights (four in all).
    """
    sort, ht = parse_sort(sort), (ht if ht in HT_NUMBERS else None)
    columns = [ht] if ht else list(HT_NUMBERS)
    projects = list(
        Project.objects.visible_to(user)
        .select_related("region", "programme")
        .order_by("region__name_fi", "name_fi")
    )
    states = round_states(project_ids=[p.pk for p in projects], period=period, detail=False)
    by_region: dict[int, list[Project]] = defaultdict(list)
    for project in projects:
        project.state = states[project.pk]
        by_region[project.region_id].append(project)
    rows = []
    for region_projects in by_region.values():
        thresholds = region_projects[0].programme.rollup_thresholds()
        cells = [
            (
                number,
                _rolled_cell(
                    [p.state.hts[number].light for p in region_projects if number in p.state.hts],
                    thresholds,
                ),
            )
            for number in columns
        ]
        total = _rolled_cell(
            [p.state.light.light for p in region_projects if p.state.light is not None], thresholds
        )
        actions = [a for p in region_projects for a in p.state.actions]
        indicators = [i for p in region_projects for i in p.state.indicators]
        rows.append(
            AsOfRow(
                region=region_projects[0].region,
                projects=region_projects,
                cells=cells,
                total=total,
                late_actions=sum(1 for a in actions if a.light and a.light.light == Light.RED),
                indicators_off_track=sum(
                    1 for i in indicators if i.light and i.light.light == Light.RED
                ),
                indicators_stale=sum(
                    1 for i in indicators if i.light and i.light.reason.code == "indicator_stale"
                ),
            )
        )
    rows.sort(key=lambda row: row.region.display_name)
    if sort == "all":
        rows.sort(key=_sort_key_all)
    return AsOfOverview(period, rows, columns, sort, ht)


# --- The hanke page as of a round -------------------------------------------------------------


@dataclass
class PackageAsOf:
    item: Item
    goals: list[Item] = field(default_factory=list)
    actions: list[Item] = field(default_factory=list)
    children: list[PackageAsOf] = field(default_factory=list)


@dataclass
class HankeAsOf:
    period: ReportingPeriod
    state: HankeState
    packages: list[PackageAsOf]
    removed: list[Item]  # objects with lights at the cut-off that are no longer in the plan
    counts: dict[str, int]  # actions by colour

    @property
    def hts(self) -> list[tuple[int, Assessment]]:
        return sorted(self.state.hts.items())


def hanke_as_of(*, project: Project, period: ReportingPeriod) -> HankeAsOf:
    """The hanke's packages → goals and actions with their lights in the round.

    `project` comes from a scoped selector. Queries: those of `round_states` (at most seven).
    """
    state = round_states(project_ids=[project.pk], period=period)[project.pk]
    nodes = {p.id: PackageAsOf(p) for p in state.packages}
    removed: list[Item] = []
    for goal in state.goals:
        (nodes[goal.parent_id].goals if goal.parent_id in nodes else removed).append(goal)
    for action in state.actions:
        (nodes[action.parent_id].actions if action.parent_id in nodes else removed).append(action)
    removed += [i for i in state.indicators if i.removed]
    top = []
    for node in nodes.values():
        if node.item.parent_id in nodes:
            nodes[node.item.parent_id].children.append(node)
        else:
            top.append(node)
    counts: dict[str, int] = {}
    for action in state.actions:
        key = str(action.light.light if action.light else Light.GREY)
        counts[key] = counts.get(key, 0) + 1
    return HankeAsOf(period, state, top, removed, counts)


# --- Comparing two rounds ---------------------------------------------------------------------


def entries(state: HankeState, project: Project) -> dict:
    """The round_compare entries of one hanke's state (keys unique across hankkeet)."""

    def extra(kind: str) -> dict:
        return {"kind_label": RollupKind(kind).label, "project_id": project.pk}

    result = {
        ("project", project.pk): Entry(
            "project", project.display_name, state.light, "", extra("project")
        )
    }
    for number, light in state.hts.items():
        result[("project_ht", (project.pk, number))] = Entry(
            "project_ht", f"HT{number}", light, number, extra("project_ht")
        )
    for items in (state.packages, state.goals, state.actions, state.indicators):
        for item in items:
            result[(item.kind, item.id)] = Entry(
                item.kind,
                item.label,
                item.light,
                item.number,
                {**extra(item.kind), "removed": item.removed},
            )
    return result


@dataclass
class HankeComparison:
    project: Project
    comparison: Comparison
    sources: tuple[str, str]  # where each round's state came from


def compare_hankkeet(
    *, projects: list[Project], a: ReportingPeriod, b: ReportingPeriod
) -> list[HankeComparison]:
    """Round a → round b for each hanke (projects from a scoped selector); at most 14 queries."""
    ids = [p.pk for p in projects]
    before = round_states(project_ids=ids, period=a)
    after = round_states(project_ids=ids, period=b)
    return [
        HankeComparison(
            p,
            compare_rounds(entries(before[p.pk], p), entries(after[p.pk], p)),
            (before[p.pk].source, after[p.pk].source),
        )
        for p in projects
    ]


def total_counts(comparisons: list[HankeComparison]) -> dict[str, int]:
    totals = {"changed": 0, "better": 0, "worse": 0, "new": 0, "dropped": 0}
    for c in comparisons:
        for key, value in c.comparison.counts.items():
            totals[key] += value
    return totals
