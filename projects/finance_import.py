"""Periodic totals per budget line from the finance system's CSV (pure: no ORM, no request).

Contract (the format is in docs/finance-import.md):
- `read_file(raw)` reads the CSV with portal.uploads (UTF-8 with or without BOM, else
  Windows-1252 as Finnish Excel saves; the separator `;`, `,` or tab; the limits
  FINANCE_IMPORT_MAX_BYTES, FINANCE_IMPORT_MAX_ROWS and UPLOAD_*), finds the columns by their
  names in Finnish, Swedish or English, and returns the rows as text; a file it cannot read
  at all raises `FileRejected` with a message for the person who uploaded it.
- `preview(rows, lines=, existing=)` checks every row against the hanke's budget lines and
  the totals imported before: each is new, changed (with the old amount), unchanged or
  rejected with its reasons, rendered in the reader's language when shown.
- A total is keyed by (budget line, period): the period is stored as its last day, so
  "3/2024", "2024-03" and "31.3.2024" are the same period, and importing the same file
  again changes nothing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.uploads import Limits, Table, UploadRejected, read_csv

from .money import MoneyRejected, parse_money

# Column names people use, lower-cased, in Finnish, Swedish and English.
COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("period", "kausi", "jakso", "ajanjakso", "kuukausi", "month", "månad", "date",
               "pvm", "päivämäärä", "datum"),
    "line_key": ("line_key", "key", "avain", "rivin avain", "budjettirivin avain", "nyckel"),
    "line": ("line", "budget line", "rivi", "budjettirivi", "budgetrad", "rad"),
    "year": ("year", "vuosi", "år"),
    "category": ("category", "cost category", "kustannuslaji", "kululaji", "kategoria",
                 "kostnadsslag"),
    "funding": ("funding", "rahoitus", "finansiering"),
    "amount": ("amount", "summa", "määrä", "euroa", "eur", "€", "belopp", "total", "yhteensä"),
}  # fmt: skip

ERROR_TEXTS = {
    "period_missing": _("The period is missing."),
    "period_bad": _(
        "“%(value)s” is not a period: write e.g. 3/2024, 2024-03, Q1/2024 or 31.3.2024."
    ),
    "year_bad": _("“%(value)s” is not a year."),
    "category_unknown": _("Unknown cost category “%(value)s”."),
    "funding_unknown": _("Unknown funding “%(value)s”: write state aid or own share."),
    "line_key_unknown": _("The hanke has no budget line with the key %(value)s."),
    "line_unknown": _("No budget line of the hanke matches this row."),
    "line_ambiguous": _(
        "Several budget lines match (%(count)s): give the line key, or the line, year, "
        "category and funding."
    ),
    "line_total": _("The line %(value)s is a total of the plan; import to itemised lines."),
    "duplicate": _("The same line and period are already on row %(row)s."),
    "amount": "%(message)s",
}

_FUNDING = {
    False: ("state aid", "programme", "programme funding", "valtionavustus", "valtionavustus",
            "ohjelma", "statsunderstöd", "statsbidrag"),
    True: ("own share", "other", "other funding", "omarahoitus", "oma rahoitus", "muu",
           "muu rahoitus", "egen finansiering", "självfinansiering", "annan"),
}  # fmt: skip


# The file cannot be read at all; the message is for the person who uploaded it.
FileRejected = UploadRejected


@dataclass(frozen=True)
class LineRef:
    """A budget line as the import needs it (built from BudgetLine rows by the service)."""

    pk: int
    year: int | None
    category: str
    line: str
    funded_elsewhere: bool


@dataclass(frozen=True)
class RowError:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        params = {k: str(v) for k, v in self.params.items()}
        return str(ERROR_TEXTS[self.code]) % params


@dataclass
class PreviewRow:
    number: int  # the row's line number in the file (the header is row 1)
    cells: dict[str, str]
    line: LineRef | None = None
    period: date | None = None
    amount: Decimal | None = None
    status: str = "rejected"  # new | changed | unchanged | rejected
    old_amount: Decimal | None = None
    errors: list[RowError] = field(default_factory=list)

    def cell(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def line_as_written(self) -> str:
        """How the file names the line, for a row that matched none."""
        return self.cell("line_key") or self.cell("line") or self.cell("category") or "–"


@dataclass
class Preview:
    rows: list[PreviewRow]

    def of(self, status: str) -> list[PreviewRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in ("new", "changed", "unchanged", "rejected")}

    @property
    def can_confirm(self) -> bool:
        """All or nothing: any rejected row blocks the whole file, so does a file of nothing."""
        return bool(self.rows) and not self.of("rejected")


# --- Reading the file -----------------------------------------------------------------------


def limits() -> Limits:
    return Limits.from_settings(
        max_bytes=settings.FINANCE_IMPORT_MAX_BYTES, max_rows=settings.FINANCE_IMPORT_MAX_ROWS
    )


def _records(raw: bytes) -> Table:
    """The file's records, read by portal.uploads; a file that is not CSV text says so."""
    try:
        return read_csv(raw, limits(), separators=";\t,")
    except UploadRejected as exc:
        if exc.code in ("binary", "malformed"):
            raise FileRejected(_NOT_CSV(), exc.code) from None
        if exc.code == "cell":  # no total is that long: not a file of totals
            raise FileRejected(f"{_NOT_CSV()} {exc.message}", exc.code) from None
        raise


