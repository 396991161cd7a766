"""The planners of the bulk import: rows in, plan out (reads only, never writes).

`plan_rows(kind=, project=, headers=, mapping=, rows=, row_numbers=)` plans every file row
against the hanke's current data with the shared preview (`portal.uploads.preview`): new,
changed field by field, unchanged, or rejected with the column and the reason in the active
language. Each kind is a planner that reads what it compares against once (a context), then
runs one small function per field rule on each row; the row's service payload
(objectives.services.ActionImportRow, measures.services.IndicatorImportRow /
MeasurementImportRow) rides on the plan for the confirmation to write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from measures.choices import Unit
from measures.models import Indicator
from measures.models import Measurement
from measures.services import IndicatorImportRow
from measures.services import MeasurementImportRow
from measures.services import _checked_period
from measures.values import ValueRejected
from measures.values import parse_value
from measures.values import unit_change_problem
from objectives.choices import ActionStatus
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from objectives.services import ActionImportRow
from objectives.status import status_change_problem
from portal.uploads.columns import choice_lookup
from portal.uploads.columns import norm
from portal.uploads.preview import CHANGED
from portal.uploads.preview import NEW
from portal.uploads.preview import Plan
from portal.uploads.preview import RowPlan
from projects.models import Organisation
from projects.models import Project
from projects.models import WorkPackage
from projects.selectors import project_people

from .reader import LIST_SPLIT
from .reader import CellError
from .reader import ImportKind
from .reader import is_generated_source
from .reader import spec

PROGRESS_EVERY = 500  # rows between progress writes: one UPDATE, ~20 per 10 000 rows
_HT_SPLIT = re.compile(r"[,;\s]+")


class Cells:
    """The file's rows as our fields: each row is {key: text}, '' where a cell is empty;
    `headers[key]` is the file's column for a field, `label[key]` our name for it."""

    def __init__(self, kind: str, headers: list[str], mapping: dict[str, str]):
        self.index = {key: headers.index(header) for header, key in mapping.items() if key}
        self.headers = {key: headers[i] for key, i in self.index.items()}
        self.label = {column.key: column.shown() for column in spec(kind)}
        self.parse = {column.key: column.parse for column in spec(kind) if column.parse}

    def rows(self, rows: list[list[str]], numbers: list[int]) -> Iterator[tuple[int, dict]]:
        for number, cells in zip(numbers, rows, strict=True):
            yield number, {key: cells[i].strip() for key, i in self.index.items()}

    def has(self, key: str) -> bool:
        return key in self.index


