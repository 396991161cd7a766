"""Reads for the programme overview, scoped to the user (R5); a fixed number of queries (R15).

`overview_rows` answers the programme office's question "which region is behind, on which
benefit target (HT)?" from the stored lights (`CurrentLight`, `IndicatorProgress`) only: it
never recomputes a rule: it shows the regions' stored lights, and rolls up the stored hanke
lights only of a region the user sees in part.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.db.models import Q

from measures.models import CurrentLight
from measures.models import IndicatorProgress
from measures.models import RollupKind
from portal.lights import Assessment
from portal.lights import Child
from portal.lights import Light
from portal.lights import Reason
from portal.lights import behind_counts
from portal.lights import rests_on_generated
from portal.lights import rollup
from portal.models_common import in_all_languages
from projects.access import roles_for
from projects.models import Project
from projects.models import Region
from projects.money import share
from projects.selectors import budget_use_by_project
from projects.selectors import high_risks_by_project

HT_NUMBERS = (1, 2, 3, 4, 5)
SORTS = ("name", "all")


@dataclass(frozen=True)
class Cell:
    """One light of the matrix with the distribution of what it was rolled up from."""

    assessment: Assessment
    counts: dict[str, int]
    behind_share: Decimal | None


@dataclass
class OverviewRow:
    region: Region
    projects: list[Project]  # each with `last_update` (datetime or None)
    cells: list[tuple[int, Cell]]  # (HT number, cell) for the shown HT columns
    total: Cell  # the "All" column
    late_actions: int = 0
    indicators_off_track: int = 0
    indicators_stale: int = 0
    budget: Decimal | None = None  # the hankkeet's budgets (those that give one)
    spent: Decimal = Decimal(0)  # spent by those hankkeet
    no_budget: int = 0  # hankkeet without budget figures, left out of the share
    high_risks: int = 0  # risks still followed and rated high (score ≥ 15)

    @property
    def budget_share(self) -> Decimal | None:
        return share(self.spent, self.budget)


@dataclass
class Overview:
    rows: list[OverviewRow]
    columns: list[int]
    sort: str
    ht: int | None


def parse_sort(value: str | None) -> str:
    return value if value in SORTS else "name"


def parse_ht(value: str | None) -> int | None:
    return int(value) if value in {str(n) for n in HT_NUMBERS} else None


def _stored_region_cells(region_ids, names: dict[int, str]) -> dict[tuple[int, int], Cell]:
    """(region, HT; 0 for all HTs) → the region's stored light (one query), its reason
    naming the hankkeet in the reader's language (`names`: id → name)."""
    rows = (
        CurrentLight.objects.filter(kind=RollupKind.REGION, object_id__in=list(region_ids))
        .order_by()
        .values_list(
            "object_id", "ht", "light", "reason_code", "reason_params", "counts", "behind_share"
        )
    )
    return {
        (region_id, ht): Cell(
            Assessment(Light(light), Reason(code, _named(params or {}, names))),
            counts or {},
            behind_share,
        )
        for region_id, ht, light, code, params, counts, behind_share in rows
    }


def _named(params: dict, names: dict[int, str]) -> dict:
    """A stored reason's parameters with the hankkeet it names (stored in Finnish) named in
    the reader's language."""
    if not params.get("groups"):
        return params
    groups = [
        [kind, late, of, [[i, names.get(i, label)] for i, label in items]]
        if kind == "project"
        else [kind, late, of, items]
        for kind, late, of, items in params["groups"]
    ]
    return {**params, "groups": groups}


def _rolled_cell(children: list[Child], thresholds) -> Cell:
    result = rollup(children, thresholds)
    return Cell(Assessment(result.light, result.reason), result.counts, result.behind_share)


def _sort_key_all(row: OverviewRow):
    # Worst first: that is where the programme office looks; unassessed regions last.
    share = row.total.behind_share
    return (share is None, -(share or Decimal(0)), row.region.display_name)


# What the overview reads of a hanke, its region and programme (names, budget, the last
# change, the rollup thresholds): the rest of their columns are left unread.
_OVERVIEW_FIELDS = (
    *in_all_languages("name"),
    "funding_total",
    "last_change_at",
    "region__code",
    *(f"region__{name}" for name in in_all_languages("name")),
    "programme__rollup_yellow_share",
    "programme__rollup_red_share",
)


