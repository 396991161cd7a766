"""Writes for reporting rounds: the rounds themselves and each hanke's self-assessment.

Contract (STYLE R3/R4): every service is atomic, takes `actor`, checks the permission again
with `projects.access.check`, validates with `full_clean`, and writes a simple-history row
carrying the actor. The workflow's rules are the pure `reporting.rounds.workflow.transition`; a
refused step raises `ValidationError` with the workflow's message. Edits carry the version
the user saw; a different current version raises `AssessmentConflictError`.

Who does what (design README §2): the programme admin (THL project office) manages the
rounds and accepts or returns self-assessments; the project manager (Perm.EDIT_PLAN) fills
and submits the hanke's own. The ministry/THL viewer is read-only and decides nothing.
Submitting freezes a ReportSnapshot (reporting.rounds.snapshots) in the same transaction.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from measures.models import Indicator
from objectives.models import ReportingPeriod
from portal.history_rows import history_save
from projects.access import Perm
from projects.access import check
from projects.models import Programme
from projects.models import Project
from projects.models import WorkPackage
from reporting.models import IndicatorNarrative
from reporting.models import ReportSnapshot
from reporting.models import SelfAssessment
from reporting.models import WorkPackageSummary

from .snapshots import snapshot_build
from .workflow import Event
from .workflow import TransitionRefused
from .workflow import transition


class AssessmentConflictError(Exception):
    """Someone else changed the self-assessment after the user opened it."""

    def __init__(self, current: SelfAssessment):
        super().__init__("self-assessment changed underneath")
        self.current = current


@transaction.atomic
def reporting_period_save(
    *,
    actor,
    programme: Programme,
    name: str,
    cut_off: date,
    due_date: date,
    period: ReportingPeriod | None = None,
) -> ReportingPeriod:
    """Create (period=None) or edit a reporting round of `programme`.

    Permission: Perm.MANAGE_PROGRAMME (programme admin). Side effect: a history row with
    the actor. Status updates already assigned to rounds keep their round.
    """
    check(actor, Perm.MANAGE_PROGRAMME)
    period = period or ReportingPeriod(programme=programme)
    period.name, period.cut_off, period.due_date = name, cut_off, due_date
    history_save(period, actor=actor)
    return period


def _locked(assessment: SelfAssessment, expected_version: int) -> SelfAssessment:
    """The row locked for update, or AssessmentConflictError when the version moved on."""
    current = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if current.version != expected_version:
        raise AssessmentConflictError(current)
    return current


def _step(assessment: SelfAssessment, event: Event, reason: str = "") -> str:
    try:
        return transition(assessment.status, event, reason=reason)
    except TransitionRefused as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def _save(assessment: SelfAssessment, actor, reason: str = "") -> SelfAssessment:
    assessment.version += 1
    history_save(assessment, actor=actor, reason=reason[:100])
    return assessment


@transaction.atomic
def self_assessment_save(
    *,
    actor,
    period: ReportingPeriod,
    project: Project,
    expected_version: int,
    summaries: dict[int, str],
    narratives: dict[int, tuple[str, str]],
) -> SelfAssessment:
    """Save the hanke's draft (work-package summaries, indicator narratives) for `period`.

    Permission: Perm.EDIT_PLAN on the hanke (its project manager). `expected_version` is 0
    when the user opened the page before any draft existed. Refused (ValidationError) when
    the self-assessment is submitted or accepted. Keys outside the hanke are ignored.
    Side effects: history rows (the assessment and each changed text) with the actor.
    """
    check(actor, Perm.EDIT_PLAN, project)
    if period.programme_id != project.programme_id:
        raise ValidationError("the round belongs to another programme")
    assessment = SelfAssessment.objects.filter(period=period, project=project).first()
    if assessment is None:
        assessment = SelfAssessment(period=period, project=project, version=0)
        assessment._history_user = actor
        assessment.save()
    current = _locked(assessment, expected_version)
    current.status = _step(current, Event.SAVE)

    package_ids = set(WorkPackage.objects.filter(project=project).values_list("pk", flat=True))
    indicator_ids = set(Indicator.objects.filter(project=project).values_list("pk", flat=True))
    existing_summaries = {s.work_package_id: s for s in current.summaries.all()}
    for package_id, text in summaries.items():
        if package_id not in package_ids:
            continue
        row = existing_summaries.get(package_id) or WorkPackageSummary(
            assessment=current, work_package_id=package_id
        )
        if row.pk and row.text == text:
            continue
        row.text = text
        row._history_user = actor
        row.save()
    existing_narratives = {n.indicator_id: n for n in current.narratives.all()}
    for indicator_id, (behind, next_steps) in narratives.items():
        if indicator_id not in indicator_ids:
            continue
        row = existing_narratives.get(indicator_id) or IndicatorNarrative(
            assessment=current, indicator_id=indicator_id
        )
        if row.pk and (row.behind_trend, row.next_steps) == (behind, next_steps):
            continue
        row.behind_trend, row.next_steps = behind, next_steps
        row._history_user = actor
        row.save()
    return _save(current, actor)


@transaction.atomic
def self_assessment_submit(
    *, actor, assessment: SelfAssessment, expected_version: int
) -> SelfAssessment:
    """Submit the self-assessment to THL and freeze the hanke's report for the round.

    Permission: Perm.EDIT_PLAN on the hanke. Refused when already submitted or accepted.
    Side effects: the state, submitter and time; a ReportSnapshot (replacing the one of an
    earlier, returned submission of the same round); history rows with the actor.
    """
    check(actor, Perm.EDIT_PLAN, assessment.project)
    current = _locked(assessment, expected_version)
    current.status = _step(current, Event.SUBMIT)
    current.submitted_at, current.submitted_by = timezone.now(), actor
    current = _save(current, actor)
    project = Project.objects.get(pk=current.project_id)
    data = snapshot_build(project=project, period=current.period, assessment=current)
    ReportSnapshot.objects.update_or_create(
        period=current.period, project=project, defaults={"data": data, "created_by": actor}
    )
    return current


@transaction.atomic
def self_assessment_decide(
    *, actor, assessment: SelfAssessment, accept: bool, reason: str, expected_version: int
) -> SelfAssessment:
    """Accept a submitted self-assessment, or return it to the hanke with a reason.

    Permission: Perm.MANAGE_PROGRAMME (the programme admin, THL's project office).
    A return needs a reason; it is stored on the row (shown to the project manager) and in
    the history row, so earlier reasons stay readable after a resubmission.
    """
    check(actor, Perm.MANAGE_PROGRAMME)
    current = _locked(assessment, expected_version)
    reason = reason.strip()
    current.status = _step(current, Event.ACCEPT if accept else Event.RETURN, reason)
    current.decided_at, current.decided_by = timezone.now(), actor
    current.return_reason = "" if accept else reason
    return _save(current, actor, reason)
