"""E-mail reminders and the weekly digest: selection (reads) and sending (writes).

Contract:
- `round_reminders_send(today=)` e-mails the project managers of every hanke whose
  self-assessment of an open round is not submitted or accepted, from
  `Programme.reminder_days_before` days before the round's due date (rules in
  `reporting/notifications/rules.py`).
- `weekly_digest_send(today=)` e-mails each owner of late actions or of risks whose review
  date has passed, unless they turned the digest off (`UserPreferences.digest_enabled`).
- Each e-mail is written in the recipient's language (`UserPreferences.language`, Finnish
  by default), as plain text with an HTML alternative, and logged in `SentMail`.

Tasks (`reporting/tasks.py`) and `manage.py send_notifications` call these two services; the
system is the actor (no permission check: nobody's data is changed, only read and mailed).
Sending at most once, the language and the preferences are portal.mail's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from objectives.choices import ActionStatus
from objectives.models import Action
from objectives.models import ReportingPeriod
from portal.mail import SendReport
from portal.mail import absolute
from portal.mail import attach_preferences
from portal.mail import mail_message
from portal.mail import send_once
from portal.mail import unsubscribe_token
from portal.models import SentMailKind
from projects.choices import MembershipRole
from projects.choices import RiskStatus
from projects.models import Membership
from projects.models import ProgrammeRole
from projects.models import Project
from projects.models import Risk
from reporting.models import SelfAssessment

from .rules import Digest
from .rules import Scope
from .rules import digest_key
from .rules import digest_select
from .rules import iso_week
from .rules import needs_reminder
from .rules import reminder_window_open
from .rules import round_reminder_key

# A round is announced at most a year ahead; the bound keeps the period query small.
LONGEST_REMINDER_DAYS = 366


# --- Round reminders ---------------------------------------------------------------------


@dataclass(frozen=True)
class RoundReminder:
    period: ReportingPeriod
    project: Project
    assessment: SelfAssessment | None
    user: object


def round_reminders_due(*, today: date) -> list[RoundReminder]:
    """The reminders whose window is open today, one per round, hanke and project manager
    (four queries whatever the number of rounds and hankkeet)."""
    periods = [
        period
        for period in ReportingPeriod.objects.filter(
            due_date__gte=today, due_date__lte=today + timedelta(days=LONGEST_REMINDER_DAYS)
        ).select_related("programme")
        if reminder_window_open(
            due_date=period.due_date,
            today=today,
            days_before=period.programme.reminder_days_before,
        )
    ]
    if not periods:
        return []
    programme_ids = {p.programme_id for p in periods}
    projects = list(Project.objects.filter(programme_id__in=programme_ids).select_related("region"))
    assessments = {
        (a.period_id, a.project_id): a for a in SelfAssessment.objects.filter(period__in=periods)
    }
    managers: dict[int, list] = {}
    for membership in (
        Membership.objects.active(today)
        .filter(role=MembershipRole.MANAGER, project__in=projects)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    ):
        managers.setdefault(membership.project_id, []).append(membership.user)
    due = []
    for period in periods:
        for project in projects:
            if project.programme_id != period.programme_id:
                continue
            assessment = assessments.get((period.pk, project.pk))
            if not needs_reminder(assessment.status if assessment else None):
                continue
            for user in managers.get(project.pk, []):
                due.append(RoundReminder(period, project, assessment, user))
    return due


def _round_reminder_message(reminder: RoundReminder, today: date) -> EmailMultiAlternatives:
    project, period = reminder.project, reminder.period
    subject = gettext("Reminder: self-assessment %(round)s of %(hanke)s is due %(date)s") % {
        "round": period.name,
        "hanke": project.display_name,
        "date": f"{period.due_date.day}.{period.due_date.month}.{period.due_date.year}",
    }
    context = {
        "user": reminder.user,
        "project": project,
        "period": period,
        "assessment": reminder.assessment,
        "days_left": (period.due_date - today).days,
        "assessment_url": absolute(reverse("reporting:assessment", args=[project.pk, period.pk])),
        "preferences_url": absolute(reverse("preferences")),
    }
    return mail_message(
        subject=subject, template="round_reminder", context=context, to=reminder.user.email
    )


def round_reminders_send(*, today: date) -> SendReport:
    """Send the round reminders due today. Idempotent: a reminder already sent (or being
    sent) for the same round, hanke and person is skipped; see the module docstring."""
    report = SendReport()
    reminders = round_reminders_due(today=today)
    attach_preferences([r.user for r in reminders])
    for reminder in reminders:
        send_once(
            reason_key=round_reminder_key(
                reminder.period.pk, reminder.project.pk, reminder.user.pk
            ),
            kind=SentMailKind.ROUND_REMINDER,
            user=reminder.user,
            build=lambda reminder=reminder: _round_reminder_message(reminder, today),
            report=report,
        )
    return report


# --- Weekly digest -----------------------------------------------------------------------


def _scopes(user_ids: set[int], today: date) -> dict[int, Scope]:
    """Each user's roles in force today (two queries for all of them)."""
    programme = set(
        ProgrammeRole.objects.active(today)
        .filter(user_id__in=user_ids)
        .values_list("user_id", flat=True)
    )
    projects: dict[int, set[int]] = {}
    regions: dict[int, set[int]] = {}
    for user_id, project_id, region_id in (
        Membership.objects.active(today)
        .filter(user_id__in=user_ids)
        .values_list("user_id", "project_id", "region_id")
    ):
        if project_id:
            projects.setdefault(user_id, set()).add(project_id)
        if region_id:
            regions.setdefault(user_id, set()).add(region_id)
    return {
        user_id: Scope(
            programme=user_id in programme,
            projects=frozenset(projects.get(user_id, ())),
            regions=frozenset(regions.get(user_id, ())),
        )
        for user_id in user_ids
        if user_id in programme or user_id in projects or user_id in regions
    }


