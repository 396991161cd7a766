"""Load the demo data: the programme, the four seed regions and demo users, from YAML files.

Contract:
- `demo_load(data_dir=…)` reads `programme.yaml` and every `NNN-*.yaml` in the folder and
  upserts them on natural keys (region code, hanke name, work-package code, goal and action
  number inside their package, indicator code…). It runs in one transaction: a broken file
  leaves the database as it was.
- Idempotent: a second run finds every row as the files describe it, writes nothing and
  reports zero changes.
- Where the plans give no measured values, a plausible history is generated and stored with
  source "demo", never mixed with the plan's own figures (source "plan"). The generator is
  seeded by the indicator, so reruns produce the same values.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction

from measures.choices import MeasurementSource
from measures.models import Indicator
from measures.models import Measurement
from measures.models import Target
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from objectives.models import ReportingPeriod
from portal.periods import parse_schedule
from projects.choices import MilestoneKind
from projects.models import Body
from projects.models import BudgetLine
from projects.models import Classification
from projects.models import Expenditure
from projects.models import Membership
from projects.models import Organisation
from projects.models import PlanMilestone
from projects.models import PlanVersion
from projects.models import Programme
from projects.models import ProgrammeRole
from projects.models import Project
from projects.models import ProjectOrganisation
from projects.models import Region
from projects.models import Risk
from projects.models import WorkPackage

DEMO_PASSWORD = "demo-salasana-2026"  # noqa: S105 - documented dev-only password


class DemoDataError(Exception):
    """A demo file is malformed; the message names the file and the item."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    with_generated: bool = True  # generate values where the plan gives none (source "demo")

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def summary(self) -> str:
        if not self.changes:
            return "Demo data already up to date: nothing changed."
        parts = [f"{name}: +{n}" for name, n in sorted(self.created.items())]
        parts += [f"{name}: ~{n}" for name, n in sorted(self.updated.items())]
        return "Demo data loaded (+ created, ~ updated): " + ", ".join(parts)


# --- Generic upsert that writes only when something differs ---------------------------------


