"""Reads for the projects app, scoped to the user (R5).

Every selector takes `user` and starts from `Project.objects.visible_to(user)`, so a user
without a role gets nothing. Query counts are fixed whatever the number of hankkeet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, JSONField, OuterRef, Subquery

from objectives.status import Assessment, Light, Reason

from .models import Project, Region


@dataclass(frozen=True)
class RegionOverview:
    region: Region
    projects: list[Project]


def _latest_light(field: str, output_field=None) -> Subquery:
    from reporting.models import StatusRollup

    rows = StatusRollup.objects.filter(kind="project", object_id=OuterRef("pk")).order_by("-as_of")
    return Subquery(rows.values(field)[:1], output_field=output_field)


def project_list(*, user) -> list[Project]:
    """Visible hankkeet with counts and their latest computed light (one query)."""
    projects = list(
        Project.objects.visible_to(user)
        .select_related("region", "coordinator")
        .annotate(
            goal_count=Count("goals", distinct=True),
            action_count=Count("actions", distinct=True),
            indicator_count=Count("indicators", distinct=True),
            light_value=_latest_light("light"),
            light_reason=_latest_light("reason_code"),
            light_params=_latest_light("reason_params", JSONField()),
            light_counts=_latest_light("counts", JSONField()),
        )
        .order_by("region__name_fi", "name_fi")
    )
    for project in projects:
        project.light = (
            Assessment(
                Light(project.light_value), Reason(project.light_reason, project.light_params or {})
            )
            if project.light_value
            else None
        )
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
