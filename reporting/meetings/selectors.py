"""Reads for the steering group's meeting view (R5): a fixed number of queries per page.

The meeting page answers what the steering group asks at every meeting: where do we stand,
what changed since the previous meeting, how is the money used, what are the biggest risks,
and what became of what we decided last time.

The lights of a meeting are those of its date (today for a meeting still ahead), and "what
changed" compares them with the lights of the previous meeting's date: both are computed
from what had been recorded by the end of that day (`measures.status_engine.lights_on`,
kept once the day is over; a fixed number of queries), so a meeting held on a day without a
nightly run shows the real lights, and an action late since long ago is not "newly late".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.db.models import Q
from django.http import Http404

from measures.models import Indicator
from measures.models import RollupKind
from measures.status_engine import lights_on
from objectives.models import Action
from objectives.models import StatusUpdate
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from projects.choices import RiskStatus
from projects.models import MeetingDecision
from projects.models import Project
from projects.models import SteeringMeeting
from projects.selectors import BudgetSummary
from projects.selectors import budget_summary
from projects.selectors import risk_register

TOP_RISKS = 5
STATUS_CHANGES_SHOWN = 100


def meeting_list(*, project: Project) -> list[SteeringMeeting]:
    """The hanke's meetings, newest first, with decision counts (one query).

    Permission: `project` comes from `project_get` (the user may see it).
    """
    return list(
        SteeringMeeting.objects.filter(project=project)
        .annotate(
            decision_count=Count("decisions"),
            open_count=Count("decisions", filter=Q(decisions__done=False)),
        )
        .order_by("-date")
    )


def meeting_get(*, project: Project, pk: int) -> SteeringMeeting:
    """One meeting of a hanke the user may see (one query); 404 otherwise."""
    meeting = SteeringMeeting.objects.filter(project=project, pk=pk).first()
    if meeting is None:
        raise Http404
    meeting.project = project
    return meeting


def decision_get(*, project: Project, pk: int) -> MeetingDecision:
    """One decision of the hanke's meetings (one query); 404 otherwise."""
    decision = (
        MeetingDecision.objects.filter(meeting__project=project, pk=pk)
        .select_related("meeting")
        .first()
    )
    if decision is None:
        raise Http404
    return decision


@dataclass(frozen=True)
class LightChange:
    obj: object  # an Action or an Indicator
    before: Assessment | None
    after: Assessment


@dataclass(frozen=True)
class Changes:
    since: date
    until: date
    status_updates: list  # StatusUpdate rows, newest first (at most STATUS_CHANGES_SHOWN)
    status_update_count: int
    new_late_actions: list[LightChange]
    indicator_changes: list[LightChange]
    project_before: Assessment | None


@dataclass(frozen=True)
class FollowUp:
    decision: MeetingDecision
    state: str  # "done" | "overdue" | "open"
    action_light: Assessment | None


@dataclass(frozen=True)
class MeetingView:
    meeting: SteeringMeeting
    previous: SteeringMeeting | None
    status: Assessment | None
    status_counts: dict
    packages: list  # top-level work packages, each with `.light` (Assessment or None)
    changes: Changes | None
    budget: BudgetSummary
    top_risks: list
    heat_map: object
    risks_followed: int
    decisions: list[FollowUp]
    previous_decisions: list[FollowUp]


_MEETING_KINDS = (
    RollupKind.ACTION,
    RollupKind.INDICATOR,
    RollupKind.PROJECT,
    RollupKind.WORK_PACKAGE,
)


def _lights_as_of(project_id: int, day: date, today: date) -> dict[tuple, tuple]:
    """(kind, object id) → (light, reason code, reason params, counts) on `day`: computed from
    what had been recorded by its end and kept once the day is over (`lights_on`: a fixed
    number of queries)."""
    return {
        (row.kind, row.object_id): (row.light, row.reason_code, row.reason_params, row.counts)
        for row in lights_on(project_ids=[project_id], day=day, today=today)
        if row.kind in _MEETING_KINDS
    }


def _assessment(row) -> Assessment | None:
    return Assessment(Light(row[0]), Reason(row[1], row[2] or {})) if row else None


