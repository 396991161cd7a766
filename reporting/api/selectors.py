"""What the API may show a user: every queryset starts from Project.objects.visible_to(user).

The lights are the stored ones (measures.models.CurrentLight for actions, IndicatorProgress
for indicators); nothing is computed on read. Lights of a page of actions are fetched in one
query for the whole page (measures.selectors.stored_lights).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models import QuerySet

from measures.models import Indicator
from measures.models import Measurement
from measures.models import RollupKind
from measures.selectors import stored_lights
from measures.selectors import with_latest_source
from objectives.models import Action
from objectives.models import ProcessGoal
from projects.access import roles_for
from projects.models import Project
from projects.models import Region


def _by_place(queryset: QuerySet, *, prefix: str, project: int | None, region: int | None):
    if project is not None:
        queryset = queryset.filter(**{f"{prefix}id": project})
    if region is not None:
        queryset = queryset.filter(**{f"{prefix}region_id": region})
    return queryset


def api_regions(*, user) -> QuerySet[Region]:
    """All regions for programme roles; else the regions of the user's hankkeet and regions."""
    regions = Region.objects.order_by("code")
    roles = roles_for(user)
    if roles.programme:
        return regions
    visible = Project.objects.visible_to(user).values("region_id")
    return regions.filter(Q(pk__in=visible) | Q(pk__in=list(roles.regions)))


def api_projects(*, user, region: int | None = None) -> QuerySet[Project]:
    projects = (
        Project.objects.visible_to(user).select_related("region").order_by("region__code", "id")
    )
    return _by_place(projects, prefix="", project=None, region=region)


def api_goals(*, user, project: int | None = None, region: int | None = None):
    goals = (
        ProcessGoal.objects.filter(project__in=Project.objects.visible_to(user))
        .select_related("work_package")
        .prefetch_related("benefit_targets")
        .order_by("project_id", "work_package__order", "order", "id")
    )
    return _by_place(goals, prefix="project__", project=project, region=region)


def api_actions(*, user, project: int | None = None, region: int | None = None):
    actions = (
        Action.objects.filter(project__in=Project.objects.visible_to(user))
        .select_related("work_package")
        .prefetch_related("goals", "benefit_targets")
        .order_by("project_id", "work_package__order", "order", "id")
    )
    return _by_place(actions, prefix="project__", project=project, region=region)


def with_action_lights(actions: Iterable[Action]) -> list[Action]:
    """Each action with `.light`, its newest stored Assessment or None (one query)."""
    actions = list(actions)
    lights = stored_lights(RollupKind.ACTION, [action.pk for action in actions])
    for action in actions:
        action.light = lights.get(action.pk)
    return actions


def api_indicators(*, user, project: int | None = None, region: int | None = None):
    indicators = (
        with_latest_source(Indicator.objects.filter(project__in=Project.objects.visible_to(user)))
        .select_related("progress")
        .prefetch_related("goals", "actions", "benefit_targets")
        .order_by("project_id", "order", "id")
    )
    return _by_place(indicators, prefix="project__", project=project, region=region)


def api_measurements(
    *, user, indicator: int | None = None, project: int | None = None, region: int | None = None
):
    measurements = Measurement.objects.filter(
        indicator__project__in=Project.objects.visible_to(user)
    ).order_by("indicator_id", "period", "id")
    if indicator is not None:
        measurements = measurements.filter(indicator_id=indicator)
    return _by_place(measurements, prefix="indicator__project__", project=project, region=region)
