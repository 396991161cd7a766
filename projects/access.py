"""Who may see and change what in a hanke (the full role matrix arrives with the access issue).

Views fetch objects through `get_*_for_user` helpers: an object the user may not see is a
404 (its existence is not revealed), one they may see but not change is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .choices import MembershipRole, ProgrammeRoleKind
from .models import Membership, ProgrammeRole, Project


def programme_role(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ProgrammeRoleKind.ADMIN
    return ProgrammeRole.objects.filter(user=user).values_list("role", flat=True).first()


def project_role(user, project: Project) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()
    )


def can_enter_measurements(user, project: Project) -> bool:
    """Programme admins, and the hanke's project manager and workers."""
    if programme_role(user) == ProgrammeRoleKind.ADMIN:
        return True
    return project_role(user, project) in (MembershipRole.MANAGER, MembershipRole.WORKER)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
