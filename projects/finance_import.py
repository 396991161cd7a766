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

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.periods import PeriodError
from portal.periods import parse_period
from portal.uploads import Limits
from portal.uploads import Table
from portal.uploads import UploadRejected
from portal.uploads import read_csv
from portal.uploads.columns import Column
from portal.uploads.columns import ColumnSpec
from portal.uploads.columns import filled_rows
from portal.uploads.columns import first_filled
from portal.uploads.columns import norm
from portal.uploads.preview import CHANGED
from portal.uploads.preview import NEW
from portal.uploads.preview import UNCHANGED
from portal.uploads.preview import Plan
from portal.uploads.preview import RowPlan

from .money import MoneyRejected
from .money import parse_money

# The columns and the other names people give them (Finnish, Swedish, English).
SPEC = ColumnSpec([
    Column("period", required=True, parse=parse_period, aliases=(
        "kausi", "jakso", "ajanjakso", "kuukausi", "month", "månad", "date", "pvm",
        "päivämäärä", "datum")),
    Column("amount", required=True, parse=parse_money, aliases=(
        "summa", "määrä", "euroa", "eur", "€", "belopp", "total", "yhteensä")),
    Column("line_key", aliases=("key", "avain", "rivin avain", "budjettirivin avain", "nyckel")),
    Column("line", aliases=("budget line", "rivi", "budjettirivi", "budgetrad", "rad")),
    Column("year", aliases=("vuosi", "år")),
    Column("category", aliases=("cost category", "kustannuslaji", "kululaji", "kategoria",
                                "kostnadsslag")),
    Column("funding", aliases=("rahoitus", "finansiering")),
])  # fmt: skip
COLUMNS = {column.key: column.aliases for column in SPEC}  # for the page that describes them
LINE_COLUMNS = {"line_key", "line", "category"}  # one of these finds the budget line

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


