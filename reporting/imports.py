"""Reading an uploaded CSV or XLSX for the bulk import, and mapping its columns (no writes).

- `read_upload(name=, content=, kind=)` turns the bytes into a `Sheet` (headers and rows of
  text) or raises `ImportFileError` with a message for the person who uploaded it: not CSV
  or XLSX, empty, over a limit, undecodable, formulas. The bytes are read by
  `portal.uploads` (decoding, separator, limits; docs/uploads.md) within
  `IMPORT_MAX_UPLOAD_BYTES` and `IMPORT_MAX_ROWS`. An XLSX is read from the sheet whose
  header row matches the kind's columns best (the regional report workbook starts with a
  summary sheet), else the first one; formulas are refused, because their values could not
  be checked.
- The column schema of each kind is the export's (`reporting.exports` resources): the same
  labels, in Finnish, Swedish or English, so an exported file maps itself.
  `suggest_mapping` preselects our field for each of the file's headers.
- `parse_date`, `parse_number` read cell text as people and the exports write it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.uploads import Limits, UploadRejected, read_csv, read_xlsx

from .exports import FORMULA_STARTS, ActionResource, IndicatorResource
from .models import ImportKindChoices as ImportKind


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class ImportField:
    key: str  # the export resource's field name
    required: bool = False  # the column must be mapped
    required_for_new: bool = False  # a value is needed when the row creates an object
    label: object = None  # (lazy) column name of a field the export does not have


def _column_name(resource, f: ImportField) -> str:
    return str(f.label) if f.label is not None else str(resource.fields[f.key].column_name)


# Fields of the export that the import reads; the others (lights, last update, the
# indicator's period and value in the indicator import, ...) are accepted and ignored.
FIELDS: dict[str, tuple[type, list[ImportField]]] = {
    ImportKind.ACTIONS: (
        ActionResource,
        [
            ImportField("region"),
            ImportField("hanke"),
            ImportField("work_package", required=True),
            ImportField("number", required=True),
            ImportField("title", required_for_new=True),
            ImportField("ht"),
            ImportField("schedule"),
            ImportField("planned_start"),
            ImportField("planned_end"),
            ImportField("status"),
            ImportField("owner"),
            # Plan columns the export leaves out (issue #17): matched by number/code or name.
            ImportField("goals", label=gettext_lazy("Process goals")),
            ImportField("responsible_organisation", label=gettext_lazy("Responsible organisation")),
        ],
    ),
    ImportKind.INDICATORS: (
        IndicatorResource,
        [
            ImportField("hanke"),
            ImportField("code", required=True),
            ImportField("name", required_for_new=True),
            ImportField("unit", required_for_new=True),
            ImportField("baseline"),
            ImportField("final_target"),
            ImportField("targets", label=gettext_lazy("Targets by year")),
        ],
    ),
    ImportKind.MEASUREMENTS: (
        IndicatorResource,
        [
            ImportField("hanke"),
            ImportField("code", required=True),
            ImportField("period", required=True),
            ImportField("value", required=True),
            # A row whose source says the value was generated for the demo is not imported:
            # an exported demo figure must not come back as a real one.
            ImportField("source"),
        ],
    ),
}

LANGUAGES = ("fi", "sv", "en")


def field_label(kind: str, key: str) -> str:
    resource, fields = FIELDS[kind]
    return _column_name(resource, next(f for f in fields if f.key == key))


def field_labels(kind: str) -> dict[str, str]:
    """Our fields of `kind` with their labels in the current language, in column order."""
    return {f.key: field_label(kind, f.key) for f in FIELDS[kind][1]}


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", " ", str(text)).strip().casefold()


@functools.cache
def _generated_labels() -> frozenset[str]:
    from measures.choices import MeasurementSource

    labels = {"demo"}
    for language in LANGUAGES:
        with translation.override(language):
            labels.add(_norm(MeasurementSource.DEMO.label))
    return frozenset(labels)


def is_generated_source(text: str) -> bool:
    """Whether a source cell names a value generated for the demo: the export's label of
    source "demo" in any language, or the code itself."""
    return bool(text) and _norm(text) in _generated_labels()


def header_aliases(kind: str) -> dict[str, str]:
    """Normalised header → our field: the export's labels in every language and the keys."""
    aliases: dict[str, str] = {}
    resource, fields = FIELDS[kind]
    for language in LANGUAGES:
        with translation.override(language):
            for f in fields:
                aliases.setdefault(_norm(_column_name(resource, f)), f.key)
    for f in fields:
        aliases.setdefault(_norm(f.key), f.key)
    return aliases