def _upsert(report: LoadReport, model: type[models.Model], lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    label = model._meta.model_name
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.created[label] += 1
        return obj
    changed = [
        name for name, value in values.items() if _differs(getattr(obj, name), value, obj, name)
    ]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        report.updated[label] += 1
    return obj


def _differs(current: Any, wanted: Any, obj: models.Model, name: str) -> bool:
    field_obj = obj._meta.get_field(name)
    if isinstance(field_obj, models.ForeignKey):
        return getattr(obj, f"{name}_id") != (wanted.pk if wanted is not None else None)
    if isinstance(field_obj, models.DecimalField) and current is not None and wanted is not None:
        return Decimal(current) != Decimal(str(wanted))
    return current != wanted


def _set_m2m(report: LoadReport, obj: models.Model, name: str, targets: list) -> None:
    manager = getattr(obj, name)
    wanted = {t.pk for t in targets}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(targets)
        report.updated[f"{obj._meta.model_name}.{name}"] += 1


# --- Reading files ----------------------------------------------------------------------------


# libyaml's parser where PyYAML was built with it (the wheels are): the same safe
# constructor, a tenth of the pure-Python parser's second per load of the four plans.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise DemoDataError(f"{path.name}: not valid YAML: {exc}") from None


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


class _Region:
    """Loads one region file; keeps the key→object maps that references need."""

    def __init__(self, report: LoadReport, programme: Programme, data: dict, filename: str):
        self.report = report
        self.programme = programme
        self.data = data
        self.filename = filename
        self.documents: dict[str, str] = {str(k): v for k, v in data["documents"].items()}
        self.orgs: dict[str, Organisation] = {}
        self.versions: dict[str, PlanVersion] = {}
        self.packages: dict[str, WorkPackage] = {}
        self.goals: dict[str, ProcessGoal] = {}
        self.actions: dict[str, Action] = {}
        self.hts = {ht.number: ht for ht in BenefitTarget.objects.all()}

    def src(self, item: dict) -> dict:
        raw = str(item.get("src") or "")
        prefix, _, ref = raw.partition(":")
        if prefix not in self.documents:
            raise DemoDataError(f"{self.filename}: unknown document prefix in src {raw!r}")
        return {"source_document": self.documents[prefix], "source_ref": ref}

    def ref(self, mapping: dict, key: str | None, what: str):
        if key is None:
            return None
        try:
            return mapping[key]
        except KeyError:
            raise DemoDataError(f"{self.filename}: unknown {what} {key!r}") from None

    def ht_list(self, numbers: list[int] | None) -> list[BenefitTarget]:
        return [self.hts[n] for n in numbers or []]

    def load(self) -> Project:
        self.region = self._region()
        for item in self.data["organisations"]:
            self.orgs[item["key"]] = self._organisation(item)
        self.project = self._project()
        self._plan_versions()
        for order, item in enumerate(self.data["work_packages"]):
            self.packages[item["code"]] = self._work_package(item, order)
        for order, item in enumerate(self.data["goals"]):
            self.goals[item["key"]] = self._goal(item, order)
        for order, item in enumerate(self.data["actions"]):
            self.actions[item["key"]] = self._action(item, order)
        for order, item in enumerate(self.data["indicators"]):
            _IndicatorLoader(self, item, order).load()
        self._budget()
        self._spending()
        self._risks()
        self._bodies()
        self._milestones()
        return self.project

    def _region(self) -> Region:
        item = self.data["region"]
        return _upsert(
            self.report,
            Region,
            {"code": str(item["code"])},
            {
                "name_fi": item["name_fi"],
                "name_sv": item.get("name_sv") or "",
                "name_en": item.get("name_en") or "",
                "population": item.get("population"),
                **self.src(item),
            },
        )

    def _organisation(self, item: dict) -> Organisation:
        # Organisations such as THL appear in several plans: the first file that names one
        # describes it, later files only refer to it (otherwise reruns would flip-flop).
        existing = Organisation.objects.filter(name_fi=item["name_fi"]).first()
        if existing is not None and existing.source_document != self.src(item)["source_document"]:
            return existing
        return _upsert(
            self.report,
            Organisation,
            {"name_fi": item["name_fi"]},
            {
                "name_sv": item.get("name_sv") or "",
                "name_en": item.get("name_en") or "",
                "kind": item["kind"],
                **self.src(item),
            },
        )

    def _project(self) -> Project:
        item = self.data["project"]
        project = _upsert(
            self.report,
            Project,
            {"region": self.region, "name_fi": item["name_fi"]},
            {
                "programme": self.programme,
                "name_sv": item.get("name_sv") or "",
                "name_en": item.get("name_en") or "",
                "short_name": item.get("short_name") or "",
                "coordinator": self.ref(self.orgs, item["coordinator"], "organisation"),
                "start_date": item.get("start_date"),
                "end_date": item.get("end_date"),
                "funding_total": _dec(item.get("funding_total")),
                "description_fi": item.get("description_fi") or "",
                **self.src(item),
            },
        )
        self._participants(project, item)
        return project

    def _participants(self, project: Project, item: dict) -> None:
        rows = {(item["coordinator"], "coordinator"): (None, None)}
        for entry in item.get("coordinator_history") or []:
            rows[(entry["org"], "coordinator")] = (entry.get("from"), entry.get("to"))
        for entry in item.get("participants") or []:
            rows.setdefault((entry["org"], entry["role"]), (None, None))
        for (org_key, role), (valid_from, valid_to) in rows.items():
            org = self.ref(self.orgs, org_key, "organisation")
            _upsert(
                self.report,
                ProjectOrganisation,
                {"project": project, "organisation": org, "role": role},
                {"valid_from": valid_from, "valid_to": valid_to},
            )

    def _plan_versions(self) -> None:
        for item in self.data["plan_versions"]:
            self.versions[item["key"]] = _upsert(
                self.report,
                PlanVersion,
                {"project": self.project, "key": item["key"]},
                {
                    "name": item["name"],
                    "issued_on": item.get("issued_on"),
                    **self.src(item),
                    **self._follow_up(item),
                },
            )
        for item in self.data["plan_versions"]:
            superseded = self.ref(self.versions, item.get("supersedes"), "plan version")
            _upsert(
                self.report,
                PlanVersion,
                {"project": self.project, "key": item["key"]},
                {"supersedes": superseded},
            )
        self.default_version = self.versions[self.data["plan_versions"][0]["key"]]

    def _follow_up(self, item: dict) -> dict:
        """The plan's follow-up and reporting text as written (optional), and its place in
        the version's own document."""
        text = (item.get("follow_up_fi") or "").strip()
        if not text:
            return {"follow_up_fi": "", "follow_up_ref": ""}
        place = self.src({"src": item.get("follow_up_src")})
        if place["source_document"] != self.src(item)["source_document"]:
            raise DemoDataError(
                f"{self.filename}: follow_up_src must be in the plan version's own document"
            )
        return {"follow_up_fi": text, "follow_up_ref": place["source_ref"]}

    def version_of(self, item: dict) -> PlanVersion:
        return (
            self.ref(self.versions, item.get("plan_version"), "plan version")
            or self.default_version
        )

    def _work_package(self, item: dict, order: int) -> WorkPackage:
        classification = None
        if item.get("classification"):
            c = item["classification"]
            classification = _upsert(
                self.report,
                Classification,
                {"scheme": c["scheme"], "code": str(c["code"])},
                {"name_fi": c["name_fi"]},
            )
        return _upsert(
            self.report,
            WorkPackage,
            {"project": self.project, "code": str(item["code"])},
            {
                "parent": self.ref(self.packages, item.get("parent"), "work package"),
                "name_fi": item["name_fi"],
                "name_sv": item.get("name_sv") or "",
                "name_en": item.get("name_en") or "",
                "kind_as_written": item.get("kind_as_written") or "",
                "classification": classification,
                "order": order,
                **self.src(item),
            },
        )

    def _goal(self, item: dict, order: int) -> ProcessGoal:
        package = self.ref(self.packages, item["work_package"], "work package")
        goal = _upsert(
            self.report,
            ProcessGoal,
            {"work_package": package, "number": str(item["number"])},
            {
                "project": self.project,
                "kind": item.get("kind") or "process",
                "title_fi": item["title_fi"].strip(),
                "title_sv": (item.get("title_sv") or "").strip(),
                "title_en": (item.get("title_en") or "").strip(),
                "ht_as_written": item.get("ht_as_written") or "",
                "target_date": item.get("target_date"),
                "plan_version": self.version_of(item),
                "change": item.get("change") or "",
                "order": order,
                **self.src(item),
            },
        )
        _set_m2m(self.report, goal, "benefit_targets", self.ht_list(item.get("ht")))
        return goal

    def _action(self, item: dict, order: int) -> Action:
        package = self.ref(self.packages, item["work_package"], "work package")
        schedule = item.get("schedule") or ""
        start, end = parse_schedule(schedule)
        action = _upsert(
            self.report,
            Action,
            {"work_package": package, "number": str(item["number"])},
            {
                "project": self.project,
                "title_fi": item["title_fi"].strip(),
                "title_sv": (item.get("title_sv") or "").strip(),
                "title_en": (item.get("title_en") or "").strip(),
                "responsible_text": item.get("responsible") or "",
                "responsible_organisation": self.ref(
                    self.orgs, item.get("responsible_org"), "organisation"
                ),
                "schedule_text": str(schedule),
                "planned_start": start,
                "planned_end": end,
                # A status the plan does not give is "not reported", never a guess.
                "status": item.get("status") or "not_reported",
                "status_as_written": item.get("status_as_written") or "",
                "plan_version": self.version_of(item),
                "change": item.get("change") or "",
                "order": order,
                **self.src(item),
            },
        )
        goals = [self.ref(self.goals, key, "goal") for key in item.get("goals") or []]
        _set_m2m(self.report, action, "goals", goals)
        _set_m2m(self.report, action, "benefit_targets", self.ht_list(item.get("ht")))
        return action

    def _budget(self) -> None:
        kept = []
        for item in self.data["budget"]:
            line = _upsert(
                self.report,
                BudgetLine,
                {
                    "project": self.project,
                    "year": item.get("year"),
                    "category": item["category"],
                    "line": str(item["line"]),
                },
                {
                    "amount": _dec(item.get("amount")),
                    "person_years": _dec(item.get("person_years")),
                    "funded_elsewhere": bool(item.get("funded_elsewhere")),
                    "note": item.get("note") or "",
                    **self.src(item),
                },
            )
            kept.append(line.pk)
        # A line someone has booked spending on stays (Expenditure.budget_line protects it).
        self._prune(BudgetLine.objects.filter(project=self.project, expenditures=None), kept)

    def _spending(self) -> None:
        """What the plan says was spent (e.g. 001: 559 320 € by 30.6.2021): expenditures,
        not budget lines, with the category the plan gives (else "not split")."""
        for item in self.data.get("spending") or []:
            _upsert(
                self.report,
                Expenditure,
                {
                    "project": self.project,
                    "date": item["date"],
                    "description": item["description"].strip(),
                },
                {"amount": _dec(item["amount"]), "category": item["category"]},
            )

    def _prune(self, queryset: models.QuerySet, kept: list[int]) -> None:
        """Remove rows this file once described and no longer does (a figure moved to where
        it belongs, say). Only rows that carry one of this file's seed documents go: what a
        person entered in the portal has no seed source and stays."""
        stale = queryset.filter(source_document__in=self.documents.values()).exclude(pk__in=kept)
        for obj in stale:
            obj.delete()
            self.report.updated[f"{obj._meta.model_name} removed"] += 1

    def _risks(self) -> None:
        kept = []
        for item in self.data["risks"]:
            # A risk of a regional structure outside the hanke (004's 2015 development
            # structure beside 000's 2020 hanke) belongs to the region, not the hanke.
            owner = (
                {"project": None, "region": self.region}
                if item.get("scope") == "region"
                else {"project": self.project}
            )
            risk = _upsert(
                self.report,
                Risk,
                {**owner, "title": item["title_fi"].strip()},
                {
                    "description": item.get("description_fi") or "",
                    "likelihood": item.get("likelihood"),
                    "impact": item.get("impact"),
                    "likelihood_as_written": item.get("likelihood_as_written") or "",
                    "impact_as_written": item.get("impact_as_written") or "",
                    "mitigation": item.get("mitigation") or "",
                    "owner_text": item.get("owner") or "",
                    **self.src(item),
                },
            )
            kept.append(risk.pk)
        risks = Risk.objects.filter(models.Q(project=self.project) | models.Q(region=self.region))
        self._prune(risks, kept)

    def _bodies(self) -> None:
        for item in self.data["bodies"]:
            body = _upsert(
                self.report,
                Body,
                {"region": self.region, "key": item["key"]},
                {
                    "project": self.project,
                    "kind": item["kind"],
                    "name_fi": item["name_fi"],
                    "name_sv": item.get("name_sv") or "",
                    "name_en": item.get("name_en") or "",
                    "tasks_fi": item.get("tasks_fi") or "",
                    "members_as_written": item.get("members_as_written") or "",
                    **self.src(item),
                },
            )
            members = [
                self.ref(self.orgs, key, "organisation") for key in item.get("members") or []
            ]
            _set_m2m(self.report, body, "member_organisations", members)

    def _milestones(self) -> None:
        """The plan's phases (optional key): texts and periods as written, dates only where
        the plan gives them (`schedule`, read like an action's)."""
        kept = []
        for order, item in enumerate(self.data.get("milestones") or []):
            start, end = parse_schedule(item.get("schedule"))
            milestone = _upsert(
                self.report,
                PlanMilestone,
                {"project": self.project, "key": item["key"]},
                {
                    "kind": item.get("kind") or MilestoneKind.PHASE,
                    "order": order,
                    "title_fi": item["title_fi"].strip(),
                    "title_sv": (item.get("title_sv") or "").strip(),
                    "title_en": (item.get("title_en") or "").strip(),
                    "description_fi": (item.get("description_fi") or "").strip(),
                    "schedule_text": item.get("schedule_as_written") or "",
                    "planned_start": start,
                    "planned_end": end,
                    "plan_version": self.version_of(item),
                    **self.src(item),
                },
            )
            kept.append(milestone.pk)
        self._prune(PlanMilestone.objects.filter(project=self.project), kept)


class _IndicatorLoader:
    def __init__(self, region: _Region, item: dict, order: int):
        self.region = region
        self.item = item
        self.order = order

    def load(self) -> Indicator:
        r, item = self.region, self.item
        baseline = item.get("baseline") or {}
        numerator, denominator = _fraction(baseline.get("as_written"))
        indicator = _upsert(
            r.report,
            Indicator,
            {"project": r.project, "code": str(item["key"])},
            {
                "name_fi": item["name_fi"].strip(),
                "name_sv": (item.get("name_sv") or "").strip(),
                "name_en": (item.get("name_en") or "").strip(),
                "unit": item["unit"],
                "direction": item["direction"],
                "source_system": item["source_system"],
                "source_id": str(item.get("source_id") or ""),
                "frequency": item["frequency"],
                "baseline_value": _dec(baseline.get("value")),
                "baseline_as_written": str(baseline.get("as_written") or ""),
                "baseline_numerator": numerator,
                "baseline_denominator": denominator,
                "baseline_date": baseline.get("date"),
                "order": self.order,
                **r.src(item),
            },
        )
        _set_m2m(
            r.report,
            indicator,
            "goals",
            [r.ref(r.goals, k, "goal") for k in item.get("goals") or []],
        )
        _set_m2m(
            r.report,
            indicator,
            "actions",
            [r.ref(r.actions, k, "action") for k in item.get("actions") or []],
        )
        _set_m2m(r.report, indicator, "benefit_targets", r.ht_list(item.get("ht")))
        self._targets(indicator)
        plan_rows = self._plan_measurements(indicator)
        if not plan_rows:
            self._demo_measurements(indicator)
        return indicator

    def _targets(self, indicator: Indicator) -> None:
        for target in self.item.get("targets") or []:
            written = str(target.get("as_written") or "")
            _upsert(
                self.region.report,
                Target,
                {"indicator": indicator, "target_date": target["date"]},
                {
                    "value": _dec(target["value"]),
                    "value_as_written": written,
                    "strict": written.strip().lower().startswith("yli"),
                },
            )

    def _plan_measurements(self, indicator: Indicator) -> int:
        rows = self.item.get("measurements") or []
        for row in rows:
            numerator, denominator = _fraction(row.get("as_written"))
            self._measurement(
                indicator,
                row["period"],
                _dec(row["value"]),
                MeasurementSource.PLAN,
                numerator=numerator,
                denominator=denominator,
                value_as_written=str(row.get("as_written") or ""),
            )
        return len(rows)

    def _demo_measurements(self, indicator: Indicator) -> None:
        if not self.region.report.with_generated:
            return
        for period, value in demo_series(
            indicator=indicator, targets=self.item.get("targets") or []
        ):
            self._measurement(indicator, period, value, MeasurementSource.DEMO, note=_DEMO_NOTE)

    def _measurement(self, indicator: Indicator, period, value, source: str, **values) -> None:
        """Create or update the indicator's value of `period`; `values` gives what the source
        has of its numerator, denominator, value as written and note (else none)."""
        _upsert(
            self.region.report,
            Measurement,
            {"indicator": indicator, "period": period},
            {"value": value, "source": source, **_NO_DETAILS, **values},
        )


# A measurement's details where its source gives none.
_NO_DETAILS = {"numerator": None, "denominator": None, "value_as_written": "", "note": ""}
_DEMO_NOTE = "Demoarvo: generoitu esittelyä varten, ei todellinen mittaustulos."


def _fraction(text: Any) -> tuple[Decimal | None, Decimal | None]:
    """'698/788' → (698, 788); anything else → (None, None)."""
    if not isinstance(text, str) or "/" not in text:
        return None, None
    top, _, bottom = text.replace(" ", "").partition("/")
    try:
        numerator, denominator = Decimal(top), Decimal(bottom)
    except ArithmeticError:
        return None, None
    return (numerator, denominator) if denominator > 0 else (None, None)


# --- Demo history --------------------------------------------------------------------------

_DEMO_PERIODS = {
    "monthly": [(m, 1) for m in range(1, 13)],
    "quarterly": [(3, 31), (6, 30), (9, 30), (12, 31)],
    "half_yearly": [(6, 30), (12, 31)],
    "yearly": [(12, 31)],
}
_DEMO_FIRST_YEAR, _DEMO_LAST_YEAR = 2021, 2025


def _period_ends(frequency: str) -> list[date]:
    ends = []
    for year in range(_DEMO_FIRST_YEAR, _DEMO_LAST_YEAR + 1):
        for month, day in _DEMO_PERIODS.get(frequency, _DEMO_PERIODS["yearly"]):
            if frequency == "monthly":
                next_month = date(year + (month == 12), month % 12 + 1, 1)
                ends.append(date.fromordinal(next_month.toordinal() - 1))
            else:
                ends.append(date(year, month, day))
    # Monthly series are thinned to quarter ends in the demo: enough to draw a trend.
    return [d for d in ends if frequency != "monthly" or d.month in (3, 6, 9, 12)]


def demo_series(*, indicator: Indicator, targets: list[dict]) -> list[tuple[date, Decimal]]:
    """A deterministic, plausible history for an indicator without real measurements.

    Each indicator gets its own pace (some ahead of plan, some behind), so the demo shows
    every colour of the traffic lights once the status engine reads it.
    """
    seed = int(
        hashlib.sha256(f"{indicator.project.region.code}:{indicator.code}".encode()).hexdigest(), 16
    )
    rng = random.Random(seed)  # noqa: S311 - demo values, not security
    periods = _period_ends(indicator.frequency)
    if indicator.unit == "milestone":
        reached = rng.randrange(2, len(periods) + 3)
        return [(p, Decimal(100 if i >= reached else 0)) for i, p in enumerate(periods)]
    start, goal = _demo_range(indicator, targets, rng)
    pace = rng.choice([0.3, 0.6, 0.85, 1.0, 1.1])
    series = []
    for i, period in enumerate(periods):
        share = (i + 1) / len(periods)
        noise = rng.uniform(-0.04, 0.04) * abs(goal - start or 1)
        value = start + (goal - start) * share * pace + noise
        series.append((period, _round_for(indicator.unit, value)))
    return series


def _demo_range(
    indicator: Indicator, targets: list[dict], rng: random.Random
) -> tuple[float, float]:
    target_values = [float(t["value"]) for t in targets if t.get("value") is not None]
    goal = target_values[-1] if target_values else None
    start = float(indicator.baseline_value) if indicator.baseline_value is not None else None
    lower = indicator.direction == "lower"
    if indicator.unit == "percent":
        start = start if start is not None else rng.uniform(35, 65)
        goal = goal if goal is not None else (max(start - 20, 0) if lower else min(start + 25, 100))
    elif indicator.unit == "days":
        start = start if start is not None else rng.uniform(30, 120)
        goal = goal if goal is not None else start * 0.6
    else:
        start = start if start is not None else float(rng.randrange(5, 60))
        goal = goal if goal is not None else (start * 0.7 if lower else start * 2)
    return start, goal


def _round_for(unit: str, value: float) -> Decimal:
    value = max(value, 0.0)
    if unit == "percent":
        value = min(value, 100.0)
    places = Decimal("1") if unit in ("count", "days", "euro") else Decimal("0.1")
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


# --- Programme, reporting periods, users ------------------------------------------------------


def _programme(report: LoadReport, data: dict) -> Programme:
    item = data["programme"]
    programme = _upsert(
        report,
        Programme,
        {"name_fi": item["name_fi"]},
        {
            "name_sv": item.get("name_sv") or "",
            "name_en": item.get("name_en") or "",
            "start_date": item["start_date"],
            "end_date": item["end_date"],
        },
    )
    for period in data.get("reporting_periods") or []:
        _upsert(
            report,
            ReportingPeriod,
            {"programme": programme, "name": period["name"]},
            {"cut_off": period["cut_off"], "due_date": period["due_date"]},
        )
    return programme


def _users(report: LoadReport, data: dict, projects_by_region: dict[str, Project]) -> None:
    User = get_user_model()
    for item in data.get("users") or []:
        user = User.objects.filter(username=item["username"]).first()
        if user is None:
            user = User(
                username=item["username"],
                first_name=item["first_name"],
                last_name=item["last_name"],
                email=f"{item['username']}@example.invalid",
            )
            user.set_password(DEMO_PASSWORD)
            user.is_staff = item.get("programme_role") == "admin"
            user.is_superuser = item.get("programme_role") == "admin"
            user.save()
            report.created["user"] += 1
        else:
            _demo_user_names(report, user, item)
        if item.get("programme_role"):
            _upsert(report, ProgrammeRole, {"user": user}, {"role": item["programme_role"]})
        if item.get("region"):
            project = projects_by_region.get(str(item["region"]))
            if project is None:
                raise DemoDataError(
                    f"programme.yaml: user {item['username']}: no hanke in region {item['region']}"
                )
            _upsert(report, Membership, {"user": user, "project": project}, {"role": item["role"]})
            if item["role"] != "worker":
                continue
            # Workers update the status only of actions they own, so each demo worker owns
            # the unowned actions of the hanke's first top-level work package, sub-packages
            # included (002's first investment line keeps its actions in sub-sections).
            # Only rows without an owner change, so a second load reports nothing.
            first = (
                WorkPackage.objects.filter(project=project, parent=None)
                .order_by("order", "code")
                .first()
            )
            if first is None:
                continue
            owned = Action.objects.filter(
                models.Q(work_package=first) | models.Q(work_package__parent=first),
                project=project,
                owner=None,
            ).update(owner=user)
            if owned:
                report.updated["action"] += owned


def _demo_user_names(report: LoadReport, user, item: dict) -> None:
    """Keep an existing demo user's names as the file gives them: the names say "(demo)",
    so wherever the portal shows an owner (pages, exports, PDFs) a fictitious person
    assigned to a real plan action reads as one."""
    names = {"first_name": item["first_name"], "last_name": item["last_name"]}
    if any(getattr(user, k) != v for k, v in names.items()):
        for k, v in names.items():
            setattr(user, k, v)
        user.save(update_fields=list(names))
        report.updated["user"] += 1


def region_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.glob("[0-9][0-9][0-9]-*.yaml"))