def plan_rows(
    *,
    kind: str,
    project: Project,
    headers: list[str],
    mapping: dict[str, str],
    rows: list[list[str]],
    row_numbers: list[int],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Plan every row against the current data of `project` (select_related region)."""
    planner = {
        ImportKind.ACTIONS: _ActionPlanner,
        ImportKind.INDICATORS: _IndicatorPlanner,
        ImportKind.MEASUREMENTS: _MeasurementPlanner,
    }[kind]
    cells = Cells(kind, headers, mapping)
    context = planner(project, cells)
    plans = []
    for done, (number, row) in enumerate(cells.rows(rows, row_numbers), start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
        plans.append(context.plan(number, row))
    return Plan(plans)


# --- Shared field rules ----------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _title_field(obj, prefix: str) -> str:
    """The language field a changed title is written to: the one the user reads (their
    language's when it has text, else the Finnish one that `display_name` falls back to)."""
    language = (translation.get_language() or "fi")[:2]
    name = f"{prefix}_{language}"
    return name if language in ("sv", "en") and getattr(obj, name, "") else f"{prefix}_fi"


def _names(*names: str) -> set[str]:
    return {norm(name) for name in names if name}


def _check_project(plan: RowPlan, c: dict, headers: dict, project: Project) -> None:
    """The hanke and region columns, when given, must name this import's hanke."""
    text = c.get("hanke", "")
    hanke = _names(project.name_fi, project.name_sv, project.name_en, project.short_name)
    if text and norm(text) not in hanke:
        plan.reject(
            headers["hanke"],
            _("Unknown hanke “%(name)s”: this import is for %(hanke)s.")
            % {"name": text, "hanke": project.display_name},
        )
    text, region = c.get("region", ""), project.region
    if text and norm(text) not in _names(
        region.name_fi, region.name_sv, region.name_en, region.code
    ):
        plan.reject(
            headers["region"],
            _("Unknown region “%(name)s”: this hanke is in %(region)s.")
            % {"name": text, "region": region.display_name},
        )


def _settle(plan: RowPlan, payload, existing, id_field: str) -> None:
    """New when nothing exists yet; else changed or unchanged, with the (id, version) that
    the confirmation must still find, on the plan and on the service row."""
    if existing is not None:
        plan.target = (existing.pk, existing.version)
        setattr(payload, id_field, existing.pk)
        payload.expected_version = existing.version
    plan.settle(exists=existing is not None)
    plan.payload = payload


def _pairs(through, filters: dict, left: str, right: str) -> dict[int, set[int]]:
    """A many-to-many table as {left id: {right ids}} (one flat read)."""
    found: dict[int, set[int]] = {}
    for a, b in through.objects.filter(**filters).values_list(left, right):
        found.setdefault(a, set()).add(b)
    return found


# --- Actions ---------------------------------------------------------------------------------


@dataclass
class _ActionRow:
    """One action row being planned: its cells, the action it names (None: a new one) and
    the service row the confirmation writes."""

    plan: RowPlan
    c: dict
    action: Action | None
    row: ActionImportRow

    def old(self, attribute: str, default=None):
        return getattr(self.action, attribute) if self.action else default


class _ActionPlanner:
    def __init__(self, project: Project, cells: Cells):
        self.project, self.cells = project, cells
        self.headers, self.label = cells.headers, cells.label
        self.packages = {norm(p.code): p for p in WorkPackage.objects.filter(project=project)}
        self.existing = {
            (a.work_package_id, a.number): a
            for a in Action.objects.filter(project=project).select_related(
                "owner", "responsible_organisation"
            )
        }
        self.seen: dict[tuple, int] = {}
        self.statuses = choice_lookup(ActionStatus)
        self._read_hts(project)
        self._read_people(project)
        self.goals = _GoalMatcher(project) if cells.has("goals") else None
        self.orgs = _organisations(project) if cells.has("responsible_organisation") else {}

    def _read_hts(self, project: Project) -> None:
        # HT tags as id pairs (three flat reads): prefetching them as objects cost seconds.
        action_hts, action_goals = Action.benefit_targets.through, Action.goals.through
        self.own_hts = _pairs(
            action_hts, {"action__project": project}, "action_id", "benefittarget_id"
        )
        goal_hts = _pairs(
            ProcessGoal.benefit_targets.through,
            {"processgoal__project": project},
            "processgoal_id",
            "benefittarget_id",
        )
        self.current_goals = _pairs(
            action_goals, {"action__project": project}, "action_id", "processgoal_id"
        )
        self.inherited_hts = {
            action: set().union(*(goal_hts.get(goal, ()) for goal in goals))
            for action, goals in self.current_goals.items()
        }
        self.hts = {norm(t.code): t for t in BenefitTarget.objects.all()}
        self.hts.update({str(t.number): t for t in self.hts.values()})

    def _read_people(self, project: Project) -> None:
        self.people: dict[str, list] = {}
        owners = {a.owner for a in self.existing.values() if a.owner}
        for user in set(project_people(project=project)) | owners:
            for name in {_person(user), user.get_username()}:
                self.people.setdefault(norm(name), []).append(user)

    def plan(self, number: int, c: dict) -> RowPlan:
        plan = RowPlan(number, f"{c.get('work_package', '')} {c.get('number', '')}".strip())
        _check_project(plan, c, self.headers, self.project)
        key = self._key(plan, c)
        if key is None:
            return plan
        action = self.existing.get(key[:2])
        r = _ActionRow(plan, c, action, ActionImportRow(work_package=key[2], number=key[1]))
        for rule in self.RULES:
            rule(self, r)
        if not plan.rejected:
            _settle(plan, r.row, action, "action_id")
        return plan

    def _key(self, plan: RowPlan, c: dict) -> tuple[int, str, WorkPackage] | None:
        """(package id, number, package) of the row's action; None when it names none or
        an action an earlier row names."""
        package = self._package(plan, c["work_package"])
        number = c["number"]
        if not number:
            plan.reject(self.headers["number"], _("The action number is missing."))
        elif len(number) > 30:
            plan.reject(self.headers["number"], _("At most 30 characters."))
        if package is None or not number:
            return None
        if (package.pk, number) in self.seen:
            plan.reject(
                self.headers["number"],
                _("Row %(row)s has the same work package and action number.")
                % {"row": self.seen[package.pk, number]},
            )
            return None
        self.seen[package.pk, number] = plan.number
        return package.pk, number, package

    def _package(self, plan: RowPlan, code: str) -> WorkPackage | None:
        package = self.packages.get(norm(code)) if code else None
        if not code:
            plan.reject(self.headers["work_package"], _("The work package is missing."))
        elif package is None:
            plan.reject(
                self.headers["work_package"],
                _("No work package “%(code)s” in this hanke.") % {"code": code},
            )
        return package

    def change(self, r: _ActionRow, key: str, model_field: str, old, new, shown=None) -> None:
        r.row.values[model_field] = new
        old_text, new_text = shown or (_text(old), _text(new))
        r.plan.change(self.label[key], old_text, new_text)

    def title(self, r: _ActionRow) -> None:
        title, current = r.c.get("title", ""), r.old("display_name", "")
        if r.action is None and not title:
            r.plan.reject(
                self.headers.get("title", self.label["title"]), _("The title is missing.")
            )
        elif title and (r.action is None or title != current):
            name = "title_fi" if r.action is None else _title_field(r.action, "title")
            self.change(r, "title", name, current, title)

    def dates(self, r: _ActionRow) -> None:
        dates = {}
        for key in ("planned_start", "planned_end"):
            if not self.cells.has(key):
                continue
            try:
                dates[key] = self.cells.parse[key](r.c[key])
            except CellError as exc:
                r.plan.reject(self.headers[key], str(exc))
                continue
            if dates[key] != r.old(key):
                self.change(r, key, key, r.old(key), dates[key])
        start = dates.get("planned_start", r.old("planned_start"))
        end = dates.get("planned_end", r.old("planned_end"))
        if start and end and end < start:
            r.plan.reject(
                self.headers.get("planned_end") or self.headers.get("planned_start"),
                _("The planned end cannot be before the planned start."),
            )

    def schedule(self, r: _ActionRow) -> None:
        if not self.cells.has("schedule"):
            return
        schedule, old = r.c["schedule"], r.old("schedule_text", "")
        if len(schedule) > 100:
            r.plan.reject(self.headers["schedule"], _("At most 100 characters."))
        elif schedule != old:
            self.change(r, "schedule", "schedule_text", old, schedule)

    def status(self, r: _ActionRow) -> None:
        if not (self.cells.has("status") and r.c["status"]):
            return
        status, column = self.statuses.get(norm(r.c["status"])), self.headers["status"]
        if status is None:
            r.plan.reject(
                column,
                _("Unknown status “%(text)s”; use one of: %(choices)s.")
                % {"text": r.c["status"], "choices": ", ".join(map(str, ActionStatus.labels))},
            )
        elif r.action and status_change_problem(old_status=r.action.status, new_status=status):
            r.plan.reject(
                column,
                _(
                    "A status has been recorded for this action: it cannot go back to "
                    "“not reported”."
                ),
            )
        elif status != r.old("status", ActionStatus.NOT_REPORTED):
            r.row.status = status
            old = str(r.action.get_status_display()) if r.action else ""
            r.plan.change(self.label["status"], old, str(ActionStatus(status).label))

    def owner(self, r: _ActionRow) -> None:
        if not self.cells.has("owner"):
            return
        text = r.c["owner"]
        matches = self.people.get(norm(text), []) if text else [None]
        if len(matches) == 1:
            owner, old = matches[0], r.old("owner")
            if owner != old:
                self.change(r, "owner", "owner", None, owner, (_person(old), _person(owner)))
            return
        message = (
            _("No member of this hanke is called “%(name)s”.")
            if not matches
            else _("More than one member of this hanke is called “%(name)s”.")
        )
        r.plan.reject(self.headers["owner"], message % {"name": text})

    def ht(self, r: _ActionRow) -> None:
        """The file lists the action's own and its goals' tags (as the export does); the
        action keeps as its own those its goals do not give it."""
        if not self.cells.has("ht"):
            return
        codes = [code for code in _HT_SPLIT.split(r.c["ht"]) if code]
        unknown = [code for code in codes if norm(code) not in self.hts]
        if unknown:
            r.plan.reject(
                self.headers["ht"],
                _("Unknown benefit target “%(code)s”; use HT1 to HT5.") % {"code": unknown[0]},
            )
            return
        wanted = {self.hts[norm(code)].pk for code in codes}
        pk = r.action.pk if r.action else None
        own, inherited = self.own_hts.get(pk, set()), self.inherited_hts.get(pk, set())
        if wanted == own | inherited or wanted - inherited == own:
            return
        r.row.benefit_target_ids = wanted - inherited
        by_pk = {t.pk: t.code for t in self.hts.values()}
        r.plan.change(
            self.label["ht"],
            ", ".join(sorted(by_pk[p] for p in own | inherited)),
            ", ".join(sorted(by_pk[p] for p in wanted)),
        )

    def goals_rule(self, r: _ActionRow) -> None:
        if self.goals is None:
            return
        wanted: list[ProcessGoal] = []
        for token in (t.strip() for t in LIST_SPLIT.split(r.c["goals"] or "")):
            goal, problem = self.goals.find(token, r.row.work_package) if token else (None, "")
            if problem:
                r.plan.reject(self.headers["goals"], problem)
                return
            wanted += [goal] if goal else []
        old = self.current_goals.get(r.action.pk, set()) if r.action else set()
        if {g.pk for g in wanted} != old:
            r.row.goal_ids = {g.pk for g in wanted}
            r.plan.change(
                self.label["goals"],
                ", ".join(sorted(self.goals.numbers.get(pk, "?") for pk in old)),
                ", ".join(sorted(g.number for g in wanted)),
            )

    def organisation(self, r: _ActionRow) -> None:
        if not self.cells.has("responsible_organisation"):
            return
        text, new = r.c["responsible_organisation"], None
        if text:
            matches = {o.pk: o for o in self.orgs.get(norm(text), [])}
            if len(matches) != 1:
                message = (
                    _("No organisation “%(name)s” in this hanke's region.")
                    if not matches
                    else _("More than one organisation is called “%(name)s”.")
                )
                r.plan.reject(self.headers["responsible_organisation"], message % {"name": text})
                return
            new = next(iter(matches.values()))
        old = r.old("responsible_organisation")
        if (new.pk if new else None) != (old.pk if old else None):
            r.row.values["responsible_organisation"] = new
            r.plan.change(
                self.label["responsible_organisation"],
                old.display_name if old else "",
                new.display_name if new else "",
            )

    RULES = (title, dates, schedule, status, owner, ht, goals_rule, organisation)


class _GoalMatcher:
    """The hanke's live goals by number and by title (two dicts, one query): a file names a
    goal by its number ("T2", "1.3") or its title in any language."""

    def __init__(self, project: Project):
        self.by_number: dict[str, list[ProcessGoal]] = {}
        self.by_title: dict[str, list[ProcessGoal]] = {}
        self.numbers: dict[int, str] = {}
        live = ProcessGoal.objects.filter(project=project, retired_on__isnull=True)
        for goal in live.select_related("work_package"):
            self.numbers[goal.pk] = goal.number
            self.by_number.setdefault(norm(goal.number), []).append(goal)
            for title in {goal.title_fi, goal.title_sv, goal.title_en} - {""}:
                self.by_title.setdefault(norm(title), []).append(goal)

    def find(self, text: str, package: WorkPackage) -> tuple[ProcessGoal | None, str]:
        """The goal `text` names, or None and why. Numbers repeat across work packages, so
        one in the action's own package wins; more than one left is ambiguous."""
        found = self.by_number.get(norm(text)) or self.by_title.get(norm(text)) or []
        if len(found) > 1:
            found = [g for g in found if g.work_package_id == package.pk] or found
        if not found:
            return None, _("No process goal “%(goal)s” in this hanke.") % {"goal": text}
        if len(found) > 1:
            numbers = ", ".join(f"{g.work_package.code} {g.number}" for g in found[:3])
            return None, _(
                "More than one process goal matches “%(goal)s” (%(found)s): use its title."
            ) % {"goal": text, "found": numbers}
        return found[0], ""


def _organisations(project: Project) -> dict[str, list[Organisation]]:
    """Organisations by name in any language (one query): those of the hanke's region, its
    coordinator and participants; a file names one as the plan writes it."""
    found: dict[str, list[Organisation]] = {}
    candidates = Organisation.objects.filter(
        Q(region_id=project.region_id) | Q(pk=project.coordinator_id) | Q(projects=project)
    ).distinct()
    for org in candidates:
        for name in {org.name_fi, org.name_sv, org.name_en} - {""}:
            found.setdefault(norm(name), []).append(org)
    return found


# --- Indicators ------------------------------------------------------------------------------


@dataclass
class _IndicatorRow:
    plan: RowPlan
    c: dict
    indicator: Indicator | None
    row: IndicatorImportRow
    parsed: dict[str, Any] = field(default_factory=dict)
    unit: str | None = None

    def signature(self) -> tuple:
        """What a later row with the same code must repeat (the export repeats an indicator
        on each of its measurement rows)."""
        p = self.parsed
        targets = tuple(sorted((p.get("targets") or {}).items()))
        return (
            self.c.get("name", ""),
            self.unit,
            p.get("baseline"),
            p.get("final_target"),
            targets,
        )


class _IndicatorPlanner:
    def __init__(self, project: Project, cells: Cells):
        self.project, self.cells = project, cells
        self.headers, self.label = cells.headers, cells.label
        self.existing = {
            norm(i.code): i
            for i in Indicator.objects.filter(project=project).prefetch_related("targets")
        }
        self.with_values = set(
            Measurement.objects.filter(indicator__project=project).values_list(
                "indicator_id", flat=True
            )
        )
        self.units = choice_lookup(Unit)
        self.seen: dict[str, tuple[int, tuple]] = {}

    def plan(self, number: int, c: dict) -> RowPlan:
        code = c["code"]
        plan = RowPlan(number, code)
        _check_project(plan, c, self.headers, self.project)
        if not code or len(code) > 30:
            message = (
                _("The indicator code is missing.") if not code else _("At most 30 characters.")
            )
            plan.reject(self.headers["code"], message)
            return plan
        indicator = self.existing.get(norm(code))
        r = _IndicatorRow(plan, c, indicator, IndicatorImportRow(code=code))
        self.parse(r)
        if self.repeated(r) or plan.rejected:
            return plan
        for rule in self.CHANGES:
            rule(self, r)
            if plan.rejected:
                return plan
        _settle(plan, r.row, indicator, "indicator_id")
        return plan

    def parse(self, r: _IndicatorRow) -> None:
        """Read the row's numbers, targets and unit; a new indicator needs a unit and a name."""
        for key in ("baseline", "final_target", "targets"):
            self._parse(r, key)
        if self.cells.has("unit") and r.c["unit"]:
            r.unit = self.units.get(norm(r.c["unit"]))
            if r.unit is None:
                r.plan.reject(
                    self.headers["unit"],
                    _("Unknown unit “%(text)s”; use one of: %(choices)s.")
                    % {"text": r.c["unit"], "choices": ", ".join(map(str, Unit.labels))},
                )
        if r.indicator is None and not r.unit and not r.plan.rejected:
            column = self.headers.get("unit", self.label.get("code"))
            r.plan.reject(column, _("The unit is missing."))
        if r.indicator is None and not r.c.get("name", ""):
            r.plan.reject(self.headers.get("name", self.headers["code"]), _("The name is missing."))

    def _parse(self, r: _IndicatorRow, key: str) -> None:
        if not self.cells.has(key):
            return
        try:
            r.parsed[key] = self.cells.parse[key](r.c[key])
        except CellError as exc:
            r.plan.reject(self.headers[key], str(exc))

    def repeated(self, r: _IndicatorRow) -> bool:
        """A code an earlier row had: fine with the same values (noted), else rejected."""
        code = norm(r.row.code)
        if code not in self.seen:
            self.seen[code] = (r.plan.number, r.signature())
            return False
        first, signature = self.seen[code]
        if signature != r.signature():
            r.plan.reject(
                self.headers["code"],
                _("Row %(row)s has the same indicator code with other values.") % {"row": first},
            )
        else:
            r.plan.note = _("Same as row %(row)s.") % {"row": first}
        return True

    def name(self, r: _IndicatorRow) -> None:
        name, indicator = r.c.get("name", ""), r.indicator
        if name and (indicator is None or name != indicator.display_name):
            field_name = "name_fi" if indicator is None else _title_field(indicator, "name")
            r.row.values[field_name] = name
            r.plan.change(self.label["name"], indicator.display_name if indicator else "", name)

    def unit(self, r: _IndicatorRow) -> None:
        indicator, unit = r.indicator, r.unit
        if not unit or (indicator is not None and unit == indicator.unit):
            return
        problem = unit_change_problem(
            old_unit=indicator.unit if indicator else None,
            new_unit=unit,
            has_values=indicator is not None and indicator.pk in self.with_values,
        )
        if problem:
            r.plan.reject(self.headers["unit"], problem)
            return
        r.row.values["unit"] = unit
        old = str(indicator.get_unit_display()) if indicator else ""
        r.plan.change(self.label["unit"], old, str(Unit(unit).label))

    def baseline(self, r: _IndicatorRow) -> None:
        if "baseline" not in r.parsed:
            return
        old, new = (r.indicator.baseline_value if r.indicator else None), r.parsed["baseline"]
        if new != old:
            r.row.values["baseline_value"] = new
            r.plan.change(self.label["baseline"], _text(old), _text(new))

    def final_target(self, r: _IndicatorRow) -> None:
        new = r.parsed.get("final_target")
        if new is None:
            return
        target = r.indicator.final_target if r.indicator else None
        old = target.value if target else None
        if new != old:
            r.row.final_target = new
            r.plan.change(self.label["final_target"], _text(old), _text(new))

    def targets(self, r: _IndicatorRow) -> None:
        """The yearly targets that differ from the stored ones (others are left as they are)."""
        targets = r.parsed.get("targets")
        if not targets:
            return
        stored = {t.target_date: t.value for t in r.indicator.targets.all()} if r.indicator else {}
        changed = {day: value for day, value in targets.items() if stored.get(day) != value}
        if not changed:
            return
        r.row.targets = changed
        r.plan.change(
            self.label["targets"],
            "; ".join(f"{d.year}: {_text(stored[d])}" for d in sorted(changed) if d in stored),
            "; ".join(f"{d.year}: {_text(v)}" for d, v in sorted(changed.items())),
        )

    CHANGES = (name, unit, baseline, final_target, targets)


# --- Measurements ----------------------------------------------------------------------------


class _MeasurementPlanner:
    def __init__(self, project: Project, cells: Cells):
        self.project, self.headers, self.label = project, cells.headers, cells.label
        self.parse_period = cells.parse["period"]
        self.indicators = {
            norm(i.code): i
            for i in Indicator.objects.filter(project=project).select_related("project__programme")
        }
        self.existing = {
            (m.indicator_id, m.period): m
            for m in Measurement.objects.filter(indicator__project=project)
        }
        self.seen: dict[tuple, int] = {}

    def plan(self, number: int, c: dict) -> RowPlan:
        plan = RowPlan(number, f"{c['code']} {c['period']}".strip())
        _check_project(plan, c, self.headers, self.project)
        indicator = self.indicator(plan, c["code"])
        if self.skipped(plan, c):
            return plan
        period = self.period(plan, c["period"])
        if indicator is None or period is None:
            return plan
        value, key = self.value_and_key(plan, indicator, period, c["value"])
        if value is None or self.repeated(plan, key):
            return plan
        current = self.existing.get(key)
        plan.payload = MeasurementImportRow(
            indicator=indicator,
            period=period,
            raw_value=c["value"],
            expected_version=current.version if current else 0,
        )
        self.compare(plan, current, value)
        return plan

    def value_and_key(self, plan: RowPlan, indicator: Indicator, period: date, text: str):
        """The value as the unit reads it and (indicator, period end); (None, None) and the
        row rejected when the unit refuses the value or the period is outside the hanke."""
        try:
            parsed = parse_value(text, indicator.unit)
            return parsed.value, (indicator.pk, _checked_period(indicator, period))
        except ValueRejected as exc:
            plan.reject(self.headers["value"], str(exc))
        except ValidationError as exc:
            plan.reject(self.headers["period"], exc.message_dict["period"][0])
        return None, None

    def indicator(self, plan: RowPlan, code: str) -> Indicator | None:
        indicator = self.indicators.get(norm(code)) if code else None
        if not code:
            plan.reject(self.headers["code"], _("The indicator code is missing."))
        elif indicator is None:
            message = _("No indicator “%(code)s” in this hanke.") % {"code": code}
            plan.reject(self.headers["code"], message)
        return indicator

    def skipped(self, plan: RowPlan, c: dict) -> bool:
        """A row without a value, or a value generated for the demo: noted, not imported."""
        if not c["period"] and not c["value"]:
            note = _("No value on this row.")
        elif is_generated_source(c.get("source", "")):
            note = _("A value generated for the demo: not imported.")
        else:
            return False
        if not plan.rejected:
            plan.note = note
        return True

    def period(self, plan: RowPlan, text: str) -> date | None:
        try:
            period = self.parse_period(text)
        except CellError as exc:
            plan.reject(self.headers["period"], str(exc))
            return None
        if period is None and not plan.rejected:
            plan.reject(self.headers["period"], _("The period is missing."))
        return period

    def repeated(self, plan: RowPlan, key: tuple) -> bool:
        if key not in self.seen:
            self.seen[key] = plan.number
            return False
        plan.reject(
            self.headers["period"],
            _("Row %(row)s has a value for the same indicator and period.")
            % {"row": self.seen[key]},
        )
        return True

    def compare(self, plan: RowPlan, current: Measurement | None, value: Decimal) -> None:
        if current is None:
            plan.outcome = NEW
            plan.change(self.label["value"], "", _text(value))
            return
        plan.target = (current.pk, current.version)
        if value != current.value:
            plan.outcome = CHANGED
            plan.change(self.label["value"], _text(current.value), _text(value))