def _NOT_CSV() -> str:  # noqa: N802 - a message, rendered in the language of the moment
    return str(_("This is not a CSV file; save it from Excel as CSV."))


def _column_of(name: str) -> str | None:
    key = re.sub(r"\s+", " ", name.strip().strip("\ufeff").lower())
    for column, aliases in COLUMNS.items():
        if key == column or key in aliases:
            return column
    return None


def read_file(raw: bytes) -> list[dict[str, Any]]:
    """The data rows as {"number": n, "cells": {column: text}}; FileRejected when unreadable."""
    table = _records(raw)
    rows = table.rows
    header_index = next(
        (i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None
    )
    if header_index is None:  # only separators
        raise FileRejected(_("The file is empty."))
    header = rows[header_index]
    columns = [_column_of(name) for name in header]
    unknown = [name for name, column in zip(header, columns, strict=True) if column is None]
    if unknown:
        raise FileRejected(
            _("Unknown columns: %(columns)s. The columns are described on this page.")
            % {"columns": ", ".join(f"“{name.strip()}”" for name in unknown)}
        )
    if len(set(columns)) != len(columns):
        raise FileRejected(_("A column appears twice in the header."))
    missing = [c for c in ("period", "amount") if c not in columns]
    if missing or not {"line_key", "line", "category"} & set(columns):
        raise FileRejected(
            _(
                "The file needs the columns period and amount, and a line key, a line or a "
                "cost category to find the budget line."
            )
        )
    data = []
    body = zip(table.numbers[header_index + 1 :], rows[header_index + 1 :], strict=True)
    for number, row in body:
        if not any(cell.strip() for cell in row):
            continue
        cells = {
            column: (row[i].strip() if i < len(row) else "") for i, column in enumerate(columns)
        }
        data.append({"number": number, "cells": cells})
    if not data:
        raise FileRejected(_("The file has a header but no rows."))
    return data


# --- Checking the rows ----------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _ymd(year: str, month: str, day: str) -> date:
    return date(int(year), int(month), int(day))


_PERIOD_FORMATS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), lambda m: _ymd(m[1], m[2], m[3])),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), lambda m: _ymd(m[3], m[2], m[1])),
    (re.compile(r"^(\d{4})[-/](\d{1,2})$"), lambda m: _month_end(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{1,2})[/.](\d{4})$"), lambda m: _month_end(int(m[2]), int(m[1]))),
    (re.compile(r"^q([1-4])[/ -]?(\d{4})$", re.I), lambda m: _month_end(int(m[2]), 3 * int(m[1]))),
    (re.compile(r"^(\d{4})[/ -]?q([1-4])$", re.I), lambda m: _month_end(int(m[1]), 3 * int(m[2]))),
    (re.compile(r"^(\d{4})$"), lambda m: date(int(m[1]), 12, 31)),
]  # fmt: skip


def parse_period(text: str) -> date:
    """The last day of the period written in `text`; ValueError when it is not one.

    A full date is kept as it is; a month, quarter or year ends on its last day."""
    value = text.strip()
    for pattern, build in _PERIOD_FORMATS:
        match = pattern.match(value)
        if match:
            result = build(match)  # ValueError for 31.2.2024, month 13…
            if not 2000 <= result.year <= 2100:
                raise ValueError(value)
            return result
    raise ValueError(value)


