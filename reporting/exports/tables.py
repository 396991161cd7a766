"""The regional report of one hanke as tables: one column schema per table, for XLSX and CSV.

- `project_report(project=…)` reads everything a report shows, set-based: a fixed number of
  queries whatever the size of the hanke. Lights are the newest stored ones (`CurrentLight`
  for actions, goals, work packages and the hanke; `IndicatorProgress` for indicators).
- One django-import-export `Resource` per table declares the columns (translated labels,
  widgets). The same resource exports the rows for both formats: with native values for
  XLSX (real date and number cells) and rendered as text for CSV.
- `report_xlsx` writes the workbook with openpyxl; `report_csv` writes one table.

The schema of every table is documented in docs/exports.md; keep the two in step.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal

from django.db.models import Max
from django.db.models import Prefetch
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export import widgets
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import get_column_letter

from measures.choices import MeasurementSource
from measures.choices import Unit
from measures.models import Indicator
from measures.models import IndicatorProgress
from measures.models import Measurement
from measures.models import RollupKind
from measures.selectors import stored_lights_by_kind
from objectives.choices import ActionStatus
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from objectives.models import StatusUpdate
from portal.lights import ACTION_LABELS
from portal.lights import COLOURS
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import action_count_label
from portal.lights import action_label
from projects.models import BudgetLine
from projects.models import Project
from projects.models import Risk
from projects.models import WorkPackage

# --- Widgets: native values for XLSX, text for CSV ----------------------------------------
#
# django-import-export renders every cell through its field's widget (`Widget.render`, its
# documented extension point). `resource.export(rows, force_native_type=True)` (the XLSX)
# keeps dates and numbers native; the CSVs get text: `finnish=True` (the `;` CSV for Finnish
# Excel) renders dates as d.m.yyyy and decimals with a comma, which Finnish Excel reads as
# dates and numbers; the default CSV is for machines: ISO dates (yyyy-mm-dd), a decimal point.
#
# In XLSX every date and number cell gets an Excel number format (`excel_format`): Excel's
# built-in short date (format 14) and date-time (22), which Excel and LibreOffice show in the
# reader's own locale, and number formats whose separators (`#,##0.00`) Excel replaces with
# the reader's; euros and percentages carry their sign.

DATE_FORMAT = BUILTIN_FORMATS[14]  # "mm-dd-yy": the reader's short date (d.m.yyyy in fi)
DATETIME_FORMAT = BUILTIN_FORMATS[22]  # "m/d/yy h:mm": the reader's short date and time
MAX_DECIMALS = 4  # the decimal places of stored values (measures.models)


class ReportDateWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        if value is None:
            return ""
        if isinstance(value, datetime):
            if kwargs.get("finnish"):
                return f"{value.day}.{value.month}.{value.year} {value:%H:%M}"
            return value.strftime("%Y-%m-%d %H:%M")
        if kwargs.get("finnish"):
            return f"{value.day}.{value.month}.{value.year}"
        return value.isoformat()

    def excel_format(self, value, row) -> str:
        return DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT


def _english() -> bool:
    return (translation.get_language() or "fi")[:2] == "en"


def euro_format(decimals: int = 2) -> str:
    """Euros as Excel shows them in the reader's language: "1 234,50 €" (fi, sv), "€1,234.50"."""
    number = number_format(decimals)
    return f'"€"{number}' if _english() else f'{number}\\ "€"'


def decimals_of(value) -> int:
    """The decimals a stored value has (Decimal("12.50") → 1, 3 → 0), at most MAX_DECIMALS."""
    if isinstance(value, Decimal) and value.is_finite():
        return min(max(-value.normalize().as_tuple().exponent, 0), MAX_DECIMALS)
    if isinstance(value, float):
        return min(len(repr(value).partition(".")[2].rstrip("0")), MAX_DECIMALS)
    return 0