def suggest_mapping(kind: str, headers: list[str], remembered: dict | None = None) -> dict:
    """File header → our field key ('' = ignore): remembered choices first, then our labels."""
    aliases = header_aliases(kind)
    known = {f.key for f in FIELDS[kind][1]}
    remembered = remembered or {}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        choice = remembered.get(header)
        if choice not in known or choice in used:
            choice = aliases.get(_norm(header), "")
            if choice in used:
                choice = ""
        mapping[header] = choice
        if choice:
            used.add(choice)
    return mapping


def mapping_problems(kind: str, mapping: dict) -> list[str]:
    """Messages for a mapping that cannot work: a required field unmapped or mapped twice."""
    problems = []
    chosen = [value for value in mapping.values() if value]
    for f in FIELDS[kind][1]:
        if chosen.count(f.key) > 1:
            problems.append(
                _("The field “%(field)s” is chosen for more than one column.")
                % {"field": field_label(kind, f.key)}
            )
        if f.required and f.key not in chosen:
            problems.append(
                _("The file has no column for “%(field)s”: choose one.")
                % {"field": field_label(kind, f.key)}
            )
    return problems


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
    aliases = header_aliases(kind)

    def score(header: list[str]) -> int:
        return sum(1 for cell in header if cell and _norm(cell) in aliases)

    return score


def _unquote(text: str) -> str:
    """The export writes text that looks like a formula with a leading apostrophe."""
    text = text.strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _tidy(sheet: Sheet) -> Sheet:
    headers = [str(h).strip() for h in sheet.headers]
    # A column without a header is dropped when it is empty too (a spacer column).
    keep = [
        i
        for i, header in enumerate(headers)
        if header or any(i < len(row) and str(row[i]).strip() for row in sheet.rows)
    ]
    if len(keep) != len(headers):
        headers = [headers[i] for i in keep]
        sheet.rows = [[row[i] if i < len(row) else "" for i in keep] for row in sheet.rows]
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
    width = len(headers)
    rows, numbers = [], []
    for number, row in enumerate(sheet.rows, start=2):
        cells = [_unquote(str(c)) for c in row[:width]] + [""] * (width - len(row))
        if any(cells):
            rows.append(cells)
            numbers.append(number)
    if not rows:
        raise ImportFileError(_("The file has no rows under the header row."))
    return Sheet(headers=headers, rows=rows, row_numbers=numbers, notes=sheet.notes)


# --- Cells -----------------------------------------------------------------------------------


class CellError(ValueError):
    """The cell's text is not a valid value; the message is for the person who wrote it."""


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FINNISH = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}[:.]\d{2})?$")


def parse_date(text: str) -> date | None:
    """ISO (2022-12-31) or Finnish (31.12.2022) dates; empty is None."""
    text = text.strip()
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FINNISH.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise CellError(_("“%(text)s” is not a date; write e.g. 31.12.2022.") % {"text": text})
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("“%(text)s” is not a valid date.") % {"text": text}) from None


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


def choice_lookup(choices) -> dict[str, str]:
    """Normalised label (every language) or value → value, for a TextChoices class."""
    lookup = {}
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(_norm(label), value)
    for value in choices.values:
        lookup.setdefault(_norm(value), value)
    return lookup


def norm(text: str) -> str:
    return _norm(text)
