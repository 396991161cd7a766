"""Reads for the projects app, scoped to the user (R5).

Every selector takes `user` and starts from `Project.objects.visible_to(user)`, so a user
without a role gets nothing. Query counts are fixed whatever the number of hankkeet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from objectives.status import Assessment, Light, Reason

from .access import Perm, can
from .models import Membership, Project, Region


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
    """The newest stored light per hanke (one query)."""
    from reporting.models import StatusRollup

    return {
        row.object_id: row
        for row in StatusRollup.objects.filter(kind="project", object_id__in=project_ids).newest()
    }


def project_list(*, user) -> list[Project]:
    """Visible hankkeet with counts and their latest computed light (two queries)."""
    from measures.models import Indicator
    from objectives.models import Action, ProcessGoal

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


def project_get(*, user, pk: int) -> Project:
    """One visible hanke (one query); 404 outside the user's scope."""
    project = (
        Project.objects.visible_to(user).select_related("region", "programme").filter(pk=pk).first()
    )
    if project is None:
        raise Http404
    return project


# Managers first: they are whom a reader of the member list usually looks for.
_ROLE_ORDER = {"manager": 0, "worker": 1, "steering": 2}


def _member_sort_key(membership: Membership) -> tuple:
    user = membership.user
    return (_ROLE_ORDER.get(membership.role, 9), user.last_name, user.first_name, user.username)


def membership_list(*, user, project: Project) -> dict[str, list[Membership]]:
    """The people of a hanke (one query): `current`, `ended` and `regional` memberships.

    `regional` are region-wide roles (e.g. a regional steering group) that reach this hanke;
    they are managed by the programme office. `project` comes from `project_get`.
    """
    if not can(user, Perm.VIEW, project):
        return {"current": [], "ended": [], "regional": []}
    today = timezone.localdate()
    rows = sorted(
        Membership.objects.filter(
            Q(project=project) | Q(region_id=project.region_id)
        ).select_related("user"),
        key=_member_sort_key,
    )
    result: dict[str, list[Membership]] = {"current": [], "ended": [], "regional": []}
    for row in rows:
        row.is_ended = row.valid_to is not None and row.valid_to < today
        if row.project_id is None:
            result["regional"].append(row)
        else:
            result["ended" if row.is_ended else "current"].append(row)
    return result


def membership_get(*, user, pk: int) -> Membership:
    """A hanke membership in a hanke the user may see (one query); 404 otherwise."""
    membership = (
        Membership.objects.filter(pk=pk, project__in=Project.objects.visible_to(user))
        .select_related("user", "project__region")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def _users_with_roles():
    User = get_user_model()
    memberships = Membership.objects.select_related("project", "region").order_by(
        "valid_to", "project__name_fi", "region__name_fi"
    )
    return User.objects.select_related("programme_role").prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )


def _annotate_user(account, today) -> None:
    role = getattr(account, "programme_role", None)
    in_force = role is not None and (
        (role.valid_from is None or role.valid_from <= today)
        and (role.valid_to is None or role.valid_to >= today)
    )
    account.current_programme_role = role if in_force else None
    for membership in account.memberships.all():
        membership.is_ended = membership.valid_to is not None and membership.valid_to < today


def user_list(*, user) -> list:
    """Every account with its programme role and memberships (two queries).

    Only for Perm.MANAGE_PROGRAMME; anyone else gets an empty list.
    """
    if not can(user, Perm.MANAGE_PROGRAMME):
        return []
    today = timezone.localdate()
    accounts = list(_users_with_roles().order_by("last_name", "first_name", "username"))
    for account in accounts:
        _annotate_user(account, today)
    return accounts


def user_get(*, user, pk: int):
    """One account for the programme office (two queries); 404 for anyone else."""
    account = (
        _users_with_roles().filter(pk=pk).first() if can(user, Perm.MANAGE_PROGRAMME) else None
    )
    if account is None:
        raise Http404
    _annotate_user(account, timezone.localdate())
    return account
