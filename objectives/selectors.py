"""Reads for goals and actions, scoped to the user (R5); fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import timedelta

from django.db.models import F, Max, Prefetch, Q
from django.http import Http404

from measures.models import CurrentLight, RollupKind
from portal.lights import Assessment, Light, Reason
from projects.access import Perm, can, roles_for
from projects.models import Membership, Project, WorkPackage

from .choices import ActionStatus, PlanChange
from .models import Action, BenefitTarget, ProcessGoal, StatusUpdate


def _latest_lights(kind: str, ids: list[int]) -> dict[int, Assessment]:
    """The newest stored light per object (one query)."""
    rows = CurrentLight.objects.filter(kind=kind, object_id__in=ids).values_list(
        "object_id", "light", "reason_code", "reason_params"
    )
    return {
        object_id: Assessment(Light(light), Reason(code, params or {}))
        for object_id, light, code, params in rows
    }


def action_list(*, user, project: Project) -> list[Action]:
    """The hanke's actions with work package and their stored lights (two queries)."""
    visible = Project.objects.visible_to(user).filter(pk=project.pk).exists()
    if not visible:
        raise Http404
    actions = list(
        Action.objects.filter(project=project)
        .select_related("work_package", "owner")
        .order_by("work_package__order", "order", "id")
    )
    lights = _latest_lights(RollupKind.ACTION, [a.pk for a in actions])
    for action in actions:
        action.light = lights.get(action.pk)
    return actions


def action_get(*, user, pk: int) -> Action:
    action = (
        Action.objects.filter(pk=pk, project__in=Project.objects.visible_to(user))
        .select_related("project__region", "work_package", "owner", "responsible_organisation")
        .prefetch_related(
            "goals",
            "benefit_targets",
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.select_related(
                    "author", "owner", "reporting_period"
                ).order_by("-created_at", "-id"),
            ),
        )
        .first()
    )
    if action is None:
        raise Http404
    action.light = _latest_lights(RollupKind.ACTION, [action.pk]).get(action.pk)
    return action


# What the action page reads outside its cached parts: the title, the breadcrumb's hanke,
# the form's initial values and what the access check needs (the hanke and its region).
ACTION_FORM_FIELDS = (
    *("number", "title_fi", "title_sv", "title_en"),
    *("status", "owner_id", "planned_end", "version", "project_id"),
    *("project__region_id", "project__name_fi", "project__name_sv", "project__name_en"),
)


def action_for_form(*, user, pk: int) -> Action:
    """The action with its hanke, for the status form and the access check: one narrow query.

    The action page's read-only parts (facts, light, history) come from `action_get` only
    when their cached rendering is missing (portal.page_cache).
    """
    action = (
        Action.objects.select_related("project").only(*ACTION_FORM_FIELDS).filter(pk=pk).first()
    )
    if action is None or not can(user, Perm.VIEW, action):
        raise Http404
    return action


def hanke_people(*, project: Project):
    """Users with an active role in the hanke: the choices for an action's owner."""
    from django.contrib.auth import get_user_model

    members = Membership.objects.active().filter(project=project).values("user_id")
    return get_user_model().objects.filter(pk__in=members).order_by("last_name", "first_name")


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
    from measures.models import Indicator, Target

    actions = list(
        goal.actions.select_related("owner", "work_package").order_by(
            "work_package__order", "order", "id"
        )
    )
    for action in actions:
        action.project = goal.project  # the same hanke: spares a query per permission check
    _decorate(user, actions)
    counts: dict[str, int] = {}
    for action in actions:
        key = str(action.light.light if action.light else Light.GREY)
        counts[key] = counts.get(key, 0) + 1
    indicators = list(
        Indicator.objects.filter(goals=goal)
        .select_related("progress")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("target_date")))
        .order_by("order", "code")
    )
    return GoalPage(
        goal=goal,
        light=_latest_lights(RollupKind.GOAL, [goal.pk]).get(goal.pk),
        hts=[ht.code for ht in goal.benefit_targets.all()],
        actions=actions,
        counts=counts,
        indicators=indicators,
    )


# --- The hanke page: the work breakdown as a tree (a fixed number of queries) -------------


@dataclass(frozen=True)
class HankeFilters:
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
    def from_data(cls, data: dict) -> HankeFilters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names and v not in (None, "")})

    @property
    def active(self) -> bool:
        return self != HankeFilters()


