"""Reads for goals and actions, scoped to the user (R5); fixed query counts."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import timedelta
from typing import NamedTuple

from django.core.paginator import Page
from django.db.models import Count
from django.db.models import F
from django.db.models import FilteredRelation
from django.db.models import IntegerField
from django.db.models import Max
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from measures.models import CurrentLight
from measures.models import Indicator
from measures.models import RollupKind
from measures.models import Target
from measures.selectors import OffTrack
from measures.selectors import indicators_off_track
from measures.selectors import light_subquery
from measures.selectors import stored_lights
from measures.selectors import stored_lights_by_kind
from measures.selectors import with_latest_source
from objectives.choices import ActionStatus
from objectives.choices import PlanChange
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.models import StatusUpdate
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.models_common import in_all_languages
from portal.paging import page_of
from portal.sorting import Sort
from portal.sorting import light_rank
from portal.sorting import order_by
from projects.access import Perm
from projects.access import can
from projects.access import can_each
from projects.access import roles_for
from projects.models import Project
from projects.models import Region
from projects.models import WorkPackage
from projects.selectors import BudgetGlance
from projects.selectors import TopRisks
from projects.selectors import budget_glance
from projects.selectors import in_scope_get
from projects.selectors import top_risks

# The action table's sortable columns (`?jarjestys=`): plan order, number, planned end, light.
ACTION_SORTS = {
    "paketti": ("work_package__order", "order", "id"),
    "numero": ("number", "id"),
    "aikataulu": ("planned_end", "planned_start", "work_package__order", "order", "id"),
    "tila": ("light_rank", "work_package__order", "order", "id"),
}


def action_list(
    *, user, project: Project, page: int | str | None = 1, sort: Sort | None = None
) -> Page:
    """One page (`portal.paging.PAGE_SIZE`) of the hanke's actions in plan order or sorted by
    a column (ACTION_SORTS), with their work package and stored light: four queries
    (visibility, count, page, lights), any size."""
    visible = Project.objects.visible_to(user).filter(pk=project.pk).exists()
    if not visible:
        raise Http404
    actions = Action.objects.filter(project=project, retired_on__isnull=True).select_related(
        "work_package", "owner"
    )
    sort = sort or Sort("paketti")
    if sort.key == "tila":
        actions = actions.annotate(light_value=light_subquery(RollupKind.ACTION)).annotate(
            light_rank=light_rank("light_value")
        )
    actions = actions.order_by(*order_by(sort, ACTION_SORTS))
    shown = page_of(actions, page)
    shown.object_list = list(shown.object_list)
    lights = stored_lights(RollupKind.ACTION, [a.pk for a in shown.object_list])
    for action in shown.object_list:
        action.light = lights.get(action.pk)
    return shown


def action_get(*, user, pk: int, page: bool = True) -> Action:
    """The action if `user` may see it (else 404); with `page`, also what its page shows:
    goals, HTs, the whole status timeline and its light. A save needs none of these."""
    actions = (
        Action.objects.filter(pk=pk, project__in=Project.objects.visible_to(user))
        .select_related("project__region", "work_package", "owner", "responsible_organisation")
        .order_by()  # one row: not the default order's joins
    )
    if page:
        actions = actions.prefetch_related(
            Prefetch(
                "goals", queryset=ProcessGoal.objects.order_by("work_package__order", "order", "id")
            ),
            "benefit_targets",
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.select_related(
                    "author", "owner", "reporting_period"
                ).order_by("-created_at", "-id"),
            ),
        )
    action = actions.first()
    if action is None:
        raise Http404
    if page:
        action.light = stored_lights(RollupKind.ACTION, [action.pk]).get(action.pk)
    return action


# --- One process goal: its light, its actions and the indicators that follow it ---------


@dataclass
class GoalPage:
    goal: ProcessGoal
    light: Assessment | None
    hts: list[str]
    actions: list[Action]  # each with .light and .last_update
    counts: dict[str, int]  # actions per light
    indicators: list  # measures.Indicator with .progress and prefetched targets


def goal_get(*, user, pk: int) -> ProcessGoal:
    """The goal with its hanke, work package and plan version (one query); 404 outside the
    user's hankkeet. Its HTs are read by `goal_page`, only when the page is built."""
    goal = (
        ProcessGoal.objects.select_related("project__region", "work_package", "plan_version")
        .filter(pk=pk)
        .order_by()  # one row: not the default order's joins
        .first()
    )
    if goal is None or not can(user, Perm.VIEW, goal):
        raise Http404
    return goal


