"""Selectors of the past views and the round comparison, built on `reporting.as_of.states`.

Contract (R5): reads only, a fixed number of queries; `overview_as_of` scopes itself with
`Project.objects.visible_to(user)`, the others take hankkeet from a scoped selector.
- `overview_as_of`: the programme overview's matrix and follow-up counts in a round;
- `project_as_of`: a hanke's packages, goals, actions and indicators with the round's lights;
- `compare_hankkeet`: round a → round b per hanke (rules in `reporting.rounds.compare`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from measures.models import RollupKind
from objectives.models import ReportingPeriod
from portal.lights import Assessment
from portal.lights import Child
from portal.lights import Light
from projects.models import Project
from reporting.overview.selectors import HT_NUMBERS
from reporting.overview.selectors import Cell
from reporting.overview.selectors import _rolled_cell
from reporting.overview.selectors import parse_sort
from reporting.rounds.compare import Comparison
from reporting.rounds.compare import Entry
from reporting.rounds.compare import compare_rounds

from .states import Item
from .states import ProjectState
from .states import round_states

# --- The programme overview as of a round -----------------------------------------------------


@dataclass
class AsOfRow:
    region: object
    projects: list[Project]  # each with `state` (ProjectState)
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


def _light_counts(projects: list[Project]) -> dict[str, int]:
    """The hankkeet's late actions, indicators off track and stale indicators (AsOfRow's
    counts) by the lights of their states."""
    actions = [a.light for p in projects for a in p.state.actions if a.light]
    indicators = [i.light for p in projects for i in p.state.indicators if i.light]
    return {
        "late_actions": sum(1 for light in actions if light.light == Light.RED),
        "indicators_off_track": sum(1 for light in indicators if light.light == Light.RED),
        "indicators_stale": sum(
            1 for light in indicators if light.reason.code == "indicator_stale"
        ),
    }


def _sort_key_all(row: AsOfRow):
    share = row.total.behind_share
    return (share is None, -(share or Decimal(0)), row.region.display_name)


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
                    [
                        Child(
                            p.state.hts[number].light,
                            "project",
                            p.pk,
                            p.display_name,
                            generated=p.state.hts[number].reason.generated,
                        )
                        for p in region_projects
                        if number in p.state.hts
                    ],
                    thresholds,
                ),
            )
            for number in columns
        ]
        total = _rolled_cell(
            [
                Child(
                    p.state.light.light,
                    "project",
                    p.pk,
                    p.display_name,
                    generated=p.state.light.reason.generated,
                )
                for p in region_projects
                if p.state.light is not None
            ],
            thresholds,
        )
        counts = _light_counts(region_projects)
        rows.append(AsOfRow(region_projects[0].region, region_projects, cells, total, **counts))
    rows.sort(key=lambda row: row.region.display_name)
    if sort == "all":
        rows.sort(key=_sort_key_all)
    return AsOfOverview(period, rows, columns, sort, ht)


# --- The hanke page as of a round -------------------------------------------------------------


# The ?paketti= keys of the two sections that are not work packages.
INDICATORS, REMOVED = "mittarit", "poistuneet"


@dataclass
class PackageAsOf:
    item: Item
    goals: list[Item] = field(default_factory=list)
    actions: list[Item] = field(default_factory=list)
    children: list[PackageAsOf] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.item.id)

    def walk(self):
        """This package and its sub-packages, in plan order."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def action_count(self) -> int:
        return sum(len(node.actions) for node in self.walk())

    @property
    def counts(self) -> dict[str, int]:
        return _by_colour(a for node in self.walk() for a in node.actions)


@dataclass(frozen=True)
class RowAsOf:
    """A row of an opened section: a goal, action, indicator or removed object, with the
    sub-package it sits in when that is not the opened package itself."""

    item: Item
    package: Item | None = None


def _by_colour(items) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        key = str(item.light.light if item.light else Light.GREY)
        counts[key] = counts.get(key, 0) + 1
    return counts


@dataclass
class ProjectAsOf:
    period: ReportingPeriod
    state: ProjectState
    packages: list[PackageAsOf]
    removed: list[Item]  # objects with lights at the cut-off that are no longer in the plan
    counts: dict[str, int]  # actions by colour

    @property
    def hts(self) -> list[tuple[int, Assessment]]:
        return sorted(self.state.hts.items())

    @property
    def indicators(self) -> list[Item]:
        return [i for i in self.state.indicators if not i.removed]

    @property
    def indicator_counts(self) -> dict[str, int]:
        return _by_colour(self.indicators)

    def opened_key(self, asked: str | None) -> str | None:
        """The section `?paketti=` opens if it names one; a hanke of one work package has it
        open without asking (there is nothing to choose)."""
        keys = {node.key for node in self.packages}
        if asked in keys or (asked == INDICATORS and self.indicators):
            return asked
        if asked == REMOVED and self.removed:
            return asked
        if asked is None and len(self.packages) == 1:
            return self.packages[0].key
        return None

    def rows(self, key: str | None) -> list[RowAsOf]:
        """The rows of the opened section (all of them: the view draws one page)."""
        if key == INDICATORS:
            return [RowAsOf(i) for i in self.indicators]
        if key == REMOVED:
            return [RowAsOf(i) for i in self.removed]
        top = next((node for node in self.packages if node.key == key), None)
        if top is None:
            return []
        return [
            RowAsOf(item, None if node is top else node.item)
            for node in top.walk()
            for item in (*node.goals, *node.actions)
        ]


def project_as_of(*, project: Project, period: ReportingPeriod) -> ProjectAsOf:
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
    return ProjectAsOf(period, state, top, removed, _by_colour(state.actions))


# --- Comparing two rounds ---------------------------------------------------------------------


def entries(state: ProjectState, project: Project) -> dict:
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
class ProjectComparison:
    project: Project
    comparison: Comparison
    sources: tuple[str, str]  # where each round's state came from


def compare_hankkeet(
    *, projects: list[Project], a: ReportingPeriod, b: ReportingPeriod
) -> list[ProjectComparison]:
    """Round a → round b for each hanke (projects from a scoped selector); at most 14 queries."""
    ids = [p.pk for p in projects]
    before = round_states(project_ids=ids, period=a)
    after = round_states(project_ids=ids, period=b)
    return [
        ProjectComparison(
            p,
            compare_rounds(entries(before[p.pk], p), entries(after[p.pk], p)),
            (before[p.pk].source, after[p.pk].source),
        )
        for p in projects
    ]


def total_counts(comparisons: list[ProjectComparison]) -> dict[str, int]:
    totals = {"changed": 0, "better": 0, "worse": 0, "new": 0, "dropped": 0}
    for c in comparisons:
        for key, value in c.comparison.counts.items():
            totals[key] += value
    return totals