def number_format(decimals: int) -> str:
    """Grouped digits and `decimals` decimals: "#,##0.00" (Excel shows the reader's separators)."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


class ReportNumberWidget(widgets.Widget):
    """A number; `kind` picks its Excel format: "code" (ids and years, no grouping), "count",
    "decimal" (its own decimals), "euro", or "quantity" (an indicator value: its own
    decimals and the sign of the row's `unit_code`, "12,5 %" or "1 200 €")."""

    def __init__(self, kind: str = "decimal"):
        super().__init__()
        self.kind = kind

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        if value is None:
            return ""
        text = format(value.normalize() if isinstance(value, Decimal) else value, "f")
        return text.replace(".", ",") if kwargs.get("finnish") else text

    def excel_format(self, value, row) -> str:
        if self.kind == "code":
            return BUILTIN_FORMATS[1]  # "0": 2024, not "2 024"
        if self.kind == "count":
            return BUILTIN_FORMATS[3]  # "#,##0"
        if self.kind == "euro":
            return euro_format()
        decimals = decimals_of(value)
        unit = getattr(row, "unit_code", "") if self.kind == "quantity" else ""
        if unit == Unit.EURO:
            return euro_format(decimals)
        number = number_format(decimals)
        if unit == Unit.PERCENT:
            # A literal sign (quoted): the cell holds 12.5, as the CSV and the portal do.
            return number + ('"%"' if _english() else '\\ "%"')
        return number


# Text that a spreadsheet would run as a formula (CSV injection): in CSV such a cell gets a
# leading apostrophe, which Excel hides; in XLSX it is written as a text cell (write_table_sheet).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ReportTextWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        text = "" if value is None else str(value)
        if not kwargs.get("force_native_type") and text.startswith(FORMULA_STARTS):
            return "'" + text
        return text


class Text(Field):
    """A column of text; `attribute` is the row's attribute it shows (the column's own name in
    a ReportResource when not given)."""

    def __init__(self, label, attribute: str | None = None) -> None:
        super().__init__(attribute=attribute, column_name=label, widget=ReportTextWidget())


class Date(Field):
    def __init__(self, label, attribute: str | None = None) -> None:
        super().__init__(attribute=attribute, column_name=label, widget=ReportDateWidget())


class Number(Field):
    """A column of numbers drawn as `kind` says (ReportNumberWidget)."""

    def __init__(self, label, kind: str = "decimal", attribute: str | None = None) -> None:
        super().__init__(attribute=attribute, column_name=label, widget=ReportNumberWidget(kind))


class ReportResource(resources.Resource):
    """The column schema of a table: each column reads the row's attribute of its own name
    unless it names another one."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name, column in cls.fields.items():
            column.attribute = column.attribute or name


def light_columns() -> tuple[Field, Field, Field]:
    """The three columns of a row's light (label, symbol, reason), in that order."""
    return (
        Text(gettext_lazy("Light"), "light__label"),
        Text(gettext_lazy("Light symbol"), "light__symbol"),
        Text(gettext_lazy("Reason for the light"), "light__reason"),
    )


def measurement_columns() -> tuple[Field, ...]:
    """The seven columns of an indicator measurement, in this order: code, name, unit,
    period, value, the value's source, baseline (the regional report's and the national
    extract's; each reads the attribute it is assigned to in the resource)."""
    return (
        Text(gettext_lazy("Indicator code")),
        Text(gettext_lazy("Indicator")),
        Text(gettext_lazy("Unit")),
        Date(gettext_lazy("Period end")),
        Number(gettext_lazy("Value"), "quantity"),
        Text(gettext_lazy("Source of the value")),
        Number(gettext_lazy("Baseline"), "quantity"),
    )


# --- Rows ----------------------------------------------------------------------------------


@dataclass
class LightCells:
    """A light as the three cells every table carries: label, symbol, reason."""

    light: Light
    label: str
    symbol: str
    reason: str

    @classmethod
    def of(cls, assessment: Assessment | None, *, action: bool = False) -> LightCells:
        light = assessment.light if assessment else Light.GREY
        if assessment and action:
            label = action_label(assessment)
        else:
            label = ACTION_LABELS[light] if action else light.label
        reason = assessment.reason.text if assessment else ""
        return cls(light, str(label), light.symbol, reason)


@dataclass
class ActionRow:
    region: str
    hanke: str
    work_package: str
    number: str
    title: str
    ht: str
    schedule: str
    planned_start: date | None
    planned_end: date | None
    status: str
    light: LightCells
    owner: str
    last_update: datetime | None


@dataclass
class PlanRow:
    """A work package or a process goal (the work breakdown, top-down)."""

    kind: str
    code: str
    work_package: str
    title: str
    ht: str
    light: LightCells


@dataclass
class IndicatorRow:
    hanke: str
    code: str
    name: str
    unit: str
    unit_code: str  # a measures.choices.Unit: the Excel format of the values (not a column)
    period: date | None
    value: Decimal | None
    source: str  # MeasurementSource label: "Demo value (generated, not real)", "Sotkanet"…
    baseline: Decimal | None
    final_target: Decimal | None
    light: LightCells


@dataclass
class BudgetRow:
    year: int | None
    category: str
    line: str
    amount: Decimal | None
    person_years: Decimal | None
    funded_elsewhere: str
    note: str


@dataclass
class RiskRow:
    title: str
    likelihood: int | None
    impact: int | None
    mitigation: str
    owner: str
    status: str


@dataclass
class ProjectReport:
    project: Project
    light: LightCells
    generated_at: datetime
    generated_by: str
    actions: list[ActionRow]
    plan: list[PlanRow]
    indicators: list[IndicatorRow]
    budget: list[BudgetRow] = field(default_factory=list)
    risks: list[RiskRow] = field(default_factory=list)

    @property
    def action_counts(self) -> list[tuple[Light, int]]:
        """Actions per light, in the order of the Light enum (zeros included)."""
        counts = Counter(row.light.light for row in self.actions)
        return [(light, counts.get(light, 0)) for light in Light]


# --- Resources: the column schema of each table -------------------------------------------


class ActionResource(ReportResource):
    region = Text(gettext_lazy("Region"))
    hanke = Text(gettext_lazy("Hanke"))
    work_package = Text(gettext_lazy("Work package"))
    number = Text(gettext_lazy("Action number"))
    title = Text(gettext_lazy("Action"))
    ht = Text(gettext_lazy("Benefit targets (HT)"))
    schedule = Text(gettext_lazy("Schedule as written"))
    planned_start = Date(gettext_lazy("Planned start"))
    planned_end = Date(gettext_lazy("Planned end"))
    status = Text(gettext_lazy("Status"))
    light, light_symbol, light_reason = light_columns()
    owner = Text(gettext_lazy("Owner"))
    last_update = Date(gettext_lazy("Last status update"))


class PlanResource(ReportResource):
    kind = Text(gettext_lazy("Level"))
    code = Text(gettext_lazy("Code or number"))
    work_package = Text(gettext_lazy("Work package"))
    title = Text(gettext_lazy("Title"))
    ht = Text(gettext_lazy("Benefit targets (HT)"))
    light, light_symbol, light_reason = light_columns()


class IndicatorResource(ReportResource):
    hanke = Text(gettext_lazy("Hanke"))
    code, name, unit, period, value, source, baseline = measurement_columns()
    final_target = Number(gettext_lazy("Final target"), "quantity")
    light, light_symbol, light_reason = light_columns()


class BudgetResource(ReportResource):
    year = Number(gettext_lazy("Year"), "code")
    category = Text(gettext_lazy("Category"))
    line = Text(gettext_lazy("Budget line"))
    amount = Number(gettext_lazy("Amount (€)"), "euro")
    person_years = Number(gettext_lazy("Person-years"))
    funded_elsewhere = Text(gettext_lazy("Funded from another source"))
    note = Text(gettext_lazy("Note"))


class RiskResource(ReportResource):
    title = Text(gettext_lazy("Risk"))
    likelihood = Number(gettext_lazy("Likelihood (1–5)"), "code")
    impact = Number(gettext_lazy("Impact (1–5)"), "code")
    mitigation = Text(gettext_lazy("Mitigation"))
    owner = Text(gettext_lazy("Owner"))
    status = Text(gettext_lazy("Status"))


@dataclass(frozen=True)
class Table:
    key: str  # the URL name of the table: /raportti/<key>.csv
    title: object  # lazy: the sheet name in the user's language
    resource: type[resources.Resource]
    rows: str  # the attribute of ProjectReport holding the rows
    optional: bool = False  # a sheet only when there are rows


TABLES: dict[str, Table] = {
    table.key: table
    for table in (
        Table("plan", gettext_lazy("Work packages and goals"), PlanResource, "plan"),
        Table("actions", gettext_lazy("Actions"), ActionResource, "actions"),
        Table("indicators", gettext_lazy("Indicators"), IndicatorResource, "indicators"),
        Table("budget", gettext_lazy("Budget"), BudgetResource, "budget", optional=True),
        Table("risks", gettext_lazy("Risks"), RiskResource, "risks", optional=True),
    )
}


# --- The selector --------------------------------------------------------------------------


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _codes(targets) -> list[str]:
    return [t.code for t in sorted(targets, key=lambda t: t.number)]


def _local(value: datetime | None) -> datetime | None:
    """Local wall-clock time without a zone: what a spreadsheet cell can hold."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def project_report(*, project: Project, user) -> ProjectReport:
    """Everything the regional report of one hanke shows (14 queries, whatever its size).

    The caller has already checked that `user` may export `project` (`Perm.EXPORT`); the
    project must come with its region loaded (`projects.selectors.project_get`).
    """
    hanke, region = project.display_name, project.region.display_name
    live = {"project": project, "retired_on__isnull": True}  # the plan as it stands today
    packages = list(WorkPackage.objects.filter(**live).order_by("order", "code", "id"))
    goals = list(
        ProcessGoal.objects.filter(**live)
        .prefetch_related(Prefetch("benefit_targets", queryset=BenefitTarget.objects.all()))
        .order_by("work_package__order", "order", "id")
    )
    actions = list(
        Action.objects.filter(**live)
        .select_related("work_package", "owner")
        .order_by("work_package__order", "order", "id")
    )
    # The actions' own HT tags as (action, code) pairs: a prefetch built a model instance
    # per link, a sixth of the time of reading a 10 000-action hanke.
    action_own_hts: dict[int, set[str]] = {}
    for action_id, code in Action.benefit_targets.through.objects.filter(
        action__project=project
    ).values_list("action_id", "benefittarget__code"):
        action_own_hts.setdefault(action_id, set()).add(code)
    goal_links = Action.goals.through.objects.filter(action__project=project).values_list(
        "action_id", "processgoal_id"
    )
    lights = stored_lights_by_kind(
        {
            RollupKind.ACTION: [a.pk for a in actions],
            RollupKind.GOAL: [g.pk for g in goals],
            RollupKind.WORK_PACKAGE: [p.pk for p in packages],
            RollupKind.PROJECT: [project.pk],
        }
    )
    last_updates = dict(
        StatusUpdate.objects.filter(action__project=project)
        .values("action_id")
        .annotate(last=Max("created_at"))
        .values_list("action_id", "last")
    )

    package_code = {p.pk: p.code for p in packages}
    # Labels looked up once: get_status_display() hashes the lazy choices on every call,
    # which was 40 % of reading a 10 000-action hanke (bench/exports.py).
    status_labels = _labels(ActionStatus)
    goal_hts = {g.pk: _codes(g.benefit_targets.all()) for g in goals}
    hts_of_action: dict[int, set[str]] = {}
    for action_id, goal_id in goal_links:
        hts_of_action.setdefault(action_id, set()).update(goal_hts.get(goal_id, []))

    action_rows = []
    for action in actions:
        # An action's HTs: its own tags and those of the goals it serves.
        hts = hts_of_action.get(action.pk, set()) | action_own_hts.get(action.pk, set())
        action_rows.append(
            ActionRow(
                region=region,
                hanke=hanke,
                work_package=action.work_package.code,
                number=action.number,
                title=action.display_name,
                ht=", ".join(sorted(hts)),
                schedule=action.schedule_text,
                planned_start=action.planned_start,
                planned_end=action.planned_end,
                status=status_labels.get(action.status, action.status),
                light=LightCells.of(lights[RollupKind.ACTION].get(action.pk), action=True),
                owner=_person(action.owner),
                last_update=_local(last_updates.get(action.pk)),
            )
        )

    plan_rows = []
    goals_of_package: dict[int, list[ProcessGoal]] = {}
    for goal in goals:
        goals_of_package.setdefault(goal.work_package_id, []).append(goal)
    for package in packages:
        plan_rows.append(
            PlanRow(
                kind=_("Work package"),
                code=package.code,
                work_package=package_code.get(package.parent_id, ""),
                title=package.display_name,
                ht="",
                light=LightCells.of(lights[RollupKind.WORK_PACKAGE].get(package.pk)),
            )
        )
        for goal in goals_of_package.get(package.pk, []):
            plan_rows.append(
                PlanRow(
                    kind=_("Process goal"),
                    code=goal.number,
                    work_package=package.code,
                    title=goal.display_name,
                    ht=", ".join(goal_hts[goal.pk]),
                    light=LightCells.of(lights[RollupKind.GOAL].get(goal.pk)),
                )
            )

    return ProjectReport(
        project=project,
        light=LightCells.of(lights[RollupKind.PROJECT].get(project.pk)),
        generated_at=_local(timezone.now()),
        generated_by=_person(user),
        actions=action_rows,
        plan=plan_rows,
        indicators=_indicator_rows(project, hanke),
        budget=[
            BudgetRow(
                year=b.year,
                category=str(b.get_category_display()),
                line=b.line,
                amount=b.amount,
                person_years=b.person_years,
                funded_elsewhere=_("Yes") if b.funded_elsewhere else _("No"),
                note=b.note,
            )
            for b in BudgetLine.objects.filter(project=project).order_by("year", "category", "id")
        ],
        risks=[
            RiskRow(
                title=r.title,
                likelihood=r.likelihood,
                impact=r.impact,
                mitigation=r.mitigation,
                owner=_person(r.owner) or r.owner_text,
                status=str(r.get_status_display()),
            )
            for r in Risk.objects.filter(project=project).select_related("owner").order_by("id")
        ],
    )


def generated_light(cells: LightCells) -> LightCells:
    """The light's cells with its reason saying that it rests on a generated value."""
    note = _("rests on a value generated for the demo, not on a measurement")
    reason = f"{cells.reason} – {note}" if cells.reason else note
    return LightCells(cells.light, cells.label, cells.symbol, reason)


def _indicator_rows(project: Project, hanke: str) -> list[IndicatorRow]:
    """One row per measurement, with its source ("Demo value (generated, not real)" for a
    generated one); an indicator without measurements still gets one row. The light's
    reason says so when the value it rests on (its latest period) was generated."""
    indicators = list(
        Indicator.objects.filter(project=project, retired_on__isnull=True)
        .prefetch_related("targets")
        .order_by("order", "code")
    )
    progress = {
        p.indicator_id: p for p in IndicatorProgress.objects.filter(indicator__project=project)
    }
    measurements: dict[int, list[Measurement]] = {}
    for m in Measurement.objects.filter(indicator__project=project).order_by("period"):
        measurements.setdefault(m.indicator_id, []).append(m)
    rows = []
    unit_labels = _labels(Unit)
    source_labels = _labels(MeasurementSource)
    for indicator in indicators:
        target = indicator.final_target
        stored = progress.get(indicator.pk)
        values = measurements.get(indicator.pk) or []
        light = LightCells.of(stored.assessment if stored else None)
        if stored and any(m.is_demo and m.period == stored.latest_period for m in values):
            light = generated_light(light)
        common = dict(
            hanke=hanke,
            code=indicator.code,
            name=indicator.display_name,
            unit=unit_labels.get(indicator.unit, indicator.unit),
            unit_code=indicator.unit,
            baseline=indicator.baseline_value,
            final_target=target.value if target else None,
            light=light,
        )
        for m in values or [None]:
            rows.append(
                IndicatorRow(
                    period=m.period if m else None,
                    value=m.value if m else None,
                    source=source_labels.get(m.source, m.source) if m else "",
                    **common,
                )
            )
    return rows


# --- Writers ---------------------------------------------------------------------------------

# Cell fills of the lights: their tints (portal/lights.py COLOURS, as on the pages), so black
# text stays readable on them; the label and symbol are in the cells too (never colour alone).
LIGHT_FILLS = {light: colours.tint.lstrip("#").upper() for light, colours in COLOURS.items()}


def report_csv(
    report: ProjectReport, key: str, *, semicolon: bool = False, bom: bool = False
) -> bytes:
    """One table as CSV: `,` and machine formats by default; `;` with Finnish Excel formats."""
    table = TABLES[key]
    return rows_csv(table.resource, getattr(report, table.rows), semicolon=semicolon, bom=bom)


def rows_csv(
    resource_class: type[resources.Resource],
    rows: list,
    *,
    semicolon: bool = False,
    bom: bool = False,
) -> bytes:
    """Rows as CSV through their Resource (shared by the regional report and national extract)."""
    dataset = resource_class().export(rows, finnish=semicolon)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow(dataset.headers)
    writer.writerows(dataset)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


# progress(rows written, rows in all): called while a workbook is written (export jobs).
Progress = Callable[[int, int], None]


def report_xlsx(report: ProjectReport, *, progress: Progress | None = None) -> bytes:
    """The whole report as a workbook: a summary sheet, then one sheet per table."""
    book = Workbook(write_only=True)
    _summary_sheet(book.create_sheet(_sheet_title(_("Summary"))), report)
    tables = [
        (table, getattr(report, table.rows))
        for table in TABLES.values()
        if not table.optional or getattr(report, table.rows)
    ]
    counter = RowCounter(sum(len(rows) for _table, rows in tables), progress)
    for table, rows in tables:
        sheet = book.create_sheet(_sheet_title(table.title))
        write_table_sheet(sheet, table.resource, rows, counter=counter)
    return workbook_bytes(book)


def workbook_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class RowCounter:
    """Counts written rows over several sheets and reports every `step` rows."""

    def __init__(self, total: int, progress: Progress | None, step: int = 250):
        self.total, self.progress, self.step, self.done = total, progress, step, 0

    def add(self, rows: int = 1) -> None:
        self.done += rows
        if self.progress and (self.done % self.step == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def _sheet_title(title) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet name.
    text = str(title)
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31]


def _fill(light: Light):
    colour = LIGHT_FILLS[light]
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _bold():
    return Font(bold=True)


def _cell(sheet, value, *, bold: bool = False, fill=None, number_format: str | None = None):
    """A styled cell of a write-only sheet (plain values are appended as they are)."""
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _bold()
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    return cell


def _count(sheet, value: int):
    return _cell(sheet, value, number_format=BUILTIN_FORMATS[3])


def _summary_sheet(sheet, report: ProjectReport) -> None:
    project = report.project
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 60
    sheet.append([_cell(sheet, _("Regional report"), bold=True), ""])
    light = f"{report.light.symbol} {report.light.label}"
    rows = [
        (_("Hanke"), project.display_name),
        (_("Region"), project.region.display_name),
        (_("Light"), _cell(sheet, light, fill=_fill(report.light.light))),
        (_("Reason for the light"), report.light.reason),
        (_("Generated"), _cell(sheet, report.generated_at, number_format=DATETIME_FORMAT)),
        (_("Generated by"), report.generated_by),
        (_("Actions"), _count(sheet, len(report.actions))),
    ]
    for label, value in rows:
        sheet.append([label, value])
    sheet.append([])
    sheet.append(
        [_cell(sheet, _("Actions by light"), bold=True), _cell(sheet, _("Count"), bold=True)]
    )
    for light, count in report.action_counts:
        label = f"{light.symbol} {action_count_label(light)}"
        sheet.append([_cell(sheet, label, fill=_fill(light)), _count(sheet, count)])


def write_table_sheet(
    sheet,
    resource_class: type[resources.Resource],
    rows: list,
    *,
    counter: RowCounter | None = None,
) -> None:
    """One table on a write-only sheet: bold frozen header, native cells, light fills,
    widths and a filter. A row with a `light` (LightCells) gets the light's fill on its label
    cell. Each date and number cell gets the Excel number format its column's
    widget gives it (`excel_format`), so it shows in the reader's locale.

    Write-only (streaming) sheets: a 10 000-row sheet took ~4× longer in a normal workbook,
    where every cell is an object kept in memory. Widths must be set before the rows are
    written, so they come from a first pass over the values.
    """
    resource = resource_class()
    dataset = resource.export(rows, force_native_type=True)
    headers = list(dataset.headers)
    widget_of = {str(f.column_name): f.widget for f in resource.fields.values()}
    formats = [getattr(widget_of[h], "excel_format", None) for h in headers]
    light = resource.fields.get("light")
    light_index = headers.index(str(light.column_name)) if light else None
    widths = [len(h) for h in headers]
    for values in dataset:
        for index, value in enumerate(values):
            if isinstance(value, datetime):
                width = 16
            elif isinstance(value, date):
                width = 10
            else:
                width = len(str(value)) if value is not None else 0
            if width > widths[index]:
                widths[index] = width
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 6) + 2, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    fills = {light: _fill(light) for light in Light}
    for row, values in zip(rows, dataset, strict=True):
        cells = list(values)
        for index, value in enumerate(cells):
            if value is None or value == "":
                continue
            if formats[index] is not None:
                cells[index] = _cell(sheet, value, number_format=formats[index](value, row))
            elif isinstance(value, str) and value.startswith("="):
                cell = _cell(sheet, value)
                cell.data_type = "s"  # a title like "=HYPERLINK(…)" stays text
                cells[index] = cell
        if light_index is not None:
            cells[light_index] = _cell(sheet, cells[light_index], fill=fills[row.light.light])
        sheet.append(cells)
        if counter:
            counter.add()
