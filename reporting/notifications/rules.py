"""Who gets which reminder, as pure functions (no ORM; `today` is passed in).

Contract (STYLE R6): plain values in, plain values out, tested without a database.
`reporting/notifications/services.py` loads the rows, calls these, and sends.

- A round reminder goes to a hanke's project managers from `days_before` days before the
  round's due date until the due date itself, while the hanke's self-assessment is neither
  submitted nor accepted; the reason key makes it one e-mail per round, hanke and person.
- The weekly digest lists, per person, the open actions they own that the status engine
  calls late (`objectives.status.action_light` is red) and the risks they own whose next
  review date has passed (`projects.finance.review_overdue`), limited to the hankkeet the
  person may still see; the reason key makes it one e-mail per ISO week and person.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from objectives.status import action_light
from portal.lights import Assessment
from portal.lights import Light
from projects.finance import review_overdue

# A submitted self-assessment waits for THL; an accepted one is done. Both need no reminder.
DONE_ASSESSMENT_STATES = frozenset({"submitted", "accepted"})


def reminder_window_open(*, due_date: date, today: date, days_before: int) -> bool:
    """True from `days_before` days before the due date up to the due date itself.

    A window rather than one exact day, so a run that was missed (broker down on the day)
    still sends the next day; the reason key keeps it to one e-mail."""
    return due_date - timedelta(days=days_before) <= today <= due_date


def needs_reminder(assessment_status: str | None) -> bool:
    """A hanke with no self-assessment yet, a draft or a returned one still has work to do."""
    return assessment_status not in DONE_ASSESSMENT_STATES


def round_reminder_key(period_id: int, project_id: int, user_id: int) -> str:
    return f"round-reminder:{period_id}:{project_id}:{user_id}"


def iso_week(today: date) -> str:
    """ "2026-W48": the ISO year and week, so the week around New Year keeps one key."""
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(today: date, user_id: int) -> str:
    return f"digest:{iso_week(today)}:{user_id}"


@dataclass(frozen=True)
class Scope:
    """Where a person may look: programme-wide, or some hankkeet and regions."""

    programme: bool = False
    projects: frozenset[int] = frozenset()
    regions: frozenset[int] = frozenset()

    def sees(self, project_id: int | None, region_id: int | None) -> bool:
        return self.programme or project_id in self.projects or region_id in self.regions


@dataclass
class Digest:
    """What one person's weekly digest lists: (action, its assessment) pairs and risks."""

    late_actions: list[tuple[Any, Assessment]] = field(default_factory=list)
    overdue_risks: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.late_actions and not self.overdue_risks


def digest_select(
    *, actions: list, risks: list, scopes: dict[int, Scope], today: date
) -> dict[int, Digest]:
    """Per owner id, their late actions and overdue risks; owners with nothing are left out.

    `actions` need `owner_id`, `project_id`, `region_id`, `status`, `planned_start`,
    `planned_end`; `risks` need `owner_id`, `project_id`, `region_id`, `status`,
    `next_review`. An owner without a scope (no role in force) gets nothing: the links in
    the e-mail would only lead to "not found".
    """
    digests: dict[int, Digest] = {}
    for action in actions:
        scope = scopes.get(action.owner_id)
        if scope is None or not scope.sees(action.project_id, action.region_id):
            continue
        assessment = action_light(
            status=action.status,
            planned_start=action.planned_start,
            planned_end=action.planned_end,
            today=today,
        )
        if assessment.light == Light.RED:
            digests.setdefault(action.owner_id, Digest()).late_actions.append((action, assessment))
    for risk in risks:
        scope = scopes.get(risk.owner_id)
        if scope is None or not scope.sees(risk.project_id, risk.region_id):
            continue
        if review_overdue(risk.next_review, status=risk.status, today=today):
            digests.setdefault(risk.owner_id, Digest()).overdue_risks.append(risk)
    for digest in digests.values():
        # The longest overdue first, as on My work.
        digest.late_actions.sort(key=lambda pair: (pair[0].planned_end or date.max, pair[0].pk))
        digest.overdue_risks.sort(key=lambda risk: (risk.next_review, risk.pk))
    return digests
