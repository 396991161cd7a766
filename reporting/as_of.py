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
round, and the round comparison, are all built from it (`reporting.as_of_selectors`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Q
from django.http import Http404
from django.utils import translation

from measures.models import Indicator
from objectives.models import Action, ProcessGoal
from objectives.status import Assessment, Light, Reason
from projects.models import WorkPackage

from .models import ReportingPeriod, ReportSnapshot, RollupKind, StatusRollup

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
