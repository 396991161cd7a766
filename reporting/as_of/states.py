"""Dashboards "as of" a past reporting round, and the states that round comparisons read.

Contract (R5): reads only; callers pass hankkeet the user may see (a scoped selector or
`Project.objects.visible_to`), and every function costs a fixed number of queries whatever
the number of hankkeet or objects.

A hanke's state in a round comes from one of two sources, decided per hanke:

1. **its frozen snapshot** (`ReportSnapshot`, written on submission): what THL was shown;
2. otherwise **the lights of the cut-off computed from the history**
   (`measures.status_engine.lights_on`): the same rules with `today` = the cut-off, over
   what had been recorded by the end of that day, computed once and kept (`DayLight`: a
   day that is over cannot change). Nothing depends on a nightly run having happened.

`round_states()` is the one place that reads them; the overview and hanke page "as of" a
round, and the round comparison, are all built from it (`reporting.as_of.selectors`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from django.http import Http404
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext_lazy

from measures.models import Indicator
from measures.models import RollupKind
from measures.status_engine import lights_on
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.models import ReportingPeriod
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from projects.models import WorkPackage
from reporting.models import ReportSnapshot

SNAPSHOT, HISTORY = "snapshot", "history"
PARAM = "kierros"  # the query parameter of the "as of" views (Finnish, like the paths)
LATEST = "viimeisin"  # ?kierros=viimeisin: the newest round whose cut-off has passed

_COUNTED_KINDS = (RollupKind.ACTION, RollupKind.INDICATOR)  # without detail: those behind


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
    removed: bool = False  # was in the plan at the cut-off but is no longer

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}".strip()


@dataclass
class ProjectState:
    project_id: int
    source: str  # SNAPSHOT or HISTORY
    lights_as_of: date | None  # the day the lights shown are of
    light: Assessment | None = None
    hts: dict[int, Assessment] = field(default_factory=dict)
    packages: list[Item] = field(default_factory=list)
    goals: list[Item] = field(default_factory=list)
    actions: list[Item] = field(default_factory=list)
    indicators: list[Item] = field(default_factory=list)
    items: int | None = None  # actions and indicators counted by the hanke's light (history)

    @property
    def from_snapshot(self) -> bool:
        return self.source == SNAPSHOT

    @property
    def recorded(self) -> bool:
        """Whether anything of the hanke's plan had been recorded by then."""
        if self.items is not None:
            return self.items > 0
        return bool(self.actions or self.indicators or self.packages or self.goals)


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


def _from_snapshot(project_id: int, data: dict) -> ProjectState:
    lights_as_of = data.get("lights_as_of")
    state = ProjectState(
        project_id=project_id,
        source=SNAPSHOT,
        lights_as_of=date.fromisoformat(lights_as_of) if lights_as_of else None,
        light=_from_json((data.get("project") or {}).get("light")),
        hts={h["number"]: a for h in data.get("hts") or [] if (a := _from_json(h["light"]))},
    )
    for key, items, kind, number, parent in _SNAPSHOT:
        getattr(state, items).extend(
            Item(
                kind,
                row["id"],
                row[number],
                _pick(row["name"]),
                row[parent] if parent else None,
                _from_json(row["light"]),
            )
            for row in data.get(key) or []
        )
    return state


_SNAPSHOT = (
    # list of the snapshot → (list of the state, kind, number field, parent field)
    ("work_packages", "packages", "work_package", "code", "parent_id"),
    ("goals", "goals", "goal", "number", "work_package_id"),
    ("actions", "actions", "action", "number", "work_package_id"),
    ("indicators", "indicators", "indicator", "code", None),
)


_LIVE = {
    # kind → (model, filter on the hanke, number field, name field, parent field)
    RollupKind.WORK_PACKAGE: (WorkPackage, "project_id", "code", "name", "parent_id"),
    RollupKind.GOAL: (ProcessGoal, "project_id", "number", "title", "work_package_id"),
    RollupKind.ACTION: (Action, "project_id", "number", "title", "work_package_id"),
    RollupKind.INDICATOR: (Indicator, "project_id", "code", "name", None),
}
# An object deleted without a history row of its own (none exists for rows made before
# simple-history was installed): named by what it was, never by a database id.
_REMOVED_LABEL = gettext_lazy("Removed from the plan")
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