def generated_values_wanted(option: bool | None = None) -> bool:
    """Whether the loader generates values for indicators the plans give none for: the
    caller's choice, else the setting `DEMO_GENERATED_VALUES` (env var, default on).
    Without them the demo holds only the plans' own figures (source "plan")."""
    from django.conf import settings

    if option is not None:
        return option
    return bool(getattr(settings, "DEMO_GENERATED_VALUES", True))


@transaction.atomic
def demo_load(
    *, data_dir: Path, with_users: bool = True, with_generated: bool | None = None
) -> LoadReport:
    """Upsert the programme, every region file in `data_dir` and (optionally) demo users.

    `with_generated=False` (or the setting DEMO_GENERATED_VALUES=0) generates no values;
    generated values already stored are removed by `measures.services.generated_values_remove`
    (`load_demo --without-generated` does both).
    Permission: a command-line operation for developers and admins (no actor).
    Side effects: none beyond the rows written. Idempotent; atomic.
    """
    report = LoadReport(with_generated=generated_values_wanted(with_generated))
    programme_data = _read(data_dir / "programme.yaml")
    programme = _programme(report, programme_data)
    projects_by_region: dict[str, Project] = {}
    for path in region_files(data_dir):
        try:
            project = _Region(report, programme, _read(path), path.name).load()
        except KeyError as exc:
            raise DemoDataError(f"{path.name}: missing key {exc}") from None
        except ValidationError as exc:
            raise DemoDataError(f"{path.name}: {exc}") from None
        projects_by_region[project.region.code] = project
    if with_users:
        _users(report, programme_data, projects_by_region)
    return report