@dataclass
class PreviewRow(RowPlan):
    cells: dict[str, str] = field(default_factory=dict)
    line: LineRef | None = None
    period: date | None = None
    amount: Decimal | None = None
    old_amount: Decimal | None = None

    def cell(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def line_as_written(self) -> str:
        """How the file names the line, for a row that matched none."""
        return self.cell("line_key") or self.cell("line") or self.cell("category") or "–"


Preview = Plan


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


def _header(rows: list[list[str]]) -> tuple[int, list[str]]:
    """The header row's index and its columns' keys; FileRejected for a header we cannot use."""
    index = first_filled(rows)
    if index is None:  # only separators
        raise FileRejected(_("The file is empty."))
    names = rows[index]
    columns = [SPEC.resolve(name) for name in names]
    unknown = [name for name, column in zip(names, columns, strict=True) if column is None]
    if unknown:
        raise FileRejected(
            _("Unknown columns: %(columns)s. The columns are described on this page.")
            % {"columns": ", ".join(f"“{name.strip()}”" for name in unknown)}
        )
    if len(set(columns)) != len(columns):
        raise FileRejected(_("A column appears twice in the header."))
    if SPEC.missing(columns) or not LINE_COLUMNS & set(columns):
        raise FileRejected(
            _(
                "The file needs the columns period and amount, and a line key, a line or a "
                "cost category to find the budget line."
            )
        )
    return index, columns


def read_file(raw: bytes) -> list[dict[str, Any]]:
    """The data rows as {"number": n, "cells": {column: text}}; FileRejected when unreadable."""
    table = _records(raw)
    index, columns = _header(table.rows)
    body = filled_rows(table.numbers[index + 1 :], table.rows[index + 1 :])
    data = [
        {
            "number": number,
            "cells": {
                key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(columns)
            },
        }
        for number, row in body
    ]
    if not data:
        raise FileRejected(_("The file has a header but no rows."))
    return data


# --- Checking the rows: one function per field rule -------------------------------------------


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


def _period(row: PreviewRow) -> None:
    text = row.cell("period")
    if not text:
        row.reject("period", _("The period is missing."))
        return
    try:
        row.period = parse_period(text)
    except PeriodError:
        row.reject(
            "period",
            _("“%(value)s” is not a period: write e.g. 3/2024, 2024-03, Q1/2024 or 31.3.2024."),
            value=text,
        )


def _amount(row: PreviewRow) -> None:
    try:
        row.amount = parse_money(row.cells.get("amount"))
    except MoneyRejected as exc:
        row.reject("amount", exc.args[0])


def _by_key(row: PreviewRow, lines: list[LineRef]) -> None:
    text = row.cell("line_key")
    key = text.lstrip("#")
    found = next((line for line in lines if key.isdigit() and line.pk == int(key)), None)
    if found is None:
        row.reject(
            "line_key", _("The hanke has no budget line with the key %(value)s."), value=text
        )
    elif found.category == "total":
        message = _("The line %(value)s is a total of the plan; import to itemised lines.")
        row.reject("line_key", message, value=text)
    else:
        row.line = found


def _by_line(row: PreviewRow, candidates: list[LineRef]) -> list[LineRef]:
    if not row.cell("line"):
        return candidates
    wanted = norm(row.cell("line"))
    return [line for line in candidates if norm(line.line) == wanted]


def _by_category(row: PreviewRow, candidates: list[LineRef], names: dict) -> list[LineRef]:
    text = row.cell("category")
    if not text:
        return candidates
    category = names.get(text.strip().casefold())
    if category is None:
        row.reject("category", _("Unknown cost category “%(value)s”."), value=text)
    return [line for line in candidates if line.category == category]


def _by_funding(row: PreviewRow, candidates: list[LineRef]) -> list[LineRef]:
    text = row.cell("funding")
    if not text:
        return candidates
    elsewhere = _funding_of(text)
    if elsewhere is None:
        row.reject(
            "funding", _("Unknown funding “%(value)s”: write state aid or own share."), value=text
        )
    return [line for line in candidates if line.funded_elsewhere == elsewhere]


def _year(row: PreviewRow) -> int | None:
    text = row.cell("year")
    if not text:
        return row.period.year if row.period else None
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    row.reject("year", _("“%(value)s” is not a year."), value=text)
    return None


def _line(row: PreviewRow, lines: list[LineRef], names: dict) -> None:
    """The one budget line the row names: by its key, else by line, category, funding and
    year."""
    if row.cell("line_key"):
        _by_key(row, lines)
        return
    before = len(row.errors)
    candidates = [line for line in lines if line.category != "total"]
    candidates = _by_funding(row, _by_category(row, _by_line(row, candidates), names))
    year = _year(row)
    if len(row.errors) == before and row.period is not None:
        _pick(row, candidates, year)


def _pick(row: PreviewRow, candidates: list[LineRef], year: int | None) -> None:
    """A line of the period's year wins over a line that covers the whole hanke; exactly one
    must be left."""
    candidates = [c for c in candidates if c.year == year] or [
        c for c in candidates if c.year is None
    ]
    if len(candidates) == 1:
        row.line = candidates[0]
    elif not candidates:
        row.reject("", _("No budget line of the hanke matches this row."))
    else:
        row.reject(
            "",
            _(
                "Several budget lines match (%(count)s): give the line key, or the line, year, "
                "category and funding."
            ),
            count=len(candidates),
        )


def _duplicate(row: PreviewRow, seen: dict[tuple[int, date], int]) -> None:
    if row.line is None or row.period is None:
        return
    key = (row.line.pk, row.period)
    if key in seen:
        row.reject("", _("The same line and period are already on row %(row)s."), row=seen[key])
    seen.setdefault(key, row.number)


def _compare(row: PreviewRow, existing: dict[tuple[int, date], Decimal]) -> None:
    if row.rejected:
        return
    row.old_amount = existing.get((row.line.pk, row.period))
    if row.old_amount is None:
        row.outcome = NEW
    else:
        row.outcome = UNCHANGED if row.old_amount == row.amount else CHANGED


def preview(
    rows: list[dict[str, Any]],
    *,
    lines: list[LineRef],
    existing: dict[tuple[int, date], Decimal],
    categories: list[tuple[str, Any]],
) -> Preview:
    """Each row of `read_file` checked and compared with `existing` totals, keyed by
    (budget line pk, period end). `categories` are the BudgetCategory choices."""
    names = _category_names(categories)
    result: list[PreviewRow] = []
    seen: dict[tuple[int, date], int] = {}
    for raw in rows:
        row = PreviewRow(number=raw["number"], cells=raw["cells"])
        _period(row)
        _amount(row)
        _line(row, lines, names)
        _duplicate(row, seen)
        _compare(row, existing)
        result.append(row)
    return Preview(result)
