"""Reads for goals and actions, scoped to the user (R5); fixed query counts."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from objectives.status import Assessment, Light, Reason
from projects.models import Membership, Project
from reporting.models import RollupKind, StatusRollup

from .models import Action, StatusUpdate


def _latest_lights(kind: str, ids: list[int]) -> dict[int, Assessment]:
    """The newest stored light per object (one query)."""
    rows = (
        StatusRollup.objects.filter(kind=kind, object_id__in=ids)
        .order_by("object_id", "-as_of")
        .values_list("object_id", "light", "reason_code", "reason_params")
    )
    lights: dict[int, Assessment] = {}
    for object_id, light, code, params in rows:
        lights.setdefault(object_id, Assessment(Light(light), Reason(code, params or {})))
    return lights


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
                queryset=StatusUpdate.objects.select_related("author", "owner").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
        .first()
    )
    if action is None:
        raise Http404
    action.light = _latest_lights(RollupKind.ACTION, [action.pk]).get(action.pk)
    return action


def hanke_people(*, project: Project):
    """Users with an active role in the hanke: the choices for an action's owner."""
    from django.contrib.auth import get_user_model

    members = Membership.objects.active().filter(project=project).values("user_id")
    return get_user_model().objects.filter(pk__in=members).order_by("last_name", "first_name")
