"""Freeze a hanke's state for a reporting round as plain JSON (read side of a submission).

`snapshot_build(project=…, period=…, assessment=…)` reads, set-based and in a fixed number of
queries whatever the size of the hanke: the stored lights (project, HT, work package, goal,
action from CurrentLight; indicator from IndicatorProgress), each action's status and
comment as of the round's cut-off (the newest StatusUpdate on or before it), the
measurements up to the cut-off, the budget lines with what was spent up to the cut-off, the
risks, and the self-assessment's texts. Names are kept in all three languages so the frozen
report reads in the reader's language. Everything is strings, numbers, lists and dicts:
nothing in it points back to live rows, so a later edit cannot change a frozen report.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from measures.history import end_of_day
from measures.models import CurrentLight
from measures.models import Indicator
from measures.models import Measurement
from measures.models import RollupKind
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.models import ReportingPeriod
from objectives.models import StatusUpdate
from portal.models_common import first_of_each
from portal.models_common import in_all_languages
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import Project
from projects.models import Risk
from projects.models import WorkPackage
from reporting.models import SelfAssessment

FORMAT = 1  # bump when the shape changes; the report page reads older shapes by this


def _num(value: Decimal | None) -> str | None:
    # "12.5", "100": exact, without the column's trailing zeros or an exponent.
    return None if value is None else format(value.normalize(), "f")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _names(row: dict, field: str = "name") -> dict[str, str]:
    return {lang: row.get(f"{field}_{lang}") or "" for lang in ("fi", "sv", "en")}


def _light(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"light": row["light"], "code": row["reason_code"], "params": row["reason_params"] or {}}


def statuses_recorded_by(action_ids: list[int], day: date) -> dict[int, dict]:
    """Each action's newest status update recorded by the end of `day`: its status, comment
    and date (one query). Actions without one are left out."""
    rows = first_of_each(
        StatusUpdate.objects.filter(action_id__in=action_ids, created_at__lt=end_of_day(day))
        .order_by("action_id", "-created_at", "-id")
        .values("action_id", "status", "comment", "status_date"),
        ("action_id",),
        key=lambda row: row["action_id"],
    )
    return {
        r["action_id"]: {
            "status": r["status"],
            "comment": r["comment"],
            "date": _day(r["status_date"]),
        }
        for r in rows
    }


def statuses_at_cut_off(action_ids: list[int], cut_off: date) -> dict[int, dict]:
    """Each action's status and comment as they stood at the cut-off (two queries).

    The newest update dated on or before the cut-off; for an action whose first update
    came later, the status that update moved it from (its `previous_status`).
    """
    before = first_of_each(
        StatusUpdate.objects.filter(action_id__in=action_ids, status_date__lte=cut_off)
        .order_by("action_id", "-status_date", "-created_at", "-id")
        .values("action_id", "status", "comment", "status_date"),
        ("action_id",),
        key=lambda row: row["action_id"],
    )
    result = {
        r["action_id"]: {
            "status": r["status"],
            "comment": r["comment"],
            "date": _day(r["status_date"]),
        }
        for r in before
    }
    later = first_of_each(
        StatusUpdate.objects.filter(action_id__in=action_ids, status_date__gt=cut_off)
        .exclude(action_id__in=list(result))
        .order_by("action_id", "status_date", "created_at", "id")
        .values("action_id", "previous_status"),
        ("action_id",),
        key=lambda row: row["action_id"],
    )
    for r in later:
        if r["previous_status"]:
            result[r["action_id"]] = {"status": r["previous_status"], "comment": "", "date": None}
    return result


# What the snapshot keeps of the hanke's rows (plan rows retired or not), and the plan's order
# of goals and actions.
_PLAN_ORDER = ("work_package__order", "order", "id")
_PACKAGE_FIELDS = ("id", "parent_id", "code", *in_all_languages("name"))
_GOAL_FIELDS = ("id", "work_package_id", "number", *in_all_languages("title"))
_ACTION_FIELDS = (*_GOAL_FIELDS, "status", "planned_start", "planned_end", "schedule_text")
_INDICATOR_FIELDS = ("id", "code", *in_all_languages("name"), "unit", "baseline_value") + tuple(
    f"progress__{name}"
    for name in ("light", "reason_code", "reason_params", "latest_value", "trend")
)
_BUDGET_FIELDS = ("id", "year", "category", "line", "amount")
_RISK_FIELDS = ("title", "likelihood", "impact", "mitigation", "status", "owner_text")


def _rows(model, project: Project, order_by: tuple[str, ...], fields: tuple[str, ...]) -> list:
    """The hanke's rows of `model` as dicts of `fields`, in the order `order_by`."""
    return list(model.objects.filter(project=project).order_by(*order_by).values(*fields))


