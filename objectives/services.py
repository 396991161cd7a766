"""Writes for goals and actions.

`action_status_update` is the only way an action's status changes: atomic, guarded by the
row's version (optimistic concurrency, STYLE R4), with an append-only StatusUpdate row and a
history row carrying the actor, and the hanke's lights recomputed after commit.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from projects.access import Perm, check
from reporting.services import project_status_changed

from .choices import ActionStatus
from .models import Action, StatusUpdate


class ActionConflictError(Exception):
    """Someone else changed the action after the user opened it."""

    def __init__(self, current: Action):
        super().__init__("action changed underneath")
        self.current = current


@transaction.atomic
def action_status_update(
    *,
    action: Action,
    actor,
    status: str,
    comment: str,
    status_date: date,
    expected_version: int,
    owner=None,
    reporting_period=None,
) -> Action:
    """Record a new status for `action` (with comment, date and owner) and return it fresh.

    Permission: Perm.UPDATE_ACTION_STATUS on the action (a worker: only actions they own);
    checked here again, whatever the caller did.
    Side effects: StatusUpdate + history rows; the hanke's lights are recomputed after commit.
    Raises ActionConflictError when `expected_version` is no longer current.
    """
    check(actor, Perm.UPDATE_ACTION_STATUS, action)
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if status in (ActionStatus.CANCELLED, ActionStatus.DONE) and not comment.strip():
        raise ValidationError({"comment": _("Say why: a comment is needed for this status.")})
    updated = Action.objects.filter(pk=action.pk, version=expected_version).update(
        status=status, owner=owner if owner is not None else F("owner"), version=F("version") + 1
    )
    if not updated:
        raise ActionConflictError(Action.objects.get(pk=action.pk))
    fresh = Action.objects.get(pk=action.pk)
    fresh._history_user = actor
    fresh._change_reason = comment[:100]
    fresh.save(update_fields=["updated_at"])  # writes the history row with the actor
    StatusUpdate.objects.create(
        action=fresh,
        status=status,
        comment=comment,
        status_date=status_date,
        owner=fresh.owner,
        author=actor,
        reporting_period=reporting_period,
    )
    project_status_changed(project_id=fresh.project_id)
    return fresh
