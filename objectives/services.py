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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.access import Perm, check
from reporting.models import ReportingPeriod
from reporting.services import project_status_changed

from .choices import ActionStatus
from .models import Action, StatusUpdate
from .status import comment_needed, reschedule_problem


class ActionConflictError(Exception):
    """Someone else changed the action after the user opened it."""

    def __init__(self, current: Action):
        super().__init__("action changed underneath")
        self.current = current


_COMMENT_MESSAGES = {
    "final": gettext_lazy("Say why: a comment is needed for this status."),
    "backwards": gettext_lazy("The status moves back: say why in a comment."),
    "late": gettext_lazy("The action is late: explain the situation in a comment."),
}
_RESCHEDULE_MESSAGES = {
    "before_start": gettext_lazy("The new planned end cannot be before the planned start."),
    "reason_missing": gettext_lazy("Give a reason for the new planned end."),
}


def _validate(action: Action, status: str, comment: str, planned_end, reason: str, today) -> None:
    """The rules of objectives.status for a status change, as field errors."""
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = _("Choose a valid status.")
    else:
        needed = comment_needed(
            old_status=action.status,
            new_status=status,
            planned_start=action.planned_start,
            planned_end=action.planned_end,
            today=today,
        )
        if needed and not comment.strip():
            errors["comment"] = _COMMENT_MESSAGES[needed]
    problem = reschedule_problem(
        planned_start=action.planned_start, new_end=planned_end, reason=reason
    )
    if problem:
        field = "planned_end" if problem == "before_start" else "planned_end_reason"
        errors[field] = _RESCHEDULE_MESSAGES[problem]
    if errors:
        raise ValidationError(errors)


def _round_for(action: Action, status_date: date):
    """The reporting round a status dated `status_date` belongs to: the first cut-off on or
    after the date, in the hanke's programme (None after the last round)."""
    return (
        ReportingPeriod.objects.filter(
            programme_id=action.project.programme_id, cut_off__gte=status_date
        )
        .order_by("cut_off")
        .first()
    )


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
    planned_end: date | None = None,
    planned_end_reason: str = "",
    today: date | None = None,
) -> Action:
    """Record a new status for `action` (with comment, date and owner) and return it fresh.

    Permission: Perm.UPDATE_ACTION_STATUS on the action (a worker: only actions they own);
    checked here again, whatever the caller did.
    Rules (objectives.status): a comment is required when the action is closed, moves back
    or is late; a new planned end (optional) needs a reason and cannot precede the start.
    Side effects: StatusUpdate (from → to, reporting round) + history rows; the hanke's
    lights are recomputed after commit.
    Raises ActionConflictError when `expected_version` is no longer current.
    """
    check(actor, Perm.UPDATE_ACTION_STATUS, action)
    today = today or timezone.localdate()
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.version != expected_version:
        raise ActionConflictError(current)
    if planned_end == current.planned_end:
        planned_end = None  # unchanged: nothing to explain
    _validate(current, status, comment, planned_end, planned_end_reason, today)
    changes = {"status": status, "version": F("version") + 1}
    if owner is not None:
        changes["owner"] = owner
    if planned_end is not None:
        changes["planned_end"] = planned_end
    Action.objects.filter(pk=action.pk).update(**changes)
    fresh = Action.objects.select_related("project").get(pk=action.pk)
    fresh._history_user = actor
    fresh._change_reason = (comment or planned_end_reason)[:100]
    fresh.save(update_fields=["updated_at"])  # writes the history row with the actor
    StatusUpdate.objects.create(
        action=fresh,
        status=status,
        previous_status=current.status,
        comment=comment,
        status_date=status_date,
        owner=fresh.owner,
        author=actor,
        previous_planned_end=current.planned_end if planned_end is not None else None,
        new_planned_end=planned_end,
        planned_end_reason=planned_end_reason if planned_end is not None else "",
        reporting_period=_round_for(fresh, status_date),
    )
    project_status_changed(project_id=fresh.project_id)
    return fresh