def snapshot_build(
    *, project: Project, period: ReportingPeriod, assessment: SelfAssessment
) -> dict:
    """The frozen report of `project` for `period` (no permission check: callers have one)."""
    cut_off = period.cut_off
    rollups = list(
        CurrentLight.objects.filter(project_id=project.pk).values(
            "kind", "object_id", "ht", "light", "reason_code", "reason_params", "as_of"
        )
    )
    lights: dict[tuple[str, int, int], dict] = {
        (r["kind"], r["object_id"], r["ht"]): r for r in rollups
    }
    lights_as_of = max((r["as_of"] for r in rollups), default=None)

    packages = _rows(WorkPackage, project, ("order", "code", "id"), _PACKAGE_FIELDS)
    goals = _rows(ProcessGoal, project, _PLAN_ORDER, _GOAL_FIELDS)
    actions = _rows(Action, project, _PLAN_ORDER, _ACTION_FIELDS)
    at_cut_off = statuses_at_cut_off([a["id"] for a in actions], cut_off)
    indicators = _rows(Indicator, project, ("order", "code", "id"), _INDICATOR_FIELDS)
    measurements: dict[int, list[dict]] = defaultdict(list)
    for m in (
        Measurement.objects.filter(indicator__project=project, period__lte=cut_off)
        .order_by("indicator_id", "period")
        .values("indicator_id", "period", "value", "source")
    ):
        measurements[m["indicator_id"]].append(
            {"period": _day(m["period"]), "value": _num(m["value"]), "source": m["source"]}
        )
    spent = dict(
        Expenditure.objects.filter(project=project, date__lte=cut_off)
        .order_by()
        .values("budget_line_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_line_id", "total")
    )
    budget = [
        {
            "year": b["year"],
            "category": b["category"],
            "line": b["line"],
            "amount": _num(b["amount"]),
            "spent": _num(spent.get(b["id"])),
        }
        for b in _rows(BudgetLine, project, ("year", "category", "id"), _BUDGET_FIELDS)
    ]
    risks = _rows(Risk, project, ("-likelihood", "-impact", "id"), _RISK_FIELDS)
    summaries = dict(assessment.summaries.values_list("work_package_id", "text"))
    narratives = {
        n["indicator_id"]: n
        for n in assessment.narratives.values("indicator_id", "behind_trend", "next_steps")
    }

    return {
        "format": FORMAT,
        "project": {
            "id": project.pk,
            "name": _names(vars(project)),
            "light": _light(lights.get((RollupKind.PROJECT, project.pk, 0))),
        },
        "period": {
            "name": period.name,
            "cut_off": _day(cut_off),
            "due_date": _day(period.due_date),
        },
        "frozen_at": timezone.now().isoformat(),
        "lights_as_of": _day(lights_as_of),
        "hts": [
            {"number": r["ht"], "light": _light(r)}
            for r in sorted(rollups, key=lambda r: r["ht"])
            if r["kind"] == RollupKind.PROJECT_HT
        ],
        "work_packages": [
            {
                "id": p["id"],
                "parent_id": p["parent_id"],
                "code": p["code"],
                "name": _names(p),
                "light": _light(lights.get((RollupKind.WORK_PACKAGE, p["id"], 0))),
                "summary": summaries.get(p["id"], ""),
            }
            for p in packages
        ],
        "goals": [
            {
                "id": g["id"],
                "work_package_id": g["work_package_id"],
                "number": g["number"],
                "name": _names(g, "title"),
                "light": _light(lights.get((RollupKind.GOAL, g["id"], 0))),
            }
            for g in goals
        ],
        "actions": [
            {
                "id": a["id"],
                "work_package_id": a["work_package_id"],
                "number": a["number"],
                "name": _names(a, "title"),
                "schedule": a["schedule_text"],
                "planned_end": _day(a["planned_end"]),
                # No update at all: the status as the plan gave it.
                "at_cut_off": at_cut_off.get(
                    a["id"], {"status": a["status"], "comment": "", "date": None}
                ),
                "light": _light(lights.get((RollupKind.ACTION, a["id"], 0))),
            }
            for a in actions
        ],
        "indicators": [
            {
                "id": i["id"],
                "code": i["code"],
                "name": _names(i),
                "unit": i["unit"],
                "baseline": _num(i["baseline_value"]),
                "light": (
                    {
                        "light": i["progress__light"],
                        "code": i["progress__reason_code"],
                        "params": i["progress__reason_params"] or {},
                    }
                    if i["progress__light"]
                    else None
                ),
                "trend": i["progress__trend"] or "",
                "measurements": measurements.get(i["id"], []),
                "behind_trend": narratives.get(i["id"], {}).get("behind_trend", ""),
                "next_steps": narratives.get(i["id"], {}).get("next_steps", ""),
            }
            for i in indicators
        ],
        "budget": budget,
        "risks": risks,
    }
