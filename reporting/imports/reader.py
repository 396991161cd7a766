"""Reading an uploaded CSV or XLSX for the bulk import, and mapping its columns (no writes).

- `read_upload(name=, content=, kind=)` turns the bytes into a `Sheet` (headers and rows of
  text) or raises `ImportFileError` with a message for the person who uploaded it: not CSV
  or XLSX, empty, over a limit, undecodable, formulas. The bytes are read by
  `portal.uploads` (decoding, separator, limits; docs/uploads.md) within
  `IMPORT_MAX_UPLOAD_BYTES` and `IMPORT_MAX_ROWS`. An XLSX is read from the sheet whose
  header row matches the kind's columns best (the regional report workbook starts with a
  summary sheet), else the first one; formulas are refused, because their values could not
  be checked.
- The columns of each kind are a `portal.uploads.columns.ColumnSpec` (`spec(kind)`) whose
  labels are the export's (`reporting.exports.tables` resources): the same labels, in Finnish,
  Swedish or English, so an exported file maps itself. `spec(kind).suggest` preselects our
  field for each of the file's headers, `spec(kind).problems` checks a mapping.
- `parse_date`, `parse_number` read cell text as people and the exports write it (dates by
  the one period grammar, `portal.periods`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.choices import MeasurementSource
from portal import periods
from portal.uploads import Limits
from portal.uploads import UploadRejected
from portal.uploads import read_csv
from portal.uploads import read_xlsx
from portal.uploads.columns import LANGUAGES
from portal.uploads.columns import Column
from portal.uploads.columns import ColumnSpec
from portal.uploads.columns import norm
from reporting.exports.tables import FORMULA_STARTS
from reporting.exports.tables import ActionResource
from reporting.exports.tables import IndicatorResource
from reporting.models import ImportKindChoices as ImportKind


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


# --- Cells -----------------------------------------------------------------------------------


class CellError(ValueError):
    """The cell's text is not a valid value; the message is for the person who wrote it."""


def parse_date(text: str) -> date | None:
    """ISO (2022-12-31) or Finnish (31.12.2022) dates; empty is None."""
    try:
        return periods.parse_date(text)
    except periods.PeriodError as exc:
        if exc.impossible:
            raise CellError(_("“%(text)s” is not a valid date.") % {"text": text.strip()}) from None
        raise CellError(
            _("“%(text)s” is not a date; write e.g. 31.12.2022.") % {"text": text.strip()}
        ) from None


def parse_number(text: str) -> Decimal | None:
    """'28,25', '28.25', '1 304 000' and '1304000.5'; empty is None."""
    compact = re.sub(r"[\s\u00a0€%]", "", text)
    if not compact:
        return None
    try:
        number = Decimal(compact.replace(",", "."))
    except InvalidOperation:
        raise CellError(_("“%(text)s” is not a number.") % {"text": text}) from None
    if not number.is_finite():
        raise CellError(_("“%(text)s” is not a number.") % {"text": text})
    return number


LIST_SPLIT = re.compile(r"[;\n]+")  # goal titles may hold commas: ";" or a line separates
_TARGET_ITEM = re.compile(r"^\s*(\d{4})\s*[:=]\s*(.+?)\s*$")


def parse_yearly_targets(text: str) -> dict[date, Decimal]:
    """ "2023: 60; 2024: 70,5" (or one per line) → {31.12.2023: 60, 31.12.2024: 70.5}."""
    targets: dict[date, Decimal] = {}
    for item in LIST_SPLIT.split(text or ""):
        if not item.strip():
            continue
        match = _TARGET_ITEM.match(item)
        value = parse_number(match.group(2)) if match else None
        if match is None or value is None:
            raise CellError(
                _("Write the targets as year: value, separated by “;”, e.g. 2023: 60; 2024: 70,5.")
            )
        targets[date(int(match.group(1)), 12, 31)] = value
    return targets