def goal_page(*, user, goal: ProcessGoal) -> GoalPage:
    """The goal's light, its actions (plan order) and the indicators that follow it.

    Seven queries, however many actions and indicators: the HTs, the actions, their lights
    and last updates, the goal's light, the indicators with their targets.
    """
    actions = list(
        goal.actions.filter(retired_on__isnull=True)
        .select_related("owner", "work_package")
        .order_by("work_package__order", "order", "id")
    )
    for action in actions:
        action.project = goal.project  # the same hanke: spares a query per permission check
    _decorate(user, actions)
    counts: dict[str, int] = {}
    for action in actions:
        key = str(action.light.light if action.light else Light.GREY)
        counts[key] = counts.get(key, 0) + 1
    indicators = list(
        with_latest_source(Indicator.objects.filter(goals=goal, retired_on__isnull=True))
        .select_related("progress")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("target_date")))
        .order_by("order", "code")
    )
    return GoalPage(
        goal=goal,
        light=stored_lights(RollupKind.GOAL, [goal.pk]).get(goal.pk),
        hts=[ht.code for ht in goal.benefit_targets.all()],
        actions=actions,
        counts=counts,
        indicators=indicators,
    )


# --- The hanke page: packages folded, one opened, or the filtered rows, a page at a time -----


@dataclass(frozen=True)
class ProjectFilters:
    """What narrows the actions on the hanke page; the defaults filter nothing."""

    wp: object | None = None
    ht: int | None = None
    light: str = ""
    late: bool = False
    owner: object | None = None
    plan_version: object | None = None
    new: bool = False
    q: str = ""

    @classmethod
    def from_data(cls, data: dict) -> ProjectFilters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names and v not in (None, "")})

    @property
    def active(self) -> bool:
        return self != ProjectFilters()


@dataclass
class GoalNode:
    goal: ProcessGoal
    light: Assessment | None
    hts: list[str]
    actions: list[Action]


@dataclass(eq=False)
class PackageNode:
    package: WorkPackage
    light: Assessment | None
    counts: dict[str, int] = field(default_factory=dict)  # its actions by light, sub-packages'
    action_count: int = 0  # included, whatever the filters
    goals: list[GoalNode] = field(default_factory=list)  # only what this page draws
    loose_actions: list[Action] = field(default_factory=list)
    children: list[PackageNode] = field(default_factory=list)  # sub-packages drawn, flattened
    open: bool = False  # its rows are drawn (the opened package, or a package with matches)

    @property
    def is_empty(self) -> bool:
        return not (self.goals or self.loose_actions or self.children)


@dataclass
class ProjectTree:
    project: Project
    light: Assessment | None
    # Top-level packages: all of them when folded or one is open; with filters, those that
    # have matching rows on this page.
    packages: list[PackageNode]
    counts: dict[str, int]  # the hanke's actions (with filters: the matching ones) by light
    action_count: int
    filtered: bool
    opened: PackageNode | None = None
    page: Page | None = None  # the rows drawn; None when every package is folded

    @property
    def drawn_packages(self) -> list[PackageNode]:
        """The packages whose lights the page shows: the top-level ones and drawn children."""
        return [node for top in self.packages for node in (top, *top.children)]

    @property
    def drawn_goals(self) -> list[GoalNode]:
        return [goal for node in self.drawn_packages for goal in node.goals]


class _Row(NamedTuple):
    """One line of the tree in page order, as ids: an action under a goal, an action without
    a goal (`goal` None), a goal without actions or a sub-package without either (`action`
    None). Pages are cut from these, so only the rows of one page are read in full."""

    top: int  # the top-level package the row is drawn in
    package: int
    goal: int | None
    action: int | None


