"""The one place that answers "may this user do X to this object?".

- `allowed(perm, programme_role=…, project_role=…, owns=…)` is the pure decision table (tested
  without a database) for the roles of design README §2.
- `roles_for(user)` loads the user's roles in force today (two queries, kept on the user
  object for the rest of the request); it lives in projects.models, beside the rows it reads
  and `Project.objects.visible_to`, and is used from here;
  `project_role(user, project)` and `can(user, perm, obj)` apply the table to an object,
  which may be a hanke or anything that belongs to one.
- Selectors scope reads with `Project.objects.visible_to(user)`; services call
  `check(actor, perm, obj)` again on every write; views fetch objects with selectors (404
  outside the user's scope) and answer 403 for a read-only user's write.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

from .choices import MembershipRole
from .choices import ProgrammeRoleKind
from .models import Project
from .models import roles_for


class Perm(enum.StrEnum):
    VIEW = "view"
    EXPORT = "export"
    COMMENT = "comment"
    ENTER_MEASUREMENTS = "enter_measurements"
    UPDATE_ACTION_STATUS = "update_action_status"
    EDIT_PLAN = "edit_plan"  # goals, actions, indicators, targets, budget, risks
    MANAGE_MEMBERS = "manage_members"
    MANAGE_PROGRAMME = "manage_programme"  # regions, reporting periods, thresholds, all users
    VIEW_CHANGE_LOG = "view_change_log"  # the programme-wide audit log
    # Programme-wide reads that only make sense across every region (comparing regions):
    # the ministry/THL viewer and the programme admin, never a hanke role on its own.
    VIEW_PROGRAMME = "view_programme"


ADMIN, VIEWER = ProgrammeRoleKind.ADMIN.value, ProgrammeRoleKind.VIEWER.value
STEERING, MANAGER, WORKER = (
    MembershipRole.STEERING.value,
    MembershipRole.MANAGER.value,
    MembershipRole.WORKER.value,
)

# What each hanke role may do inside its own hanke. A worker updates the status only of
# the actions they own (`owns`); everything else a worker may do is listed here.
_HANKE_TABLE: dict[str, set[Perm]] = {
    STEERING: {Perm.VIEW, Perm.EXPORT, Perm.COMMENT},
    MANAGER: {
        Perm.VIEW,
        Perm.EXPORT,
        Perm.COMMENT,
        Perm.ENTER_MEASUREMENTS,
        Perm.UPDATE_ACTION_STATUS,
        Perm.EDIT_PLAN,
        Perm.MANAGE_MEMBERS,
    },
    WORKER: {Perm.VIEW, Perm.EXPORT, Perm.COMMENT, Perm.ENTER_MEASUREMENTS},
}
_VIEWER_PERMS = {Perm.VIEW, Perm.EXPORT, Perm.VIEW_PROGRAMME}


def allowed(
    perm: Perm, *, programme_role: str | None, project_role: str | None, owns: bool = False
) -> bool:
    """The decision table: no ORM, no request, just roles."""
    if programme_role == ADMIN:
        return True
    if perm in (Perm.MANAGE_PROGRAMME, Perm.VIEW_CHANGE_LOG):
        return False
    if programme_role == VIEWER and perm in _VIEWER_PERMS:
        return True
    if project_role is None:
        return False
    if perm == Perm.UPDATE_ACTION_STATUS and project_role == WORKER:
        return owns
    return perm in _HANKE_TABLE.get(project_role, set())


def project_of(obj: Any):
    """The hanke an object belongs to (the object itself for a hanke)."""
    if isinstance(obj, Project):
        return obj
    if hasattr(obj, "project") and obj.project is not None:
        return obj.project
    if hasattr(obj, "indicator"):
        return obj.indicator.project
    if hasattr(obj, "action"):
        return obj.action.project
    raise TypeError(f"{type(obj).__name__} does not belong to a hanke")


def project_role(user, project) -> str | None:
    roles = roles_for(user)
    return roles.projects.get(project.pk) or roles.regions.get(project.region_id)


def can(user, perm: Perm, obj: Any = None) -> bool:
    """May `user` do `perm` to `obj` (a hanke or something in one; None: programme-wide)?"""
    roles = roles_for(user)
    if obj is None:
        return allowed(perm, programme_role=roles.programme, project_role=None)
    project = project_of(obj)
    owns = getattr(obj, "owner_id", None) == getattr(user, "pk", object())
    return allowed(
        perm, programme_role=roles.programme, project_role=project_role(user, project), owns=owns
    )


def can_each(user, perm: Perm, project) -> Callable[[Any], bool]:
    """`can(user, perm, obj)` for many objects of one hanke: the user's roles there are
    judged once; only ownership is read from each object."""
    roles = roles_for(user)
    role = project_role(user, project)
    user_pk = getattr(user, "pk", object())

    def may(obj: Any) -> bool:
        owns = getattr(obj, "owner_id", None) == user_pk
        return allowed(perm, programme_role=roles.programme, project_role=role, owns=owns)

    return may


def check(actor, perm: Perm, obj: Any = None) -> None:
    """Services call this on every write; `actor=None` is the system (tasks, commands)."""
    if actor is not None and not can(actor, perm, obj):
        raise PermissionDenied


def require(allowed_: bool) -> None:
    if not allowed_:
        raise PermissionDenied


def can_enter_measurements(user, project) -> bool:
    return can(user, Perm.ENTER_MEASUREMENTS, project)
