"""Reads for reporting rounds, scoped to the user (R5); each a fixed number of queries.

- `period_list` / `period_get`: the programme's rounds (any signed-in user may read them;
  the views decide who sees which page).
- `project_rounds`: one hanke's rounds with the state of its self-assessment in each.
- `assessment_page`: what the self-assessment page shows: the texts, each action's status
  and comment as of the cut-off (read-only, from the StatusUpdate log), the indicators with
  their lights, and the history of decisions (returns with their reasons).
- `round_dashboard`: every visible hanke's state in one round, late ones first.
- `frozen_report`: the snapshot frozen on submission, ready for the template; it reads the
  snapshot only, never live rows, so later edits do not show.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from django.db.models import Count
from django.db.models import Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from measures.choices import Unit
from measures.models import Indicator
from objectives.choices import ActionStatus
from objectives.models import Action
from objectives.models import ReportingPeriod
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.people import display_name
from projects.choices import BudgetCategory
from projects.choices import RiskStatus
from projects.models import Project
from projects.models import WorkPackage
from reporting.models import ReportSnapshot
from reporting.models import SelfAssessment
from reporting.models import SelfAssessmentStatus

from .snapshots import statuses_at_cut_off
from .workflow import editable

_NOT_STARTED = _("Not started")
_TRENDS = {"improving": _("Improving"), "worsening": _("Worsening"), "flat": _("Flat")}


def period_list() -> list[ReportingPeriod]:
    """Every round, newest cut-off first, with how many hankkeet submitted and were accepted."""
    return list(
        ReportingPeriod.objects.select_related("programme")
        .annotate(
            submitted=Count(
                "self_assessments",
                filter=Q(
                    self_assessments__status__in=[
                        SelfAssessmentStatus.SUBMITTED,
                        SelfAssessmentStatus.ACCEPTED,
                    ]
                ),
            ),
            accepted=Count(
                "self_assessments",
                filter=Q(self_assessments__status=SelfAssessmentStatus.ACCEPTED),
            ),
        )
        .order_by("-cut_off")
    )


def period_get(*, pk: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_related("programme").filter(pk=pk).first()
    if period is None:
        raise Http404
    return period


def _period_of_project(project: Project, period_pk: int) -> ReportingPeriod:
    period = period_get(pk=period_pk)
    if period.programme_id != project.programme_id:
        raise Http404
    return period


@dataclass
class ProjectRound:
    period: ReportingPeriod
    assessment: SelfAssessment | None

    @property
    def status_label(self) -> str:
        if self.assessment is None:
            return str(_NOT_STARTED)
        return self.assessment.get_status_display()


def project_rounds(*, project: Project) -> list[ProjectRound]:
    """The rounds of the hanke's programme, newest first, with its self-assessments (2 queries).

    `project` comes from a scoped selector (projects.selectors.project_get)."""
    periods = list(
        ReportingPeriod.objects.filter(programme_id=project.programme_id).order_by("-cut_off")
    )
    assessments = {a.period_id: a for a in SelfAssessment.objects.filter(project=project)}
    return [ProjectRound(p, assessments.get(p.pk)) for p in periods]


# --- The self-assessment page -------------------------------------------------------------


@dataclass
class ActionAtCutOff:
    number: str
    title: str
    status: str
    status_label: str
    comment: str
    date: str | None


@dataclass
class PackageSection:
    package: WorkPackage
    summary: str
    actions: list[ActionAtCutOff] = field(default_factory=list)


@dataclass
class IndicatorSection:
    indicator: Indicator
    light: Assessment | None
    trend: str
    behind_trend: str
    next_steps: str


@dataclass
class Decision:
    status: str
    label: str
    by: str
    at: datetime
    reason: str


@dataclass
class AssessmentPage:
    project: Project
    period: ReportingPeriod
    assessment: SelfAssessment | None
    packages: list[PackageSection]
    indicators: list[IndicatorSection]
    decisions: list[Decision]
    has_snapshot: bool

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else SelfAssessmentStatus.DRAFT

    @property
    def version(self) -> int:
        return self.assessment.version if self.assessment else 0

    @property
    def editable(self) -> bool:
        return editable(self.status)


def _decisions(assessment: SelfAssessment | None) -> list[Decision]:
    """State changes from the history, oldest first (one query)."""
    if assessment is None:
        return []
    rows = assessment.history.select_related("history_user").order_by("history_date", "history_id")
    result: list[Decision] = []
    previous = None
    for row in rows:
        if row.status != previous and row.status != SelfAssessmentStatus.DRAFT:
            result.append(
                Decision(
                    status=row.status,
                    label=str(SelfAssessmentStatus(row.status).label),
                    by=display_name(row.history_user),
                    at=row.history_date,
                    reason=row.return_reason if row.status == SelfAssessmentStatus.RETURNED else "",
                )
            )
        previous = row.status
    return result


def assessment_page(*, project: Project, period_pk: int) -> AssessmentPage:
    """Everything the self-assessment page shows (a fixed number of queries).

    `project` comes from a scoped selector; the period must be of the hanke's programme.
    """
    period = _period_of_project(project, period_pk)
    assessment = (
        SelfAssessment.objects.filter(period=period, project=project)
        .select_related("submitted_by", "decided_by")
        .first()
    )
    summaries = (
        dict(assessment.summaries.values_list("work_package_id", "text")) if assessment else {}
    )
    narratives = {n.indicator_id: n for n in assessment.narratives.all()} if assessment else {}
    packages = {
        p.pk: PackageSection(p, summaries.get(p.pk, ""))
        for p in WorkPackage.objects.filter(project=project).order_by("order", "code", "id")
    }
    actions = list(
        Action.objects.filter(project=project).order_by("work_package__order", "order", "id")
    )
    at_cut_off = statuses_at_cut_off([a.pk for a in actions], period.cut_off)
    for action in actions:
        state = at_cut_off.get(action.pk, {"status": action.status, "comment": "", "date": None})
        packages[action.work_package_id].actions.append(
            ActionAtCutOff(
                number=action.number,
                title=action.display_name,
                status=state["status"],
                status_label=str(ActionStatus(state["status"]).label),
                comment=state["comment"],
                date=state["date"],
            )
        )
    indicators = []
    for indicator in (
        Indicator.objects.filter(project=project)
        .select_related("progress")
        .order_by("order", "code", "id")
    ):
        progress = getattr(indicator, "progress", None)
        narrative = narratives.get(indicator.pk)
        indicators.append(
            IndicatorSection(
                indicator=indicator,
                light=progress.assessment if progress else None,
                trend=str(_TRENDS.get(progress.trend, "")) if progress else "",
                behind_trend=narrative.behind_trend if narrative else "",
                next_steps=narrative.next_steps if narrative else "",
            )
        )
    return AssessmentPage(
        project=project,
        period=period,
        assessment=assessment,
        packages=list(packages.values()),
        indicators=indicators,
        decisions=_decisions(assessment),
        has_snapshot=ReportSnapshot.objects.filter(period=period, project=project).exists(),
    )


# --- THL's dashboard of a round -----------------------------------------------------------


@dataclass
class DashboardRow:
    project: Project
    assessment: SelfAssessment | None
    late: bool

    @property
    def status_label(self) -> str:
        if self.assessment is None:
            return str(_NOT_STARTED)
        return self.assessment.get_status_display()


_DONE = {SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.ACCEPTED}


def round_dashboard(*, user, period: ReportingPeriod, today: date) -> list[DashboardRow]:
    """Every hanke of the round's programme the user sees, late ones first (two queries).

    Late: the due date has passed and the self-assessment is neither submitted nor accepted.
    Then those waiting for THL's decision (submitted), then the rest, by region and name.
    """
    projects = list(
        Project.objects.visible_to(user)
        .filter(programme_id=period.programme_id)
        .select_related("region")
        .order_by("region__name_fi", "name_fi")
    )
    assessments = {
        a.project_id: a
        for a in SelfAssessment.objects.filter(
            period=period, project_id__in=[p.pk for p in projects]
        )
    }
    rows = []
    for project in projects:
        assessment = assessments.get(project.pk)
        done = assessment is not None and assessment.status in _DONE
        rows.append(DashboardRow(project, assessment, late=not done and today > period.due_date))
    order = {SelfAssessmentStatus.SUBMITTED: 1}
    rows.sort(key=lambda r: (not r.late, order.get(r.assessment and r.assessment.status, 2)))
    return rows


# --- The frozen report --------------------------------------------------------------------


def _pick(names: dict) -> str:
    lang = (translation.get_language() or "fi")[:2]
    return names.get(lang) or names.get("fi") or ""


def _assessed(light: dict | None) -> Assessment | None:
    if not light:
        return None
    return Assessment(Light(light["light"]), Reason(light["code"], light.get("params") or {}))


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def frozen_report(*, project: Project, period_pk: int) -> tuple[ReportingPeriod, dict | None]:
    """The snapshot of the hanke for the round, shaped for the page (one query + the period).

    Returns (period, None) when nothing has been submitted yet.
    """
    period = _period_of_project(project, period_pk)
    snapshot = ReportSnapshot.objects.filter(period=period, project=project).first()
    if snapshot is None:
        return period, None
    data = snapshot.data
    actions_by_package: dict[int, list[dict]] = {}
    for action in data["actions"]:
        status = action["at_cut_off"]["status"]
        actions_by_package.setdefault(action["work_package_id"], []).append(
            {
                "number": action["number"],
                "title": _pick(action["name"]),
                "status_label": _label(ActionStatus, status),
                "comment": action["at_cut_off"]["comment"],
                "light": _assessed(action["light"]),
            }
        )
    goals_by_package: dict[int, list[dict]] = {}
    for goal in data["goals"]:
        goals_by_package.setdefault(goal["work_package_id"], []).append(
            {
                "number": goal["number"],
                "title": _pick(goal["name"]),
                "light": _assessed(goal["light"]),
            }
        )
    return period, {
        "frozen_at": datetime.fromisoformat(data["frozen_at"]),
        "lights_as_of": date.fromisoformat(data["lights_as_of"]) if data["lights_as_of"] else None,
        "light": _assessed(data["project"]["light"]),
        "hts": [{"number": h["number"], "light": _assessed(h["light"])} for h in data["hts"]],
        "packages": [
            {
                "code": p["code"],
                "name": _pick(p["name"]),
                "light": _assessed(p["light"]),
                "summary": p["summary"],
                "goals": goals_by_package.get(p["id"], []),
                "actions": actions_by_package.get(p["id"], []),
            }
            for p in data["work_packages"]
        ],
        "indicators": [
            {
                "code": i["code"],
                "name": _pick(i["name"]),
                "unit": _label(Unit, i["unit"]),
                "light": _assessed(i["light"]),
                "trend": str(_TRENDS.get(i["trend"], "")),
                "measurements": i["measurements"],
                "behind_trend": i["behind_trend"],
                "next_steps": i["next_steps"],
            }
            for i in data["indicators"]
        ],
        "budget": [
            {**b, "category_label": _label(BudgetCategory, b["category"])} for b in data["budget"]
        ],
        "risks": [{**r, "status_label": _label(RiskStatus, r["status"])} for r in data["risks"]],
    }