def _changes(project: Project, since: date, until: date, before: dict, after: dict) -> Changes:
    updates = StatusUpdate.objects.filter(
        action__project=project, created_at__date__gt=since, created_at__date__lte=until
    )
    shown = list(
        updates.select_related("action", "author").order_by("-created_at", "-id")[
            :STATUS_CHANGES_SHOWN
        ]
    )
    count = len(shown) if len(shown) < STATUS_CHANGES_SHOWN else updates.count()

    late, recoloured = [], []
    for (kind, pk), row in after.items():
        now, then = _assessment(row[:3]), _assessment(before.get((kind, pk), ())[:3])
        then_light = then.light if then else None
        if kind == RollupKind.ACTION and now.light == Light.RED and then_light != Light.RED:
            late.append((pk, then, now))
        elif kind == RollupKind.INDICATOR and then is not None and then_light != now.light:
            recoloured.append((pk, then, now))
    actions = Action.objects.in_bulk([pk for pk, _, _ in late]) if late else {}
    indicators = Indicator.objects.in_bulk([pk for pk, _, _ in recoloured]) if recoloured else {}
    return Changes(
        since=since,
        until=until,
        status_updates=shown,
        status_update_count=count,
        new_late_actions=sorted(
            (LightChange(actions[pk], then, now) for pk, then, now in late if pk in actions),
            key=lambda c: (c.obj.number, c.obj.pk),
        ),
        indicator_changes=sorted(
            (
                LightChange(indicators[pk], then, now)
                for pk, then, now in recoloured
                if pk in indicators
            ),
            key=lambda c: (c.obj.code, c.obj.pk),
        ),
        project_before=_assessment(before.get((RollupKind.PROJECT, project.pk), ())[:3]),
    )


def _follow_ups(decisions, lights: dict, today: date) -> list[FollowUp]:
    result = []
    for decision in decisions:
        if decision.done:
            state = "done"
        elif decision.due_date is not None and decision.due_date < today:
            state = "overdue"
        else:
            state = "open"
        row = lights.get((RollupKind.ACTION, decision.action_id)) if decision.action_id else None
        result.append(FollowUp(decision, state, _assessment(row[:3]) if row else None))
    return result


def meeting_view(*, meeting: SteeringMeeting, today: date) -> MeetingView:
    """Everything the meeting page shows (a fixed number of queries, about a dozen).

    Permission: `meeting` comes from `meeting_get` on a hanke from `project_get`.
    """
    project = meeting.project
    previous = (
        SteeringMeeting.objects.filter(project=project, date__lt=meeting.date)
        .order_by("-date")
        .first()
    )
    until = min(meeting.date, today)
    after = _lights_as_of(project.pk, until, today)
    changes = None
    if previous is not None:
        before = _lights_as_of(project.pk, previous.date, today)
        changes = _changes(project, previous.date, until, before, after)

    project_row = after.get((RollupKind.PROJECT, project.pk))
    packages = list(project.work_packages.filter(parent__isnull=True).order_by("order", "code"))
    for package in packages:
        package.light = _assessment(after.get((RollupKind.WORK_PACKAGE, package.pk), ())[:3])

    decisions = list(
        MeetingDecision.objects.filter(
            meeting_id__in=[meeting.pk] + ([previous.pk] if previous else [])
        )
        .select_related("owner", "action")
        .order_by("id")
    )
    register = risk_register(project=project, today=today)
    followed = [r for r in register.risks if r.status != RiskStatus.CLOSED]
    return MeetingView(
        meeting=meeting,
        previous=previous,
        status=_assessment(project_row[:3]) if project_row else None,
        status_counts=project_row[3] if project_row else {},
        packages=packages,
        changes=changes,
        budget=budget_summary(project=project, today=today),
        top_risks=[r for r in followed if r.score][:TOP_RISKS],
        heat_map=register.heat_map,
        risks_followed=len(followed),
        decisions=_follow_ups([d for d in decisions if d.meeting_id == meeting.pk], after, today),
        previous_decisions=_follow_ups(
            [d for d in decisions if previous and d.meeting_id == previous.pk], after, today
        ),
    )
