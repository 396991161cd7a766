"""Dates and periods as people write them, read once for every upload, form and plan (pure:
no ORM, no settings, no translation).

One grammar of spans (first and last day) serves three readers:
- `parse_date(text)`: a day, ISO (2022-12-31) or Finnish (31.12.2022), a time of day after
  it ignored; empty is None; anything else raises `PeriodError`.
- `parse_period(text)`: the last day of a period: a day is kept as it is, a month (3/2024,
  2024-03), a quarter (Q1/2024, 2024Q1) or a year (2024) ends on its last day; the year must
  lie in 2000–2100.
- `parse_schedule(text)`: (start, end) of a plan's schedule: a month, a month range
  (5-12/2022), a span (9/2022-3/2023), a quarter, a year or years (2023-2025); a list of
  steps separated by commas spans from the earliest start to the latest end; what cannot
  be read is (None, None), never a guess.
`month_end`, `year_end` and `period_end_for` (the last day of the month, quarter, half-year
or year that holds a day) are the only month-end arithmetic in the code.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date

FIRST_YEAR, LAST_YEAR = 2000, 2100  # periods and schedules outside these are typing errors


class PeriodError(ValueError):
    """The text is not a date or period of the kind asked for; `impossible` when it has the
    form of one but names no real day (31.2.2022, month 13) or a year out of range."""

    def __init__(self, text: str, *, impossible: bool = False) -> None:
        super().__init__(text)
        self.impossible = impossible


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def year_end(year: int) -> date:
    return date(year, 12, 31)


def period_end_for(day: date, frequency: str) -> date:
    """The last day of the period (month, quarter, half-year, year) that contains `day`."""
    if frequency == "monthly":
        month = day.month
    elif frequency == "quarterly":
        month = (day.month - 1) // 3 * 3 + 3
    elif frequency == "half_yearly":
        month = 6 if day.month <= 6 else 12
    else:
        month = 12
    return month_end(day.year, month)


# --- The grammar -----------------------------------------------------------------------------

Span = tuple[date, date]
_TIME = r"(?:[ t]\d{1,2}[:.]\d{2}(?::\d{2})?)?"


def _day(y: str, m: str, d: str) -> Span:
    day = date(int(y), int(m), int(d))
    return day, day


def _month(y: str, m: str) -> Span:
    return date(int(y), int(m), 1), month_end(int(y), int(m))


def _months(y: str, first: str, last: str) -> Span:
    if int(last) < int(first):
        raise ValueError
    return date(int(y), int(first), 1), month_end(int(y), int(last))


def _month_span(m1: str, y1: str, m2: str, y2: str) -> Span:
    start, end = _month(y1, m1)[0], _month(y2, m2)[1]
    if end < start:
        raise ValueError
    return start, end


def _quarter(y: str, q: str) -> Span:
    return date(int(y), 3 * int(q) - 2, 1), month_end(int(y), 3 * int(q))


def _years(first: str, last: str) -> Span:
    if int(last) < int(first):
        raise ValueError
    return date(int(first), 1, 1), year_end(int(last))


_N, _Y = r"(\d{1,2})", r"(\d{4})"  # a day, month or quarter number; a year

# (kind, pattern, span from the groups); patterns match normalised text (see _normalise).
_FORMS: list[tuple[str, re.Pattern[str], Callable[..., Span]]] = [
    ("day", re.compile(rf"^{_Y}-{_N}-{_N}{_TIME}$"), lambda y, m, d: _day(y, m, d)),
    ("day", re.compile(rf"^{_N}\.{_N}\.{_Y}{_TIME}$"), lambda d, m, y: _day(y, m, d)),
    ("months", re.compile(rf"^{_N}-{_N}/{_Y}$"), lambda m1, m2, y: _months(y, m1, m2)),
    ("months", re.compile(rf"^{_N}/{_Y}-{_N}/{_Y}$"), _month_span),
    ("month", re.compile(rf"^{_Y}[-/]{_N}$"), lambda y, m: _month(y, m)),
    ("month", re.compile(rf"^{_N}[/.]{_Y}$"), lambda m, y: _month(y, m)),
    ("quarter", re.compile(rf"^q ?([1-4])[/ -]?{_Y}$"), lambda q, y: _quarter(y, q)),
    ("quarter", re.compile(rf"^([1-4])/q/{_Y}$"), lambda q, y: _quarter(y, q)),
    ("quarter", re.compile(rf"^{_Y}[/ -]?q([1-4])$"), _quarter),
    ("years", re.compile(rf"^{_Y}-{_Y}$"), _years),
    ("year", re.compile(rf"^{_Y}$"), lambda y: _years(y, y)),
]

DAY = frozenset({"day"})
PERIOD = frozenset({"day", "month", "quarter", "year"})
SCHEDULE = frozenset({"months", "month", "quarter", "years", "year"})


def _normalise(text: str) -> str:
    """Lower case, en dash as hyphen, no blanks around separators, no word "vuosi"."""
    text = text.strip().casefold().replace("–", "-").replace("vuosi", "").strip()
    return re.sub(r"\s*([/.-])\s*", r"\1", re.sub(r"\s+", " ", text))


def parse_span(text: str, kinds: frozenset[str], *, years: tuple[int, int] | None = None) -> Span:
    """The (first, last) day of `text` read as one of `kinds`; PeriodError when it is none
    of them, names an impossible day (31.2.) or falls outside `years`."""
    value = _normalise(text)
    for kind, pattern, build in _FORMS:
        match = pattern.match(value) if kind in kinds else None
        if match is None:
            continue
        try:
            start, end = build(*match.groups())
        except ValueError:
            raise PeriodError(text, impossible=True) from None
        if years and not (years[0] <= start.year and end.year <= years[1]):
            raise PeriodError(text, impossible=True)
        return start, end
    raise PeriodError(text)


def parse_date(text: str) -> date | None:
    """A day written ISO or Finnish-style; empty is None; PeriodError otherwise."""
    if not text.strip():
        return None
    return parse_span(text, DAY)[0]


def parse_period(text: str) -> date:
    """The last day of the day, month, quarter or year written in `text`; PeriodError."""
    return parse_span(text, PERIOD, years=(FIRST_YEAR, LAST_YEAR))[1]


def parse_schedule(text: str | None) -> tuple[date | None, date | None]:
    """(start, end) of a schedule as a plan writes it; (None, None) when it cannot be read."""
    spans = []
    for part in (text or "").split(","):
        try:
            spans.append(parse_span(part, SCHEDULE, years=(FIRST_YEAR, LAST_YEAR)))
        except PeriodError:
            continue
    if not spans:
        return None, None
    return min(start for start, _end in spans), max(end for _start, end in spans)