def _filtered_actions(project: Project, filters: ProjectFilters):
    """The hanke's actions narrowed by the filters the database can apply (one query)."""
    through = Action.goals.through.objects
    qs = Action.objects.filter(project=project, retired_on__isnull=True)
    if filters.ht:  # tagged with the HT, or serving a goal of the hanke that is
        own = Action.benefit_targets.through.objects.filter(
            benefittarget__number=filters.ht, action__project=project
        )
        by_goal = through.filter(
            processgoal__benefit_targets__number=filters.ht, processgoal__project=project
        )
        qs = qs.filter(Q(pk__in=own.values("action_id")) | Q(pk__in=by_goal.values("action_id")))
    if filters.wp is not None:
        qs = qs.filter(Q(work_package=filters.wp) | Q(work_package__parent=filters.wp))
    if filters.owner is not None:
        qs = qs.filter(owner=filters.owner)
    if filters.plan_version is not None:
        qs = qs.filter(plan_version=filters.plan_version)
    if filters.new:
        qs = qs.filter(change=PlanChange.NEW)
    if filters.q:
        own = Q()
        goal = Q()
        for lang in ("fi", "sv", "en"):
            own |= Q(**{f"title_{lang}__icontains": filters.q})
            goal |= Q(**{f"processgoal__title_{lang}__icontains": filters.q})
        qs = qs.filter(own | Q(pk__in=through.filter(goal).values("action_id")))
    return qs.order_by("work_package__order", "order", "id")


def project_packages(*, project: Project) -> list[WorkPackage]:
    """The hanke's work packages in the plan today, in plan order (one query). `project`
    comes from `project_get`: the tree and the filter form read the same list."""
    packages = WorkPackage.objects.filter(project=project, retired_on__isnull=True)
    fields = ("project_id", "parent_id", "code", *in_all_languages("name"), "order")
    return list(packages.only(*fields).order_by("order", "code", "id"))


def project_tree(
    *,
    user,
    project: Project,
    filters: ProjectFilters | None = None,
    open_package: int | None = None,
    page: int | str | None = 1,
    packages: list[WorkPackage] | None = None,
) -> ProjectTree:
    """The hanke page's work breakdown, drawing a bounded number of rows whatever its size.

    - Folded (no filter, no package asked for): the top-level work packages with their
      stored lights and the actions their sections hold, counted by light; no rows.
    - `open_package` (a package id; a sub-package opens its top-level package): that
      package's goals, sub-packages and actions in plan order, `PAGE_SIZE` rows a page.
    - Filters: the matching rows across the hanke, a page at a time; goals and packages
      without a match are left out (`open_package` is then ignored).

    A package's count is what opening it shows: the actions under its goals (wherever the
    actions' own package is, as in the plans) and its actions without a goal.

    Three queries folded, six with rows (the packages unless `packages` gives them; the
    actions as ids with their colours and the live goals they serve; package and hanke
    lights; then for rows only: the goals as ids with their HTs, and for the page's rows
    only: goals, actions with their last update); visibility is the user's roles, already
    read. Whole-hanke reads fetch ids and colours only; rows are read in full for one page.
    """
    filters = filters or ProjectFilters()
    if not can(user, Perm.VIEW, project):
        raise Http404
    if packages is None:
        packages = project_packages(project=project)
    placements = _placements(project, filters)
    colour: dict[int, Light] = {}
    own_package: dict[int, int] = {}  # action → its package, in plan order
    for pk, wp, _goal, _goal_wp, light in placements:
        colour[pk] = _LIGHT_OF[light]
        own_package[pk] = wp
    actions = list(own_package.items())
    if filters.light or filters.late:
        wanted = {filters.light} if filters.light else set()
        if filters.late:
            wanted = wanted & {Light.RED} if filters.light else {Light.RED}
        actions = [(pk, wp) for pk, wp in actions if colour[pk] in wanted]
        shown = dict(actions)
        placements = [row for row in placements if row[0] in shown]
    served = _served(placements)
    nodes = {p.pk: PackageNode(package=p, light=None) for p in packages}
    counts = dict(Counter(str(colour[pk]) for pk, _wp in actions))
    tops = [nodes[p.pk] for p in packages if p.parent_id not in nodes]
    _count_sections(served, colour, nodes)
    tree = ProjectTree(
        project=project,
        light=None,
        packages=tops,
        counts=counts,
        action_count=sum(counts.values()),
        filtered=filters.active,
    )
    if not filters.active:
        tree.opened = _top_of(nodes, open_package)
        if tree.opened is not None:
            tree.opened.open = True
    drawn: list[_Row] = []
    goal_hts: dict[int, list[str]] = {}
    if filters.active or tree.opened is not None:  # else folded: no rows drawn
        drawn_tops = tops if tree.opened is None else [tree.opened]
        rows, goal_hts = _rows(
            project, actions, served, drawn_tops, nodes, with_empty=not filters.active
        )
        tree.page = page_of(rows, page)
        drawn = tree.page.object_list
    lights = stored_lights_by_kind(
        {
            RollupKind.PROJECT: [project.pk],
            RollupKind.WORK_PACKAGE: list(nodes),
            RollupKind.GOAL: _ids(row.goal for row in drawn),
            RollupKind.ACTION: _ids(row.action for row in drawn),
        }
    )
    tree.light = lights[RollupKind.PROJECT].get(project.pk)
    for node in nodes.values():
        node.light = lights[RollupKind.WORK_PACKAGE].get(node.package.pk)
    if drawn:
        _fill(user, project, drawn, nodes, lights=lights, goal_hts=goal_hts)
    if filters.active:
        tree.packages = [node for node in tops if node.open]
    return tree


