"""Writes for the steering group's meetings: record a meeting, its decisions and follow-up.

Same contract as `services.py` (STYLE R3): atomic, keyword-only, `actor` required and checked
with `access.check` (Perm.EDIT_PLAN on the hanke: its project manager or the programme
admin; steering group members and workers only read), `full_clean()` before saving, and the
history row (django-simple-history) carries the actor.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.history_rows import history_save
from projects.access import Perm
from projects.access import check
from projects.models import MeetingDecision
from projects.models import Membership
from projects.models import Project
from projects.models import SteeringMeeting


@transaction.atomic
def steering_meeting_create(
    *, project: Project, actor, date: date, attendees: str = "", notes: str = ""
) -> SteeringMeeting:
    """Record a steering group meeting of the hanke (one per day).

    Permission: Perm.EDIT_PLAN on the hanke. Side effects: the row and its history row.
    """
    check(actor, Perm.EDIT_PLAN, project)
    if SteeringMeeting.objects.filter(project=project, date=date).exists():
        raise ValidationError({"date": _("A meeting is already recorded on this date.")})
    meeting = SteeringMeeting(project=project, date=date, attendees=attendees, notes=notes)
    history_save(meeting, actor=actor)
    return meeting


@transaction.atomic
def meeting_decision_create(
    *,
    meeting: SteeringMeeting,
    actor,
    text: str,
    owner=None,
    due_date: date | None = None,
    action=None,
) -> MeetingDecision:
    """Add a decision or follow-up item to a meeting.

    Permission: Perm.EDIT_PLAN on the meeting's hanke. The owner must have a role in the
    hanke; a linked action must be one of the hanke's actions.
    """
    check(actor, Perm.EDIT_PLAN, meeting.project)
    if owner is not None and not (
        Membership.objects.active().filter(project=meeting.project, user=owner).exists()
    ):
        raise ValidationError({"owner": _("The owner must be a member of the hanke.")})
    decision = MeetingDecision(
        meeting=meeting, text=text, owner=owner, due_date=due_date, action=action
    )
    history_save(decision, actor=actor)
    return decision


@transaction.atomic
def meeting_decision_set_done(
    *, decision: MeetingDecision, actor, done: bool, project: Project
) -> MeetingDecision:
    """Mark a follow-up item done (or open again). Idempotent.

    Permission: Perm.EDIT_PLAN on the hanke; `project` is the hanke the caller fetched the
    decision through, and must be the decision's own.
    """
    check(actor, Perm.EDIT_PLAN, project)
    row = MeetingDecision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    if row.meeting.project_id != project.pk:
        raise PermissionDenied
    if row.done != done:
        row.done = done
        row._history_user = actor
        row.save(update_fields=["done", "updated_at"])
    return row