@dataclass
class GoalNode:
    goal: ProcessGoal
    light: Assessment | None
    hts: list[str]
    actions: list[Action]


@dataclass
class PackageNode:
    package: WorkPackage
    light: Assessment | None
    goals: list[GoalNode] = field(default_factory=list)
    loose_actions: list[Action] = field(default_factory=list)
    children: list[PackageNode] = field(default_factory=list)
    action_count: int = 0  # filled in only for a collapsed tree

    @property
    def is_empty(self) -> bool:
        return not (self.goals or self.loose_actions or self.children)


@dataclass
class HankeTree:
    project: Project
    light: Assessment | None
    packages: list[PackageNode]
    counts: dict[str, int]
    action_count: int
    filtered: bool
    collapsed: bool = False  # a large hanke unfiltered: packages only, opened one at a time


# Above this many actions an unfiltered hanke page lists its work packages with their lights
# and counts, each opening on its own (?wp=…): hundreds of rows on one page help nobody and
# cost the server most of its time in rendering.
COLLAPSE_ABOVE = 250


def _filtered_actions(project: Project, filters: HankeFilters):
    """The hanke's actions narrowed by the filters the database can apply (one query)."""
    through = Action.goals.through.objects
    qs = Action.objects.filter(project=project).select_related("owner")
    if filters.ht:
        qs = qs.filter(
            Q(
                pk__in=Action.benefit_targets.through.objects.filter(
                    benefittarget__number=filters.ht
                ).values("action_id")
            )
            | Q(
                pk__in=through.filter(processgoal__benefit_targets__number=filters.ht).values(
                    "action_id"
                )
            )
        )
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


def hanke_tree(*, user, project: Project, filters: HankeFilters | None = None) -> HankeTree:
    """Work packages → sub-packages → process goals → actions, with stored lights.

    Set-based reads (visibility, packages, goals + HTs, actions, the action↔goal links, one
    light query per kind, the last updates), assembled in Python: the same number of queries
    for 3 or 300 actions. Filters narrow the actions; with a filter active, goals and
    packages left without actions are dropped.
    """
    filters = filters or HankeFilters()
    if not Project.objects.visible_to(user).filter(pk=project.pk).exists():
        raise Http404
    packages = list(WorkPackage.objects.filter(project=project).order_by("order", "code", "id"))
    goals = list(
        ProcessGoal.objects.filter(project=project)
        .prefetch_related(Prefetch("benefit_targets", queryset=BenefitTarget.objects.all()))
        .order_by("work_package__order", "order", "id")
    )
    actions = list(_filtered_actions(project, filters))
    links = list(
        Action.goals.through.objects.filter(action__project=project).values_list(
            "action_id", "processgoal_id"
        )
    )
    action_lights = _latest_lights(RollupKind.ACTION, [a.pk for a in actions])
    if filters.light or filters.late:
        wanted = {filters.light} if filters.light else set()
        if filters.late:
            wanted = wanted & {Light.RED} if filters.light else {Light.RED}
        actions = [
            a
            for a in actions
            if (action_lights[a.pk].light if a.pk in action_lights else Light.GREY) in wanted
        ]
    collapsed = not filters.active and len(actions) > COLLAPSE_ABOVE
    shown_ids = [] if collapsed else [a.pk for a in actions]  # rows drawn need their details
    last_updates = dict(
        StatusUpdate.objects.filter(action_id__in=shown_ids)
        .values("action_id")
        .annotate(last=Max("created_at"))
        .values_list("action_id", "last")
    )
    goal_lights = _latest_lights(RollupKind.GOAL, [g.pk for g in goals])
    package_lights = _latest_lights(RollupKind.WORK_PACKAGE, [p.pk for p in packages])
    project_light = _latest_lights(RollupKind.PROJECT, [project.pk]).get(project.pk)

    counts: dict[str, int] = {}
    for action in actions:
        action.project = project  # the same hanke: spares a query per permission check
        action.light = action_lights.get(action.pk)
        action.last_update = last_updates.get(action.pk)
        key = str(action.light.light if action.light else Light.GREY)
        counts[key] = counts.get(key, 0) + 1

    goal_nodes = {
        g.pk: GoalNode(
            goal=g,
            light=goal_lights.get(g.pk),
            hts=[ht.code for ht in g.benefit_targets.all()],
            actions=[],
        )
        for g in goals
    }
    goals_of: dict[int, list[int]] = {}
    for action_id, goal_id in links:
        if goal_id in goal_nodes:
            goals_of.setdefault(action_id, []).append(goal_id)
    package_nodes = {p.pk: PackageNode(package=p, light=package_lights.get(p.pk)) for p in packages}
    if collapsed:
        _count_per_package(package_nodes, actions)
        goals, actions = [], []
    for action in actions:
        action.can_update = can(user, Perm.UPDATE_ACTION_STATUS, action)
        served = goals_of.get(action.pk)
        if served:
            for goal_id in served:
                goal_nodes[goal_id].actions.append(action)
        elif action.work_package_id in package_nodes:
            package_nodes[action.work_package_id].loose_actions.append(action)
    for goal in goals:
        node = goal_nodes[goal.pk]
        if node.actions or not filters.active:
            package_nodes[goal.work_package_id].goals.append(node)
    top: list[PackageNode] = []
    for package in packages:
        node = package_nodes[package.pk]
        if package.parent_id in package_nodes:
            package_nodes[package.parent_id].children.append(node)
        else:
            top.append(node)
    if filters.active:
        for node in top:
            node.children = [c for c in node.children if not c.is_empty]
        top = [n for n in top if not n.is_empty]
    return HankeTree(
        project=project,
        light=project_light,
        packages=top,
        counts=counts,
        action_count=sum(counts.values()),
        filtered=filters.active,
        collapsed=collapsed,
    )