def _ids(ids) -> list[int]:
    """The ids given, without None and repeats, in their order."""
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


# A stored light's value → the light; an action without a stored light is grey.
_LIGHT_OF: dict[str | None, Light] = {**{light.value: light for light in Light}, None: Light.GREY}


def _placements(project: Project, filters: ProjectFilters) -> list[tuple]:
    """The matching actions in plan order, a row for each live goal of the hanke an action
    serves (else one row without a goal): (action, its package, goal, the goal's package,
    stored light). One query: the goals joined on their link, the light a subquery."""
    live_goal = FilteredRelation(
        "goals", condition=Q(goals__retired_on__isnull=True, goals__project=project)
    )
    return list(
        _filtered_actions(project, filters)
        .annotate(live_goal=live_goal, light=light_subquery(RollupKind.ACTION))
        .values_list(
            "pk", "work_package_id", "live_goal__id", "live_goal__work_package_id", "light"
        )
    )


def _served(placements: list[tuple]) -> list[tuple]:
    """(action, package, goal, goal's package) rows: an action's goal rows, or, for an action
    without a live goal, one row without a goal (a retired goal's link leaves an empty row
    beside the live ones: it is dropped)."""
    with_goal = {row[0] for row in placements if row[2] is not None}
    return [row[:4] for row in placements if row[2] is not None or row[0] not in with_goal]


def _count_sections(served: list[tuple], colour: dict[int, Light], nodes) -> None:
    """Each package's actions by light, as its section draws them: a sub-package its own, a
    top-level package its own and its sub-packages' (an action counted once): an action
    under each goal it serves, in the goal's package, else in its own package."""
    by_section: dict[int, set[int]] = defaultdict(set)
    for pk, wp, goal, goal_wp in served:
        by_section[wp if goal is None else goal_wp].add(pk)
    drawn: dict[int, set[int]] = defaultdict(set)
    for section, action_ids in by_section.items():
        if section in nodes:
            drawn[section] |= action_ids
            drawn[_top_of(nodes, section).package.pk] |= action_ids
    for package_id, action_ids in drawn.items():
        node = nodes[package_id]
        node.action_count = len(action_ids)
        node.counts = dict(Counter(str(colour[pk]) for pk in action_ids))


def _top_of(nodes: dict[int, PackageNode], package_id: int | None) -> PackageNode | None:
    """The top-level package that holds `package_id` (None for a package of another hanke)."""
    node, seen = nodes.get(package_id), set()
    while node is not None and node.package.parent_id in nodes and node.package.pk not in seen:
        seen.add(node.package.pk)
        node = nodes[node.package.parent_id]
    return node


def _descendants(top: PackageNode, below: dict[int, list[PackageNode]]) -> list[PackageNode]:
    """The sub-packages of a top-level package, depth first in plan order."""
    found, stack = [], list(reversed(below.get(top.package.pk, [])))
    while stack:
        node = stack.pop()
        if node not in found:
            found.append(node)
            stack.extend(reversed(below.get(node.package.pk, [])))
    return found


