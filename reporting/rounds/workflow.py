"""The self-assessment workflow of a reporting round as a pure state machine (no ORM).

draft ──submit──▶ submitted ──accept──▶ accepted
  ▲                   │
  └──── returned ◀─return (reason required)
returned ──submit──▶ submitted

A submitted or accepted self-assessment is locked: saving or submitting it again is refused.
A return needs a reason, because the project manager must know what to fix.
"""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _


class State(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Event(enum.StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"


class TransitionRefused(Exception):
    """An event that the current state does not allow; `code` picks the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])


MESSAGES = {
    "locked": _("This self-assessment has been submitted and is locked; it cannot be changed."),
    "accepted": _("This self-assessment has been accepted and is locked; it cannot be changed."),
    "not_submitted": _("Only a submitted self-assessment can be accepted or returned."),
    "reason_required": _("Give a reason for returning the self-assessment."),
}

_EDITABLE = {State.DRAFT, State.RETURNED}


def editable(state: str) -> bool:
    """May the hanke still change its self-assessment?"""
    return State(state) in _EDITABLE


def transition(state: str, event: str, *, reason: str = "") -> State:
    """The state after `event`, or TransitionRefused with the reason it is not allowed."""
    state, event = State(state), Event(event)
    if event in (Event.SAVE, Event.SUBMIT):
        if state == State.ACCEPTED:
            raise TransitionRefused("accepted")
        if state == State.SUBMITTED:
            raise TransitionRefused("locked")
        return State.SUBMITTED if event == Event.SUBMIT else state
    if state != State.SUBMITTED:
        raise TransitionRefused("not_submitted")
    if event == Event.RETURN:
        if not reason.strip():
            raise TransitionRefused("reason_required")
        return State.RETURNED
    return State.ACCEPTED