def _count_per_package(package_nodes: dict[int, PackageNode], actions: list[Action]) -> None:
    """Actions per work package, a parent's including its sub-packages' (for the links)."""
    for node in package_nodes.values():
        node.action_count = 0
    for action in actions:
        node = package_nodes.get(action.work_package_id)
        while node is not None:
            node.action_count += 1
            node = package_nodes.get(node.package.parent_id)


# --- Rows that can be edited in place, and "My work" -------------------------------------

DUE_SOON_DAYS = 30


def _decorate(user, actions: list[Action]) -> None:
    """Stored light, last update and may-update flag on each action (two queries in all).

    The actions must come with `project` loaded (select_related) so the permission check
    reads only the user's cached roles.
    """
    ids = [a.pk for a in actions]
    lights = _latest_lights(RollupKind.ACTION, ids)
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
    action = (
        Action.objects.filter(pk=pk, project__in=Project.objects.visible_to(user))
        .select_related("project__region", "work_package", "owner")
        .first()
    )
    if action is None:
        raise Http404
    _decorate(user, [action])
    return action


@dataclass
class MyWork:
    scope: str  # "mine": actions I own; "hanke": every open action of my hankkeet
    late: list[Action]
    due_soon: list[Action]
    other: list[Action]
    has_hanke: bool

    @property
    def counts(self) -> dict[str, int]:
        return {"late": len(self.late), "due_soon": len(self.due_soon), "other": len(self.other)}


def _member_project_ids(user) -> list[int]:
    roles = roles_for(user)
    ids = set(roles.projects)
    if roles.regions:
        ids |= set(Project.objects.filter(region_id__in=roles.regions).values_list("pk", flat=True))
    return sorted(ids)


def my_work(*, user, scope: str, today) -> MyWork:
    """The open actions a person answers for, late first, then due within 30 days.

    "mine": actions the user owns; "hanke": every open action of the hankkeet where the user
    has a role. Done and cancelled actions are left out. A fixed number of queries.
    """
    project_ids = _member_project_ids(user)
    qs = Action.objects.filter(project__in=Project.objects.visible_to(user)).exclude(
        status__in=[ActionStatus.DONE, ActionStatus.CANCELLED]
    )
    qs = qs.filter(owner=user) if scope == "mine" else qs.filter(project_id__in=project_ids)
    actions = list(
        qs.select_related("project__region", "work_package", "owner").order_by(
            F("planned_end").asc(nulls_last=True), "project__name_fi", "work_package__order", "id"
        )
    )
    _decorate(user, actions)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    late, due_soon, other = [], [], []
    for action in actions:
        if action.light is not None and action.light.light == Light.RED:
            late.append(action)
        elif action.planned_end is not None and today <= action.planned_end <= soon:
            due_soon.append(action)
        else:
            other.append(action)
    return MyWork(scope, late, due_soon, other, has_hanke=bool(project_ids))