# Columns of the export that the import reads, by the export's field name; the others
# (lights, last update, the indicator's period and value in the indicator import, ...) are
# accepted and ignored. `label` names a column the export does not have.
_COLUMNS: dict[str, tuple[type, list[Column]]] = {
    ImportKind.ACTIONS: (
        ActionResource,
        [
            Column("region"),
            Column("hanke"),
            Column("work_package", required=True),
            Column("number", required=True),
            Column("title", required_for_new=True),
            Column("ht"),
            Column("schedule"),
            Column("planned_start", parse=parse_date),
            Column("planned_end", parse=parse_date),
            Column("status"),
            Column("owner"),
            # Plan columns the export leaves out (issue #17): matched by number/code or name.
            Column("goals", label=gettext_lazy("Process goals")),
            Column("responsible_organisation", label=gettext_lazy("Responsible organisation")),
        ],
    ),
    ImportKind.INDICATORS: (
        IndicatorResource,
        [
            Column("hanke"),
            Column("code", required=True),
            Column("name", required_for_new=True),
            Column("unit", required_for_new=True),
            Column("baseline", parse=parse_number),
            Column("final_target", parse=parse_number),
            Column("targets", label=gettext_lazy("Targets by year"), parse=parse_yearly_targets),
        ],
    ),
    ImportKind.MEASUREMENTS: (
        IndicatorResource,
        [
            Column("hanke"),
            Column("code", required=True),
            Column("period", required=True, parse=parse_date),
            Column("value", required=True),
            # A row whose source says the value was generated for the demo is not imported:
            # an exported demo figure must not come back as a real one.
            Column("source"),
        ],
    ),
}


@functools.cache
def spec(kind: str) -> ColumnSpec:
    """The columns of `kind`, labelled as the export labels them."""
    resource, columns = _COLUMNS[kind]
    return ColumnSpec(
        c if c.label is not None else replace(c, label=resource.fields[c.key].column_name)
        for c in columns
    )


def field_label(kind: str, key: str) -> str:
    return spec(kind).label(key)


@functools.cache
def _generated_labels() -> frozenset[str]:
    labels = {"demo"}
    for language in LANGUAGES:
        with translation.override(language):
            labels.add(norm(MeasurementSource.DEMO.label))
    return frozenset(labels)


def is_generated_source(text: str) -> bool:
    """Whether a source cell names a value generated for the demo: the export's label of
    source "demo" in any language, or the code itself."""
    return bool(text) and norm(text) in _generated_labels()


# --- Files ---------------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]  # text cells, as long as the headers
    row_numbers: list[int]  # the row's number in the file (the header is row 1)
    notes: list[str] = field(default_factory=list)  # what the reader decided, for the preview


def max_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def upload_limits() -> Limits:
    return Limits.from_settings(max_bytes=max_bytes(), max_rows=settings.IMPORT_MAX_ROWS)


def read_upload(*, name: str, content: bytes, kind: str) -> Sheet:
    """The file's cells, read by portal.uploads within the upload limits."""
    lower = name.lower()
    if not lower.endswith((".csv", ".xlsx")):
        raise ImportFileError(_("Choose a CSV or XLSX file (.csv or .xlsx)."))
    limits = upload_limits()
    try:
        if lower.endswith(".xlsx"):
            table = read_xlsx(content, limits, sheet_score=_header_score(kind))
        else:
            table = read_csv(content, limits)
    except UploadRejected as exc:
        raise ImportFileError(exc.message) from None
    if not table.rows:
        raise ImportFileError(_("The file is empty."))
    sheet = Sheet(headers=table.rows[0], rows=table.rows[1:], row_numbers=[], notes=table.notes)
    return _tidy(sheet)


def _header_score(kind: str):
    return spec(kind).score


def _unquote(text: str) -> str:
    """The export writes text that looks like a formula with a leading apostrophe."""
    text = text.strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _tidy(sheet: Sheet) -> Sheet:
    headers, rows = _drop_spacer_columns([str(h).strip() for h in sheet.headers], sheet.rows)
    _check_headers(headers)
    width = len(headers)
    cells = ([_unquote(str(c)) for c in row[:width]] + [""] * (width - len(row)) for row in rows)
    body = [(number, row) for number, row in enumerate(cells, start=2) if any(row)]
    if not body:
        raise ImportFileError(_("The file has no rows under the header row."))
    return Sheet(
        headers=headers,
        rows=[row for _number, row in body],
        row_numbers=[number for number, _row in body],
        notes=sheet.notes,
    )


def _drop_spacer_columns(headers: list[str], rows: list[list]) -> tuple[list[str], list[list]]:
    """A column without a header is dropped when it is empty too (a spacer column)."""
    keep = [
        i
        for i, header in enumerate(headers)
        if header or any(i < len(row) and str(row[i]).strip() for row in rows)
    ]
    if len(keep) == len(headers):
        return headers, rows
    return [headers[i] for i in keep], [
        [row[i] if i < len(row) else "" for i in keep] for row in rows
    ]


def _check_headers(headers: list[str]) -> None:
    if not headers:
        raise ImportFileError(_("The first row must hold the column headers; it is empty."))
    seen = set()
    for header in headers:
        if not header:
            raise ImportFileError(_("A column has values but no header in the first row."))
        if header in seen:
            raise ImportFileError(
                _("The column “%(header)s” appears twice in the header row.") % {"header": header}
            )
        seen.add(header)