def _category_names(categories: list[tuple[str, Any]]) -> dict[str, str]:
    """Every way to write a cost category (its code, its label in fi/sv/en) → its code."""
    names = {}
    for value, label in categories:
        names[value.casefold()] = value
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                names[str(label).casefold()] = value
    return names


def _funding_of(text: str) -> bool | None:
    key = text.strip().casefold()
    for elsewhere, words in _FUNDING.items():
        if key in words:
            return elsewhere
    return None


def _match_line(
    cells: dict[str, str], lines: list[LineRef], period: date | None, categories: dict[str, str]
) -> tuple[LineRef | None, list[RowError]]:
    if cells.get("line_key"):
        key = cells["line_key"].lstrip("#")
        found = next((line for line in lines if key.isdigit() and line.pk == int(key)), None)
        if found is None:
            return None, [RowError("line_key_unknown", {"value": cells["line_key"]})]
        if found.category == "total":
            return None, [RowError("line_total", {"value": cells["line_key"]})]
        return found, []
    errors: list[RowError] = []
    candidates = [line for line in lines if line.category != "total"]
    if cells.get("line"):
        wanted = re.sub(r"\s+", " ", cells["line"]).casefold()
        candidates = [c for c in candidates if re.sub(r"\s+", " ", c.line).casefold() == wanted]
    if cells.get("category"):
        category = categories.get(cells["category"].strip().casefold())
        if category is None:
            errors.append(RowError("category_unknown", {"value": cells["category"]}))
        candidates = [c for c in candidates if c.category == category]
    if cells.get("funding"):
        elsewhere = _funding_of(cells["funding"])
        if elsewhere is None:
            errors.append(RowError("funding_unknown", {"value": cells["funding"]}))
        candidates = [c for c in candidates if c.funded_elsewhere == elsewhere]
    year = period.year if period else None
    if cells.get("year"):
        year = int(cells["year"]) if re.fullmatch(r"\d{4}", cells["year"]) else None
        if year is None:
            errors.append(RowError("year_bad", {"value": cells["year"]}))
    if errors or period is None:
        return None, errors
    # A line of the period's year wins over a line that covers the whole hanke.
    of_year = [c for c in candidates if c.year == year]
    candidates = of_year or [c for c in candidates if c.year is None]
    if not candidates:
        return None, [RowError("line_unknown")]
    if len(candidates) > 1:
        return None, [RowError("line_ambiguous", {"count": len(candidates)})]
    return candidates[0], []


def preview(
    rows: list[dict[str, Any]],
    *,
    lines: list[LineRef],
    existing: dict[tuple[int, date], Decimal],
    categories: list[tuple[str, Any]],
) -> Preview:
    """Each row of `read_file` checked and compared with `existing` totals, keyed by
    (budget line pk, period end). `categories` are the BudgetCategory choices."""
    category_names = _category_names(categories)
    result: list[PreviewRow] = []
    seen: dict[tuple[int, date], int] = {}
    for raw in rows:
        cells = raw["cells"]
        row = PreviewRow(number=raw["number"], cells=cells)
        if not cells.get("period"):
            row.errors.append(RowError("period_missing"))
        else:
            try:
                row.period = parse_period(cells["period"])
            except ValueError:
                row.errors.append(RowError("period_bad", {"value": cells["period"]}))
        try:
            row.amount = parse_money(cells.get("amount"))
        except MoneyRejected as exc:
            row.errors.append(RowError("amount", {"message": exc.args[0]}))
        row.line, line_errors = _match_line(cells, lines, row.period, category_names)
        row.errors.extend(line_errors)
        if row.line is not None and row.period is not None:
            key = (row.line.pk, row.period)
            if key in seen:
                row.errors.append(RowError("duplicate", {"row": seen[key]}))
            seen.setdefault(key, row.number)
        if not row.errors:
            old = existing.get((row.line.pk, row.period))
            row.old_amount = old
            row.status = "new" if old is None else "unchanged" if old == row.amount else "changed"
        result.append(row)
    return Preview(result)