def overview_rows(*, user, sort: str = "name", ht: int | None = None) -> Overview:
    """The region × HT matrix with follow-up counts for the regions the user may see.

    A region the user sees whole shows the lights the status engine stored for it (all HTs
    and each HT); a region seen in part (a hanke role) is rolled up here from the lights of
    the hankkeet the user sees.

    Queries, whatever the number of hankkeet: the user's roles (two, cached per request),
    the visible hankkeet (with their last change), (hanke roles only) the hankkeet per
    region, the region lights, the hanke lights (whose reasons count the late actions; with
    the hanke-HT lights of the regions rolled up here), indicators per region, and budget
    lines, spending and high risks per hanke (three set-based queries).
    """
    sort, ht = parse_sort(sort), (ht if ht in HT_NUMBERS else None)
    columns = [ht] if ht else list(HT_NUMBERS)
    roles = roles_for(user)
    projects = list(
        Project.objects.visible_to(user)
        .select_related("region", "programme")
        .only(*_OVERVIEW_FIELDS)
        .order_by("region__name_fi", "name_fi")
    )
    if not projects:
        return Overview([], columns, sort, ht)
    ids = [p.pk for p in projects]
    by_region: dict[int, list[Project]] = defaultdict(list)
    for project in projects:
        by_region[project.region_id].append(project)

    # A region's stored light covers all its hankkeet; use it only when the user sees them all.
    if roles.programme:
        whole_regions = set(by_region)
    else:
        totals = (
            Project.objects.filter(region_id__in=list(by_region))
            .order_by()
            .values("region_id")
            .annotate(n=Count("id"))
        )
        whole_regions = {t["region_id"] for t in totals if t["n"] == len(by_region[t["region_id"]])}

    names = {p.pk: p.display_name for p in projects}
    stored = _stored_region_cells(whole_regions, names)
    # The cells a region's stored lights do not give (a region the user sees in part, or
    # one the status engine has not rolled up yet) are rolled up here from its hankkeet's.
    rolled = [
        p.pk
        for region_id, region_projects in by_region.items()
        if any((region_id, n) not in stored for n in (0, *columns))
        for p in region_projects
    ]
    wanted = Q(kind=RollupKind.PROJECT, project_id__in=ids)
    if rolled:
        wanted |= Q(kind=RollupKind.PROJECT_HT, project_id__in=rolled)
    hanke_rows = (
        CurrentLight.objects.filter(wanted)
        .order_by()
        .values_list("kind", "project_id", "ht", "light", "behind_share", "reason_params")
    )
    project_light: dict[int, Child] = {}
    ht_lights: dict[tuple[int, int], Child] = {}
    late_by_project: dict[int, int] = {}
    for kind, project_id, number, light, behind, params in hanke_rows:
        child = Child(
            Light(light),
            "project",
            project_id,
            names[project_id],
            float(behind or 0),
            generated=rests_on_generated(params),
        )
        if kind == RollupKind.PROJECT:
            project_light[project_id] = child
            late_by_project[project_id] = behind_counts(params).get("action", 0)
        else:
            ht_lights[(project_id, number)] = child

    late_by_region: dict[int, int] = defaultdict(int)  # the hanke lights count their late
    for project in projects:
        late_by_region[project.region_id] += late_by_project.get(project.pk, 0)

    indicators = (
        IndicatorProgress.objects.filter(indicator__project_id__in=ids)
        .order_by()
        .values("indicator__project__region_id")
        .annotate(
            red=Count("id", filter=Q(light=Light.RED)),
            stale=Count("id", filter=Q(reason_code="indicator_stale")),
        )
    )
    indicators_by_region = {row["indicator__project__region_id"]: row for row in indicators}

    budget_use = budget_use_by_project(projects)
    high_risks = high_risks_by_project(ids)

    rows: list[OverviewRow] = []
    for region_id, region_projects in by_region.items():
        thresholds = region_projects[0].programme.rollup_thresholds()
        for project in region_projects:
            project.last_update = project.last_change_at
        cells = [
            (
                number,
                stored.get((region_id, number))
                or _rolled_cell(
                    [
                        ht_lights[(p.pk, number)]
                        for p in region_projects
                        if (p.pk, number) in ht_lights
                    ],
                    thresholds,
                ),
            )
            for number in columns
        ]
        total = stored.get((region_id, 0)) or _rolled_cell(
            [project_light[p.pk] for p in region_projects if p.pk in project_light], thresholds
        )
        counts = indicators_by_region.get(region_id, {})
        uses = [budget_use[p.pk] for p in region_projects]
        budgeted = [use for use in uses if use.budget is not None]
        rows.append(
            OverviewRow(
                region=region_projects[0].region,
                projects=region_projects,
                cells=cells,
                total=total,
                late_actions=late_by_region.get(region_id, 0),
                indicators_off_track=counts.get("red", 0),
                indicators_stale=counts.get("stale", 0),
                budget=sum((u.budget for u in budgeted), Decimal(0)) if budgeted else None,
                spent=sum((u.spent for u in budgeted), Decimal(0)),
                no_budget=len(uses) - len(budgeted),
                high_risks=sum(high_risks.get(p.pk, 0) for p in region_projects),
            )
        )
    rows.sort(key=lambda row: row.region.display_name)
    if sort == "all":
        rows.sort(key=_sort_key_all)
    return Overview(rows, columns, sort, ht)