def _rows(
    project: Project, actions, links, tops, nodes, *, with_empty: bool
) -> tuple[list[_Row], dict[int, list[str]]]:
    """Every row of `tops` (top-level packages) and their sub-packages in page order, from
    ids (one query: their goals with HT codes; the actions' goals from `links`, `_served`'s
    rows), and each goal's HT codes.

    An action is drawn under each goal it serves, else among its package's actions without
    a goal. `with_empty` (no filters): goals without actions and sub-packages without goals
    or actions get a row too, so the page says so.
    """
    below: dict[int, list[PackageNode]] = {}  # sub-packages by parent, in plan order
    for node in nodes.values():
        below.setdefault(node.package.parent_id, []).append(node)
    sections = [(top, [top, *_descendants(top, below)]) for top in tops]
    package_ids = [node.package.pk for _top, section in sections for node in section]
    position = {pk: i for i, (pk, _wp) in enumerate(actions)}
    goal_hts: dict[int, list[str]] = {}
    goals = []  # (goal, its package) in plan order
    goals_read = ProcessGoal.objects.filter(project=project, retired_on__isnull=True)
    if len(package_ids) < len(nodes):  # one package opened: its goals only
        goals_read = goals_read.filter(work_package_id__in=package_ids)
    for goal_id, package_id, ht in goals_read.order_by(
        "order", "id", "benefit_targets__number"
    ).values_list("pk", "work_package_id", "benefit_targets__code"):
        if goal_id not in goal_hts:
            goals.append((goal_id, package_id))
            goal_hts[goal_id] = []
        if ht:
            goal_hts[goal_id].append(ht)
    goals_of_package: dict[int, list[int]] = {}
    for goal_id, package_id in goals:
        goals_of_package.setdefault(package_id, []).append(goal_id)
    served: dict[int, list[int]] = {}
    with_goal: set[int] = set()
    goal_ids = {goal_id for goal_id, _wp in goals}
    for action_id, _wp, goal_id, _goal_wp in links:  # live goals of the hanke only
        if goal_id is not None and action_id in position:
            with_goal.add(action_id)  # drawn under its goals, wherever they are
            if goal_id in goal_ids:
                served.setdefault(goal_id, []).append(action_id)
    loose: dict[int, list[int]] = {}
    for pk, wp in actions:
        if pk not in with_goal:
            loose.setdefault(wp, []).append(pk)
    rows: list[_Row] = []
    for top, section in sections:
        for node in section:
            package, before = node.package.pk, len(rows)
            for goal_id in goals_of_package.get(package, ()):
                served_by = sorted(served.get(goal_id, ()), key=position.__getitem__)
                rows += [_Row(top.package.pk, package, goal_id, pk) for pk in served_by]
                if with_empty and not served_by:
                    rows.append(_Row(top.package.pk, package, goal_id, None))
            rows += [_Row(top.package.pk, package, None, pk) for pk in loose.get(package, ())]
            if with_empty and node is not top and len(rows) == before:
                rows.append(_Row(top.package.pk, package, None, None))
    return rows, goal_hts


