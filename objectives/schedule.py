"""Parse schedules as the plans write them into start and end dates (pure, no ORM).

The plans write "5-12/2022", "8-12/2022", "Q3/2023", "3/2023", "2022", "2023-2025" or
nothing at all. The text is always kept as written; these dates only feed the status rules.
An unrecognised text gives (None, None) rather than a guess.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_YEAR = r"(20\d\d)"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(\d{{1,2}})\s*[-–]\s*(\d{{1,2}})\s*/\s*{_YEAR}$"), "month_range"),
    (re.compile(rf"^(\d{{1,2}})\s*/\s*{_YEAR}\s*[-–]\s*(\d{{1,2}})\s*/\s*{_YEAR}$"), "month_span"),
    (re.compile(rf"^q\s*([1-4])\s*/\s*{_YEAR}$"), "quarter"),
    (re.compile(rf"^([1-4])\s*/\s*q\s*/\s*{_YEAR}$"), "quarter"),
    (re.compile(rf"^(\d{{1,2}})\s*/\s*{_YEAR}$"), "month"),
    (re.compile(rf"^{_YEAR}\s*[-–]\s*{_YEAR}$"), "year_range"),
    (re.compile(rf"^{_YEAR}$"), "year"),
]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _valid_month(*months: int) -> bool:
    return all(1 <= m <= 12 for m in months)


def parse_schedule(text: str | None) -> tuple[date | None, date | None]:
    """Return (start, end) for a schedule as written; (None, None) when it cannot be read.

    A list of steps ("5-8/2022, 9-11/2022") spans from the earliest start to the latest end
    of the steps that can be read.
    """
    if not text:
        return None, None
    spans = [_parse_one(part) for part in text.split(",")]
    starts = [start for start, _ in spans if start]
    ends = [end for _, end in spans if end]
    if not starts or not ends:
        return None, None
    return min(starts), max(ends)


def _parse_one(text: str) -> tuple[date | None, date | None]:
    cleaned = text.strip().lower().replace("vuosi", "").strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            return _dates_for(kind, [int(g) for g in match.groups()])
    return None, None


def _dates_for(kind: str, parts: list[int]) -> tuple[date | None, date | None]:
    if kind == "month_range":
        first, last, year = parts
        if not _valid_month(first, last) or last < first:
            return None, None
        return date(year, first, 1), _month_end(year, last)
    if kind == "month_span":
        m1, y1, m2, y2 = parts
        if not _valid_month(m1, m2) or (y2, m2) < (y1, m1):
            return None, None
        return date(y1, m1, 1), _month_end(y2, m2)
    if kind == "quarter":
        quarter, year = parts
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if kind == "month":
        month, year = parts
        if not _valid_month(month):
            return None, None
        return date(year, month, 1), _month_end(year, month)
    if kind == "year_range":
        first, last = parts
        if last < first:
            return None, None
        return date(first, 1, 1), date(last, 12, 31)
    (year,) = parts
    return date(year, 1, 1), date(year, 12, 31)
