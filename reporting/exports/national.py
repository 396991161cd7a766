"""The national extract for THL: every hanke of a reporting round, one row per action and one
per indicator measurement, as XLSX (one sheet per table) or CSV (one table).

Which data a hanke's rows come from (column "Data source", and the `hankkeet` table):

- `snapshot`: the hanke has **submitted** its self-assessment for the round (status submitted
  or accepted). Its rows are read from the ReportSnapshot frozen on submission
  (reporting/rounds/snapshots.py): statuses as of the cut-off, measurements up to the cut-off and
  the lights stored when it was frozen. Later edits do not change them, so THL sees what the
  hanke reported.
- `live`: no submission (not started, draft, or returned for changes; a returned round's
  snapshot is the superseded one, so it is not used). The rows are **what had been recorded
  by the end of the cut-off day** (measures.history): the actions and indicators that
  existed then with their names, schedules and statuses as they were, the comment of the
  newest status update recorded by then, the values of periods up to the cut-off as they
  stood then (a later correction does not count), and the lights of that day
  (`lights_on`: the pure rules with the cut-off as "today", kept once computed). Building
  the extract of a past round again gives the same rows; only the generation time differs.

`national_extract(period=…, user=…)` reads set-based (a fixed number of queries, about ten,
whatever the number of hankkeet); the writers reuse the regional report's conventions
(reporting/exports/tables.py): one django-import-export Resource per table, native cells in XLSX,
text in CSV. Columns are documented in docs/exports.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext_lazy
from import_export import resources
from openpyxl import Workbook

from measures.choices import MeasurementSource
from measures.choices import Unit
from measures.history import as_recorded
from measures.history import in_plan_on
from measures.models import Indicator
from measures.models import Measurement
from measures.models import RollupKind
from measures.status_engine import lights_on
from objectives.choices import ActionStatus
from objectives.models import Action
from objectives.models import ReportingPeriod
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.models_common import in_all_languages
from projects.models import Project
from projects.models import WorkPackage
from reporting.models import ReportSnapshot
from reporting.models import SelfAssessment
from reporting.models import SelfAssessmentStatus
from reporting.rounds.snapshots import statuses_recorded_by

from .tables import DATE_FORMAT
from .tables import Date
from .tables import LightCells
from .tables import Number
from .tables import Progress
from .tables import ReportResource
from .tables import RowCounter
from .tables import Text
from .tables import _cell
from .tables import _local
from .tables import _sheet_title
from .tables import light_columns
from .tables import measurement_columns
from .tables import rows_csv
from .tables import workbook_bytes
from .tables import write_table_sheet

SNAPSHOT, LIVE = "snapshot", "live"
_SUBMITTED = (SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.ACCEPTED)


# --- Rows ----------------------------------------------------------------------------------


@dataclass
class ProjectRow:
    region_code: str
    region: str
    hanke_id: int
    hanke: str
    source: str
    assessment_status: str
    submitted_at: datetime | None
    frozen_at: datetime | None
    lights_as_of: date | None
    actions: int = 0
    measurement_rows: int = 0


@dataclass
class NationalActionRow:
    region_code: str
    region: str
    hanke_id: int
    hanke: str
    source: str
    work_package: str
    number: str
    title: str
    schedule: str
    planned_end: date | None
    status: str
    status_comment: str
    status_date: date | None
    light: LightCells


@dataclass
class NationalMeasurementRow:
    region_code: str
    region: str
    hanke_id: int
    hanke: str
    source: str
    indicator_code: str
    indicator: str
    unit: str
    unit_code: str  # a measures.choices.Unit: the Excel format of the values (not a column)
    period: date | None
    value: Decimal | None
    measurement_source: str
    baseline: Decimal | None
    light: LightCells


@dataclass
class NationalExtract:
    period: ReportingPeriod
    hankkeet: list[ProjectRow]
    actions: list[NationalActionRow]
    measurements: list[NationalMeasurementRow]


# --- Resources: the column schema of each table ---------------------------------------------


class HankeColumns(ReportResource):
    """The leading columns every national table shares: which hanke the row is and its source."""

    region_code = Text(gettext_lazy("Region code"))
    region = Text(gettext_lazy("Region"))
    hanke_id = Number(gettext_lazy("Hanke id"), "code")
    hanke = Text(gettext_lazy("Hanke"))
    source = Text(gettext_lazy("Data source"))


class ProjectResource(HankeColumns):
    assessment_status = Text(gettext_lazy("Self-assessment"))
    submitted_at = Date(gettext_lazy("Submitted"))
    frozen_at = Date(gettext_lazy("Frozen"))
    lights_as_of = Date(gettext_lazy("Lights as of"))
    actions = Number(gettext_lazy("Action rows"), "count")
    measurement_rows = Number(gettext_lazy("Measurement rows"), "count")


class NationalActionResource(HankeColumns):
    work_package = Text(gettext_lazy("Work package"))
    number = Text(gettext_lazy("Action number"))
    title = Text(gettext_lazy("Action"))
    schedule = Text(gettext_lazy("Schedule as written"))
    planned_end = Date(gettext_lazy("Planned end"))
    status = Text(gettext_lazy("Status at cut-off"))
    status_comment = Text(gettext_lazy("Status comment"))
    status_date = Date(gettext_lazy("Status date"))
    light, light_symbol, light_reason = light_columns()


class NationalMeasurementResource(HankeColumns):
    indicator_code, indicator, unit, period, value, measurement_source, baseline = (
        measurement_columns()
    )
    light, light_symbol, light_reason = light_columns()


@dataclass(frozen=True)
class NationalTable:
    key: str  # the CSV table name
    title: object  # lazy: the sheet name
    resource: type[resources.Resource]
    rows: str  # the attribute of NationalExtract


NATIONAL_TABLES: dict[str, NationalTable] = {
    t.key: t
    for t in (
        NationalTable("hankkeet", gettext_lazy("Hankkeet"), ProjectResource, "hankkeet"),
        NationalTable("actions", gettext_lazy("Actions"), NationalActionResource, "actions"),
        NationalTable(
            "measurements",
            gettext_lazy("Indicator measurements"),
            NationalMeasurementResource,
            "measurements",
        ),
    )
}


# --- The selector --------------------------------------------------------------------------


def _pick(names: dict) -> str:
    lang = (translation.get_language() or "fi")[:2]
    return names.get(lang) or names.get("fi") or ""


def _localized(row: dict, field: str) -> str:
    return _pick({lang: row.get(f"{field}_{lang}") or "" for lang in ("fi", "sv", "en")})


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _frozen_light(light: dict | None, *, action: bool = False) -> LightCells:
    if not light:
        return LightCells.of(None, action=action)
    assessment = Assessment(Light(light["light"]), Reason(light["code"], light.get("params") or {}))
    return LightCells.of(assessment, action=action)


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def national_extract(*, period: ReportingPeriod, user) -> NationalExtract:
    """Every hanke of the round's programme that `user` sees, as of the round's cut-off.

    The caller has checked Perm.VIEW_PROGRAMME (so every hanke is visible); the scope is
    applied again here all the same. No writes; about ten queries whatever the size.
    """
    projects = list(
        Project.objects.visible_to(user)
        .filter(programme_id=period.programme_id)
        .select_related("region")
        .order_by("region__code", "name_fi", "id")
    )
    ids = [p.pk for p in projects]
    assessments = {
        a.project_id: a
        for a in SelfAssessment.objects.filter(period=period, project_id__in=ids).only(
            "project_id", "status", "submitted_at"
        )
    }
    submitted = {pid for pid, a in assessments.items() if a.status in _SUBMITTED}
    snapshots = {
        s.project_id: s
        for s in ReportSnapshot.objects.filter(period=period, project_id__in=submitted)
    }
    live_ids = [pid for pid in ids if pid not in snapshots]
    live_actions, live_measurements = _live_rows(live_ids, period)

    hankkeet, actions, measurements = [], [], []
    for project in projects:
        common = dict(
            region_code=project.region.code,
            region=project.region.display_name,
            hanke_id=project.pk,
            hanke=project.display_name,
        )
        assessment = assessments.get(project.pk)
        snapshot = snapshots.get(project.pk)
        if snapshot is not None:
            own_actions = _snapshot_actions(snapshot.data, common)
            own_measurements = _snapshot_measurements(snapshot.data, common)
            data = snapshot.data
            frozen_at = _local(datetime.fromisoformat(data["frozen_at"]))
            lights_as_of = _iso(data.get("lights_as_of"))
        else:
            own_actions = [
                NationalActionRow(**common, source=LIVE, **row)
                for row in live_actions.get(project.pk, [])
            ]
            own_measurements = [
                NationalMeasurementRow(**common, source=LIVE, **row)
                for row in live_measurements.get(project.pk, [])
            ]
            frozen_at, lights_as_of = None, period.cut_off
        hankkeet.append(
            ProjectRow(
                **common,
                source=SNAPSHOT if snapshot is not None else LIVE,
                assessment_status=(
                    str(assessment.get_status_display()) if assessment else str(_NOT_STARTED)
                ),
                submitted_at=_local(assessment.submitted_at) if assessment else None,
                frozen_at=frozen_at,
                lights_as_of=lights_as_of,
                actions=len(own_actions),
                measurement_rows=len(own_measurements),
            )
        )
        actions.extend(own_actions)
        measurements.extend(own_measurements)
    return NationalExtract(period, hankkeet, actions, measurements)


_NOT_STARTED = gettext_lazy("Not started")


def _snapshot_actions(data: dict, common: dict) -> list[NationalActionRow]:
    package_code = {p["id"]: p["code"] for p in data["work_packages"]}
    rows = []
    for a in data["actions"]:
        at = a["at_cut_off"]
        rows.append(
            NationalActionRow(
                **common,
                source=SNAPSHOT,
                work_package=package_code.get(a["work_package_id"], ""),
                number=a["number"],
                title=_pick(a["name"]),
                schedule=a["schedule"],
                planned_end=_iso(a["planned_end"]),
                status=_label(ActionStatus, at["status"]),
                status_comment=at["comment"],
                status_date=_iso(at["date"]),
                light=_frozen_light(a["light"], action=True),
            )
        )
    return rows


def _snapshot_measurements(data: dict, common: dict) -> list[NationalMeasurementRow]:
    rows = []
    for i in data["indicators"]:
        shared = dict(
            **common,
            source=SNAPSHOT,
            indicator_code=i["code"],
            indicator=_pick(i["name"]),
            unit=_label(Unit, i["unit"]),
            unit_code=i["unit"],
            baseline=Decimal(i["baseline"]) if i["baseline"] is not None else None,
            light=_frozen_light(i["light"]),
        )
        for m in i["measurements"] or [None]:
            rows.append(
                NationalMeasurementRow(
                    **shared,
                    period=_iso(m["period"]) if m else None,
                    value=Decimal(m["value"]) if m and m["value"] is not None else None,
                    measurement_source=_label(MeasurementSource, m["source"]) if m else "",
                )
            )
    return rows


def _live_rows(project_ids: list[int], period: ReportingPeriod) -> tuple[dict, dict]:
    """Action and measurement rows (without the hanke columns) per hanke, as recorded by the
    end of the cut-off day, with the lights of that day (measures.status_engine.lights_on).

    Nothing recorded later counts: an action imported, a status saved or a value corrected
    after the cut-off is not in these rows, so the extract of a past round is the same
    whenever it is built."""
    if not project_ids:
        return {}, {}
    rows = lights_on(project_ids=project_ids, day=period.cut_off, today=timezone.localdate())
    lights = {
        (row.kind, row.object_id): row.assessment
        for row in rows
        if row.kind in (RollupKind.ACTION, RollupKind.INDICATOR)
    }
    return (
        _live_actions(project_ids, period.cut_off, lights),
        _live_measurements(project_ids, period.cut_off, lights),
    )


_ACTION_FIELDS = (
    "id",
    "project_id",
    "work_package_id",
    "number",
    *in_all_languages("title"),
    "schedule_text",
    "planned_end",
    "status",
)


def _plan_order(model, ids: list[int], order_by: tuple[str, ...]) -> dict[int, int]:
    """Today's order of the rows (the historical rows do not keep it); rows since deleted
    come last."""
    rows = model.objects.filter(pk__in=ids).order_by(*order_by).values_list("pk", flat=True)
    return {pk: position for position, pk in enumerate(rows)}


def _live_actions(project_ids: list[int], cut_off: date, lights: dict) -> dict[int, list[dict]]:
    scope = {"project_id__in": project_ids}
    # An action retired by the cut-off is not in that round's plan; one retired later is.
    actions = [
        a
        for a in as_recorded(Action, scope, (*_ACTION_FIELDS, "retired_on"), cut_off)
        if in_plan_on(a, cut_off)
    ]
    codes = {p["id"]: p["code"] for p in as_recorded(WorkPackage, scope, ("id", "code"), cut_off)}
    order = _plan_order(Action, [a["id"] for a in actions], ("work_package__order", "order", "id"))
    actions.sort(key=lambda a: (a["project_id"], order.get(a["id"], len(order)), a["id"]))
    updates = statuses_recorded_by([a["id"] for a in actions], cut_off)
    result: dict[int, list[dict]] = defaultdict(list)
    for a in actions:
        update = updates.get(a["id"], {"comment": "", "date": None})
        result[a["project_id"]].append(
            dict(
                work_package=codes.get(a["work_package_id"], ""),
                number=a["number"],
                title=_localized(a, "title"),
                schedule=a["schedule_text"],
                planned_end=a["planned_end"],
                status=_label(ActionStatus, a["status"]),
                status_comment=update["comment"],
                status_date=_iso(update["date"]),
                light=LightCells.of(lights.get((RollupKind.ACTION, a["id"])), action=True),
            )
        )
    return result


_INDICATOR_FIELDS = ("id", "project_id", "code", "name_fi", "name_sv", "name_en", "unit")


def _live_measurements(
    project_ids: list[int], cut_off: date, lights: dict
) -> dict[int, list[dict]]:
    fields = (*_INDICATOR_FIELDS, "baseline_value", "retired_on")
    indicators = [
        i
        for i in as_recorded(Indicator, {"project_id__in": project_ids}, fields, cut_off)
        if in_plan_on(i, cut_off)
    ]
    order = _plan_order(Indicator, [i["id"] for i in indicators], ("order", "code", "id"))
    indicators.sort(key=lambda i: (i["project_id"], order.get(i["id"], len(order)), i["id"]))
    measured = as_recorded(
        Measurement,
        {"indicator_id__in": [i["id"] for i in indicators], "period__lte": cut_off},
        ("id", "indicator_id", "period", "value", "source"),
        cut_off,
    )
    values: dict[int, list[dict]] = defaultdict(list)
    for m in sorted(measured, key=lambda m: m["period"]):
        values[m["indicator_id"]].append(m)
    result: dict[int, list[dict]] = defaultdict(list)
    for ind in indicators:
        shared = dict(
            indicator_code=ind["code"],
            indicator=_localized(ind, "name"),
            unit=_label(Unit, ind["unit"]),
            unit_code=ind["unit"],
            baseline=ind["baseline_value"],
            light=LightCells.of(lights.get((RollupKind.INDICATOR, ind["id"]))),
        )
        for m in values.get(ind["id"]) or [None]:
            result[ind["project_id"]].append(
                dict(
                    **shared,
                    period=m["period"] if m else None,
                    value=m["value"] if m else None,
                    measurement_source=_label(MeasurementSource, m["source"]) if m else "",
                )
            )
    return result


# --- Writers ---------------------------------------------------------------------------------


def extract_csv(
    extract: NationalExtract, key: str, *, semicolon: bool = False, bom: bool = False
) -> bytes:
    """One table of the extract as CSV (the regional report's formats, exports/tables.py)."""
    table = NATIONAL_TABLES[key]
    return rows_csv(table.resource, getattr(extract, table.rows), semicolon=semicolon, bom=bom)


def extract_xlsx(extract: NationalExtract, *, progress: Progress | None = None) -> bytes:
    """The extract as a workbook: a title sheet, then one sheet per table."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(gettext_lazy("Extract")))
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 80
    period = extract.period
    sheet.append([_cell(sheet, str(gettext_lazy("National extract")), bold=True), period.name])
    sheet.append(
        [str(gettext_lazy("Data cut-off")), _cell(sheet, period.cut_off, number_format=DATE_FORMAT)]
    )
    sheet.append(
        [
            str(gettext_lazy("Data source")),
            str(
                gettext_lazy(
                    "snapshot = the report frozen when the hanke submitted its "
                    "self-assessment; live = the current plan with statuses, values and "
                    "lights as of the cut-off"
                )
            ),
        ]
    )
    tables = [(t, getattr(extract, t.rows)) for t in NATIONAL_TABLES.values()]
    counter = RowCounter(sum(len(rows) for _t, rows in tables), progress)
    for table, rows in tables:
        write_table_sheet(
            book.create_sheet(_sheet_title(table.title)), table.resource, rows, counter=counter
        )
    return workbook_bytes(book)


def extract_row_count(extract: NationalExtract, key: str | None = None) -> int:
    if key is not None:
        return len(getattr(extract, NATIONAL_TABLES[key].rows))
    return sum(len(getattr(extract, t.rows)) for t in NATIONAL_TABLES.values())
