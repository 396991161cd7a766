"""Traffic-light rules for actions; the vocabulary (Light, Reason, Assessment) is portal.lights.

Contract (design README §4, STYLE.md R6): pure functions of plain values; `today` is passed
in, never read; no ORM.
"""

from __future__ import annotations

from datetime import date

from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.lights import fmt_date


def action_light(
    *, status: str, planned_start: date | None, planned_end: date | None, today: date
) -> Assessment:
    """The light of one action from its stored status, its schedule and today.

    "not_reported" (the source gives no status) is grey whatever the schedule: the portal's
    red "late" is computed from a status someone stated, never from a missing one.
    """
    if status == "not_reported":
        return Assessment(Light.GREY, Reason("action_not_reported"))
    if status == "cancelled":
        return Assessment(Light.GREY, Reason("action_cancelled"))
    if status == "done":
        return Assessment(Light.GREEN, Reason("action_done"))
    if planned_end is not None and today > planned_end:
        return Assessment(Light.RED, Reason("action_late_end", {"date": fmt_date(planned_end)}))
    if status == "in_progress":
        if planned_end is None:
            return Assessment(Light.YELLOW, Reason("action_in_progress_open"))
        return Assessment(
            Light.YELLOW, Reason("action_in_progress", {"date": fmt_date(planned_end)})
        )
    if status == "starting":
        # "on schedule" only where there is a schedule to be on
        if planned_start is None and planned_end is None:
            return Assessment(Light.ORANGE, Reason("action_starting_open"))
        return Assessment(Light.ORANGE, Reason("action_starting"))
    return _not_started(planned_start, today)


def _not_started(planned_start: date | None, today: date) -> Assessment:
    if planned_start is None:
        return Assessment(Light.GREY, Reason("action_not_started_open"))
    if today > planned_start:
        return Assessment(Light.RED, Reason("action_late_start", {"date": fmt_date(planned_start)}))
    return Assessment(
        Light.GREY, Reason("action_not_started_ahead", {"date": fmt_date(planned_start)})
    )


# --- What a status change must explain -------------------------------------------------------

# How far along each open status is; "cancelled" is outside the scale.
_PROGRESS_RANK = {"not_started": 0, "starting": 1, "in_progress": 2, "done": 3}


def comment_needed(
    *,
    old_status: str,
    new_status: str,
    planned_start: date | None,
    planned_end: date | None,
    today: date,
) -> str | None:
    """Why this change needs a comment (a code), or None when it may go without one.

    "final": the action is closed (done or cancelled), say how or why.
    "backwards": the status moves back (e.g. in progress → not started).
    "late": the action is late by its schedule, so the steering group needs an explanation.
    """
    if new_status in ("done", "cancelled"):
        return "final"
    old_rank, new_rank = _PROGRESS_RANK.get(old_status), _PROGRESS_RANK.get(new_status)
    if old_rank is not None and new_rank is not None and new_rank < old_rank:
        return "backwards"
    current = action_light(
        status=old_status, planned_start=planned_start, planned_end=planned_end, today=today
    )
    if current.light == Light.RED:
        return "late"
    return None


def status_change_problem(*, old_status: str, new_status: str) -> str | None:
    """What is wrong with this change of status (a code), or None.

    "not_reported_again": "not reported" means the source never gave a status; once a
    status has been recorded the action cannot go back to it (any other status can follow
    "not reported", and moves back are explained with a comment instead).
    """
    if new_status == "not_reported" and old_status != "not_reported":
        return "not_reported_again"
    return None


def reschedule_problem(
    *, planned_start: date | None, new_end: date | None, reason: str
) -> str | None:
    """What is wrong with moving the planned end to `new_end` (a code), or None.

    "before_start": the new end would fall before the planned start.
    "reason_missing": a new planned end needs a reason.
    """
    if new_end is None:
        return None
    if planned_start is not None and new_end < planned_start:
        return "before_start"
    if not reason.strip():
        return "reason_missing"
    return None
