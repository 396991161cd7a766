"""Traffic-light rules for actions, and the Light and Reason types every rule returns.

Contract (design README §4, STYLE.md R6): pure functions of plain values; `today` is passed
in, never read; no ORM. A light never travels alone: it comes with a `Reason` (a code and
its parameters) that renders in the reader's language when shown, so the stored result
can answer "why is this red?" in Finnish, Swedish or English.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"
    GREY = "grey"

    @property
    def label(self) -> str:
        return str(_LABELS[self])

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def css_class(self) -> str:
        return f"light light--{self.value}"

    @property
    def score(self) -> float | None:
        """Rollup score: green 1, yellow/orange 0.5, red 0; grey is not scored."""
        return _SCORES[self]


_LABELS = {
    Light.GREEN: _("On track"),
    Light.YELLOW: _("Needs attention"),
    Light.ORANGE: _("Starting"),
    Light.RED: _("Behind"),
    Light.GREY: _("No assessment"),
}
# Distinct shapes, so the light reads without colour (WCAG 1.4.1).
_SYMBOLS = {
    Light.GREEN: "✓",
    Light.YELLOW: "!",
    Light.ORANGE: "▲",
    Light.RED: "✕",
    Light.GREY: "–",
}
_SCORES = {Light.GREEN: 1.0, Light.YELLOW: 0.5, Light.ORANGE: 0.5, Light.RED: 0.0, Light.GREY: None}

# Labels of an action's light in the plans' own words (001: green = done, yellow = in
# progress, orange = starting on schedule); red "late" is the portal's own addition.
ACTION_LABELS = {
    Light.GREEN: _("Done"),
    Light.YELLOW: _("In progress"),
    Light.ORANGE: _("Starting"),
    Light.RED: _("Late"),
    Light.GREY: _("Not started"),
}

REASON_TEXTS = {
    "action_done": _("Done"),
    "action_cancelled": _("Cancelled"),
    "action_late_end": _("Late: planned end %(date)s has passed"),
    "action_late_start": _("Late: not started although the planned start %(date)s has passed"),
    "action_in_progress": _("In progress, planned end %(date)s"),
    "action_in_progress_open": _("In progress, no planned end"),
    "action_starting": _("Starting on schedule"),
    "action_not_started_ahead": _("Not started; planned start %(date)s"),
    "action_not_started_open": _("Not started; no schedule"),
    "indicator_no_data": _("No measurements yet"),
    "indicator_stale": _("Newest value %(date)s is out of date"),
    "indicator_no_target": _("No target set"),
    "indicator_no_baseline": _("No baseline and only one measurement"),
    "indicator_target_met": _("Target %(target)s reached (latest %(latest)s)"),
    "indicator_wrong_way": _("Moving the wrong way: %(latest)s against baseline %(baseline)s"),
    "indicator_below_target": _("Target %(target)s not reached (latest %(latest)s)"),
    "indicator_progress": _("Progress %(progress)s %% / expected %(expected)s %%"),
    "indicator_nothing_expected_yet": _("Progress %(progress)s %%; nothing expected yet"),
    "rollup_none": _("Nothing to assess yet"),
    "rollup_mean": _("Mean score %(score)s of %(scored)s assessed items"),
}


@dataclass(frozen=True)
class Reason:
    """Why a light is what it is: a code and plain parameters, rendered when shown."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        template = REASON_TEXTS[self.code]
        return str(template) % self.params if self.params else str(template)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True)
class Assessment:
    light: Light
    reason: Reason


def fmt_date(value: date) -> str:
    """d.m.yyyy: the form Finnish and Swedish readers expect (and readable in English)."""
    return f"{value.day}.{value.month}.{value.year}"


def action_light(
    *, status: str, planned_start: date | None, planned_end: date | None, today: date
) -> Assessment:
    """The light of one action from its stored status, its schedule and today."""
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