# What a row of the tree draws (objectives/templatetags/action_rows.py, the goal's line):
# the rest of a plan row's columns are left unread.
_GOAL_ROW = ("number", "kind", *in_all_languages("title"), "work_package_id", "project_id")
_ACTION_ROW = (
    "number",
    *in_all_languages("title"),
    "change",
    "status",
    "planned_end",
    "schedule_text",
    "responsible_text",
    "project_id",
    "work_package_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def _fill(user, project: Project, rows: list[_Row], nodes, *, lights, goal_hts) -> None:
    """Read one page's goals and actions in full (two queries) and hang them, with the
    lights and HT codes already read, on their packages."""
    goal_ids = _ids(row.goal for row in rows)
    action_ids = _ids(row.action for row in rows)
    # No order (the rows are placed by `rows`): the models' default order joins the hanke
    # and its region to every read.
    goals = ProcessGoal.objects.filter(pk__in=goal_ids).only(*_GOAL_ROW).order_by()
    goals = {goal.pk: goal for goal in goals}
    goal_lights, action_lights = lights[RollupKind.GOAL], lights[RollupKind.ACTION]
    newest = StatusUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at")
    actions = Action.objects.filter(pk__in=action_ids).select_related("owner")
    actions = actions.only(*_ACTION_ROW).order_by()
    actions = {
        action.pk: action
        for action in actions.annotate(last_update=Subquery(newest.values("created_at")[:1]))
    }
    may_update = can_each(user, Perm.UPDATE_ACTION_STATUS, project)
    for action in actions.values():
        action.project = project  # the same hanke: spares a query per permission check
        action.light = action_lights.get(action.pk)
        action.can_update = may_update(action)
    goal_nodes: dict[int, GoalNode] = {}
    for row in rows:
        top, node = nodes[row.top], nodes[row.package]
        top.open = True
        if node is not top and node not in top.children:
            top.children.append(node)
        if row.goal is not None:
            goal_node = goal_nodes.get(row.goal)
            if goal_node is None:
                goal = goals[row.goal]
                goal.work_package = node.package  # its own package: `repeats_package` reads it
                hts = goal_hts.get(goal.pk, [])
                goal_node = GoalNode(goal, goal_lights.get(goal.pk), hts, actions=[])
                goal_nodes[row.goal] = goal_node
                node.goals.append(goal_node)
            if row.action is not None:
                goal_node.actions.append(actions[row.action])
        elif row.action is not None:
            node.loose_actions.append(actions[row.action])


# --- The hanke page's summary: budget, risks and indicators at a glance --------------------

GLANCE_ITEMS = 3  # the top risks and the worst indicators the summary names


@dataclass(frozen=True)
class ProjectGlance:
    budget: BudgetGlance
    risks: TopRisks
    indicators: OffTrack


def project_glance(*, project: Project, today) -> ProjectGlance:
    """Budget use, the top risks and the indicators off track of one hanke, read by the
    finance, risk and indicator selectors: four queries (budget lines, expenses, risks,
    indicators; aggregated in the database) and at most `GLANCE_ITEMS` rows of each list,
    whatever the hanke's size. Permission: `project` comes from `project_get`."""
    return ProjectGlance(
        budget=budget_glance(project=project, today=today),
        risks=top_risks(project=project, limit=GLANCE_ITEMS),
        indicators=indicators_off_track(project=project, limit=GLANCE_ITEMS),
    )


# --- Rows that can be edited in place, and "My work" -------------------------------------

DUE_SOON_DAYS = 30


def _decorate(user, actions: list[Action]) -> None:
    """Stored light, last update and may-update flag on each action (two queries in all).

    The actions must come with `project` loaded (select_related) so the permission check
    reads only the user's cached roles.
    """
    ids = [a.pk for a in actions]
    lights = stored_lights(RollupKind.ACTION, ids)
    last_updates = dict(
        StatusUpdate.objects.filter(action_id__in=ids)
        .values("action_id")
        .annotate(last=Max("created_at"))
        .values_list("action_id", "last")
    )
    for action in actions:
        action.light = lights.get(action.pk)
        action.last_update = last_updates.get(action.pk)
        action.can_update = can(user, Perm.UPDATE_ACTION_STATUS, action)


def action_row(*, user, pk: int) -> Action:
    """One action as a list row: light, last update, may-update flag (404 outside scope)."""
    queryset = Action.objects.select_related("project__region", "work_package", "owner")
    action = in_scope_get(queryset, user=user, pk=pk)
    _decorate(user, [action])
    return action


SECTIONS = ("late", "due_soon", "other")  # My work's order: late first, then due soon


@dataclass
class MyWork:
    scope: str  # "mine": actions I own; "hanke": every open action of my hankkeet
    # This page's rows of each section (late, due within 30 days, other), in that order.
    late: list[Action]
    due_soon: list[Action]
    other: list[Action]
    has_hanke: bool
    counts: dict[str, int] = field(default_factory=dict)  # all of each section, every page
    page: Page | None = None


def _member_project_ids(user) -> list[int]:
    roles = roles_for(user)
    ids = set(roles.projects)
    if roles.regions:
        ids |= set(Project.objects.filter(region_id__in=roles.regions).values_list("pk", flat=True))
    return sorted(ids)


def my_work(*, user, scope: str, today, page: int | str | None = 1) -> MyWork:
    """The open actions a person answers for, late first, then due within 30 days, then the
    rest; one page (`portal.paging.PAGE_SIZE`) of them, with every section counted.

    "mine": actions the user owns; "hanke": every open action of the hankkeet where the user
    has a role. Done and cancelled actions are left out. A fixed number of queries: the open
    actions are sorted into sections from their ids, end dates and stored colours; only the
    page's rows are read in full.
    """
    project_ids = _member_project_ids(user)
    qs = Action.objects.filter(
        project__in=Project.objects.visible_to(user), retired_on__isnull=True
    ).exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
    qs = qs.filter(owner=user) if scope == "mine" else qs.filter(project_id__in=project_ids)
    found = (
        qs.annotate(light=light_subquery(RollupKind.ACTION))
        .order_by(
            F("planned_end").asc(nulls_last=True), "project__name_fi", "work_package__order", "id"
        )
        .values_list("pk", "planned_end", "light")
    )
    soon = today + timedelta(days=DUE_SOON_DAYS)
    sections: dict[str, list[int]] = {name: [] for name in SECTIONS}
    for pk, planned_end, light in found:
        if light == Light.RED:
            sections["late"].append(pk)
        elif planned_end is not None and today <= planned_end <= soon:
            sections["due_soon"].append(pk)
        else:
            sections["other"].append(pk)
    ordered = [(name, pk) for name in SECTIONS for pk in sections[name]]
    shown = page_of(ordered, page)
    rows = Action.objects.filter(pk__in=[pk for _name, pk in shown.object_list])
    actions = {a.pk: a for a in rows.select_related("project__region", "work_package", "owner")}
    _decorate(user, list(actions.values()))
    drawn: dict[str, list[Action]] = {name: [] for name in SECTIONS}
    for name, pk in shown.object_list:
        drawn[name].append(actions[pk])
    return MyWork(
        scope,
        **drawn,
        has_hanke=bool(project_ids),
        counts={name: len(ids) for name, ids in sections.items()},
        page=shown,
    )


# --- The front page: the regions and hankkeet the user may see ---------------------------


@dataclass(frozen=True)
class RegionOverview:
    region: Region
    projects: list[Project]


def _count_of(model) -> Subquery:
    """How many rows of `model` the hanke has: a correlated count, so the three counts do not
    multiply into one join of goals × actions × indicators (millions of rows at scale)."""
    rows = (
        model.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _latest_project_lights(project_ids: list[int]) -> dict[int, object]:
    """The newest stored light per hanke, with its counts (one query)."""
    return {
        row.object_id: row
        for row in CurrentLight.objects.filter(kind="project", object_id__in=project_ids)
    }


def project_list(*, user) -> list[Project]:
    """Visible hankkeet with counts and their latest computed light (two queries)."""
    projects = list(
        Project.objects.visible_to(user)
        .select_related("region", "coordinator")
        .annotate(
            goal_count=_count_of(ProcessGoal),
            action_count=_count_of(Action),
            indicator_count=_count_of(Indicator),
        )
        .order_by("region__name_fi", "name_fi")
    )
    lights = _latest_project_lights([p.pk for p in projects])
    for project in projects:
        row = lights.get(project.pk)
        project.light = (
            Assessment(Light(row.light), Reason(row.reason_code, row.reason_params or {}))
            if row
            else None
        )
        project.light_counts = row.counts if row else None
    return projects


def region_overview_for_user(*, user) -> list[RegionOverview]:
    """The regions the user may see, each with its visible hankkeet (one query)."""
    grouped: dict[int, RegionOverview] = {}
    for project in project_list(user=user):
        entry = grouped.setdefault(project.region_id, RegionOverview(project.region, []))
        entry.projects.append(project)
    # Sorted in the reader's language: "Mellersta Finland" comes after "Mellersta Österbotten"
    # in Swedish even though the Finnish names sort the other way.
    return sorted(grouped.values(), key=lambda entry: entry.region.display_name)