def _from_history(project_ids: list[int], cut_off: date, detail: bool) -> dict[int, ProjectState]:
    """The lights of the cut-off, computed from what had been recorded by its end."""
    rows = lights_on(
        project_ids=project_ids, day=cut_off, today=timezone.localdate(), summary=not detail
    )
    states = {
        pid: ProjectState(project_id=pid, source=HISTORY, lights_as_of=cut_off)
        for pid in project_ids
    }
    lights: dict[tuple[str, int], Assessment] = {}
    present: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        state = states[row.project_id]
        if row.kind == RollupKind.PROJECT:
            state.light = row.assessment
            state.items = sum((row.counts or {}).values())
        elif row.kind == RollupKind.PROJECT_HT:
            state.hts[row.ht] = row.assessment
        elif row.kind in _LIST and (detail or row.kind in _COUNTED_KINDS):
            lights[(row.kind, row.object_id)] = row.assessment
            present[row.kind][row.project_id].append(row.object_id)
    for kind, by_project in present.items():
        live = (
            _live_rows(kind, [oid for ids in by_project.values() for oid in ids]) if detail else {}
        )
        for pid, ids in by_project.items():
            getattr(states[pid], _LIST[kind]).extend(_items(kind, ids, live, lights, detail=detail))
    return states


def _live_rows(kind: str, wanted: list[int]) -> dict[int, dict]:
    """Today's numbers and names of the objects, in the plan's order (one query)."""
    model, project_field, number, name, parent = _LIVE[kind]
    fields = ["id", project_field, number, *(f"{name}_{lang}" for lang in ("fi", "sv", "en"))]
    if parent:
        fields.append(parent)
    rows = model.objects.filter(pk__in=wanted).order_by(*_ORDER[kind]).values(*fields)
    return {r["id"]: r for r in rows}


def _gone_rows(kind: str, gone: set[int]) -> dict[int, dict]:
    """Numbers and names of objects deleted since, from their last history row (one query,
    only when something is gone): a reader sees what it was, never a database id."""
    if not gone:
        return {}
    model, _project_field, number, name, _parent = _LIVE[kind]
    fields = ["id", number, *(f"{name}_{lang}" for lang in ("fi", "sv", "en"))]
    rows = model.history.filter(id__in=gone).order_by("id", "-history_date", "-history_id")
    last: dict[int, dict] = {}
    for row in rows.values(*fields):
        last.setdefault(row["id"], row)
    return last


def _items(kind: str, ids: list[int], live: dict, lights: dict, *, detail: bool) -> list[Item]:
    """Items in the plan's order; those since removed from the plan last, by their id."""
    _model, _project_field, number, name, parent = _LIVE[kind]
    mine = set(ids)
    items = [
        Item(
            kind,
            oid,
            r[number],
            _live_name(r, name),
            r.get(parent) if parent else None,
            lights[(kind, oid)],
        )
        for oid, r in live.items()
        if oid in mine
    ]
    gone = _gone_rows(kind, mine - set(live)) if detail else {}
    for oid in sorted(mine - set(live)):
        row = gone.get(oid, {})
        label = _live_name(row, name) if row else str(_REMOVED_LABEL)
        items.append(
            Item(kind, oid, row.get(number, ""), label, None, lights[(kind, oid)], removed=detail)
        )
    return items


def round_states(
    *, project_ids: list[int], period: ReportingPeriod, detail: bool = True
) -> dict[int, ProjectState]:
    """Each hanke's state in the round: its snapshot, else its lights on the cut-off day.

    Queries: the snapshots (one), the history of the hankkeet without one (about fourteen,
    `lights_at`), and
    with `detail` the live names of their objects (at most four: packages, goals, actions,
    indicators). Without `detail` only the items behind or stale, with lights only (for
    counts).
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
        states.update(_from_history(rest, period.cut_off, detail))
    return states