@dataclass(frozen=True)
class DigestRecipient:
    user: object
    digest: Digest


def weekly_digests_due(*, today: date) -> list[DigestRecipient]:
    """Owners with late actions or overdue risk reviews who want the digest (five queries).

    The database narrows to the candidates (open, owned, a date passed); the status engine's
    own rule (`digest_select`) decides what is late."""
    actions = list(
        Action.objects.filter(owner__is_active=True)
        .exclude(owner__email="")
        .exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
        .filter(
            Q(planned_end__lt=today) | Q(status=ActionStatus.NOT_STARTED, planned_start__lt=today)
        )
        .select_related("project")
    )
    for action in actions:
        action.region_id = action.project.region_id
    risks = list(
        Risk.objects.filter(owner__is_active=True, next_review__lt=today, project__isnull=False)
        .exclude(owner__email="")
        .exclude(status=RiskStatus.CLOSED)
        .select_related("project")
    )
    for risk in risks:
        risk.region_id = risk.region_id or risk.project.region_id
    owner_ids = {a.owner_id for a in actions} | {r.owner_id for r in risks}
    if not owner_ids:
        return []
    digests = digest_select(
        actions=actions, risks=risks, scopes=_scopes(owner_ids, today), today=today
    )
    users = list(get_user_model().objects.filter(pk__in=digests).order_by("username"))
    attach_preferences(users)
    return [
        DigestRecipient(user, digests[user.pk])
        for user in users
        if user._prefetched_preferences.digest_enabled
    ]


def _digest_message(recipient: DigestRecipient, today: date) -> EmailMultiAlternatives:
    digest, user = recipient.digest, recipient.user
    subject = gettext("Weekly digest %(week)s: %(late)s late actions, %(risks)s risk reviews") % {
        "week": iso_week(today),
        "late": len(digest.late_actions),
        "risks": len(digest.overdue_risks),
    }
    unsubscribe_url = absolute(reverse("digest-unsubscribe", args=[unsubscribe_token(user)]))
    context = {
        "user": user,
        "week": iso_week(today),
        "late_actions": [
            {
                "action": action,
                "reason": assessment.reason.text,
                "url": absolute(reverse("objectives:action-detail", args=[action.pk])),
            }
            for action, assessment in digest.late_actions
        ],
        "overdue_risks": [
            {
                "risk": risk,
                # The register, not the edit page: a worker who owns a risk may read only.
                "url": absolute(reverse("project-risks", args=[risk.project_id])),
            }
            for risk in digest.overdue_risks
        ],
        "my_work_url": absolute(reverse("objectives:my-work")),
        "preferences_url": absolute(reverse("preferences")),
        "unsubscribe_url": unsubscribe_url,
    }
    # RFC 8058: mail clients offer "unsubscribe" and POST to the link without opening it.
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return mail_message(
        subject=subject, template="weekly_digest", context=context, to=user.email, headers=headers
    )


def weekly_digest_send(*, today: date) -> SendReport:
    """Send this ISO week's digest to everyone who has something in it and wants it.

    Idempotent per week and person (reason key "digest:<iso-week>:<user>")."""
    report = SendReport()
    for recipient in weekly_digests_due(today=today):
        send_once(
            reason_key=digest_key(today, recipient.user.pk),
            kind=SentMailKind.DIGEST,
            user=recipient.user,
            build=lambda recipient=recipient: _digest_message(recipient, today),
            report=report,
        )
    return report
