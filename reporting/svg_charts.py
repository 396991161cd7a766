"""Line charts drawn server-side as SVG, for documents that cannot run JavaScript (the PDFs).

The pages draw their charts with Plotly in the browser (reporting/charts.py); a PDF made
with WeasyPrint gets the same figures as inline SVG built here:

- `line_chart()` (pure: no ORM, no Django) places time series in a box with a y axis of
  "nice" ticks (1, 2, 2.5 or 5 × 10ⁿ), an x axis of years or months, horizontal reference
  lines (a baseline), a legend whose entries show each series' dash and marker (so the
  lines differ by more than colour), and a text alternative: `<title>` and `<desc>` inside
  the SVG, referenced by `aria-labelledby`. The caller formats numbers and dates (so the
  chart reads "1 304 000" in Finnish) and keeps a data table beside the chart.
- `burn_chart()` and `indicator_chart()` adapt a `BudgetSummary` and an indicator with its
  measurements and targets; they format in the active language.

Coordinates are written with a full stop and at most two decimals (as in
measures/sparkline.py): a float given to a template would be localized ("12,5") and break
the SVG. Every text is XML-escaped here, so `Chart.html` marks the result safe for templates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape
from itertools import count

Number = Decimal | float | int

# The colours of reporting/charts.py (and portal.css), all at least 4.5:1 on white.
COLOURS = {
    "value": "#003580",
    "target": "#0b6b2b",
    "expected": "#6b4e00",
    "baseline": "#4a4a4a",
    "generated": "#9c1c5b",  # values generated for the demo ("demo, generated")
}
DASHES = {"solid": "", "dash": "6 4", "dot": "2 3"}
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One line (or only markers) over time."""

    name: str
    points: Sequence[tuple[date, Number]]
    colour: str = COLOURS["value"]
    dash: str = "solid"  # a key of DASHES
    marker: str | None = "circle"  # "circle" | "ring" | "diamond" | "square" | None
    line: bool = True  # False: markers only (targets)
    step: bool = False  # True: the value holds until the next point (cumulative spending)


@dataclass(frozen=True)
class RefLine:
    """A horizontal line across the whole chart (a baseline)."""

    name: str
    value: Number
    colour: str = COLOURS["baseline"]
    dash: str = "dot"


@dataclass(frozen=True)
class Chart:
    svg: str  # the <svg> element, escaped, safe to put into HTML as it is
    title: str
    description: str
    x_ticks: list[str] = field(default_factory=list)
    y_ticks: list[str] = field(default_factory=list)

    @property
    def html(self):
        """The SVG for a template (`{{ chart.html }}`), not escaped again."""
        from django.utils.safestring import mark_safe

        # Safe: line_chart escapes every text it puts into the SVG, and the rest is numbers.
        return mark_safe(self.svg)  # noqa: S308


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 × 10ⁿ, about `target`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("ticks need finite bounds")
    if high < low:
        low, high = high, low
    if high == low:
        # A flat series: a band around the value, so the line sits inside the box.
        spread = abs(high) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def yearly(start: date, end: date) -> bool:
    """Whether the x axis of this span is labelled by years (else by months)."""
    return abs(end.year - start.year) >= 2


def date_ticks(start: date, end: date, limit: int = 8) -> list[date]:
    """First days of years (long spans) or of months (short ones) between start and end."""
    if end < start:
        start, end = end, start
    if yearly(start, end):
        years = list(range(start.year + (start > date(start.year, 1, 1)), end.year + 1))
        step = max(1, math.ceil(len(years) / limit))
        return [date(y, 1, 1) for y in years[::step]]
    months = []
    year, month = start.year, start.month
    if start.day > 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while date(year, month, 1) <= end:
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = max(1, math.ceil(len(months) / limit))
    return months[::step] or [start]


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "diamond":
        r = 5.5
        points = f"{_num(x)},{_num(y - r)} {_num(x + r)},{_num(y)} {_num(x)},{_num(y + r)} "
        points += f"{_num(x - r)},{_num(y)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8" fill="{colour}"/>'
    if kind == "ring":  # hollow: values generated for the demo
        return (
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="#ffffff" stroke="{colour}" '
            f'stroke-width="1.5"/>'
        )
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{colour}"/>'


def _dash(name: str) -> str:
    pattern = DASHES.get(name, "")
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    format_value: Callable[[float], str],
    format_date: Callable[[date], str] = lambda d: f"{d.month}/{d.year}",
    ref_lines: Sequence[RefLine] = (),
    x_range: tuple[date, date] | None = None,
    y_title: str = "",
    y_from_zero: bool = False,
    width: int = 640,
    height: int = 260,
) -> Chart:
    """An SVG line chart of `series` (dates on x, numbers on y); see the module docstring.

    Raises ValueError for a value that is not a finite number.
    """
    values = [float(v) for s in series for _d, v in s.points]
    values += [float(r.value) for r in ref_lines]
    if any(not math.isfinite(v) for v in values):
        raise ValueError("chart values must be finite numbers")
    days = [d for s in series for d, _v in s.points]
    if x_range is None and days:
        x_range = (min(days), max(days))
    uid = f"chart-{next(_ids)}"
    title_id, desc_id = f"{uid}-title", f"{uid}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svg-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    if x_range is None:  # nothing to draw: the text alternative says so
        return Chart(head + "</svg>", title, description)

    legend_rows = 1 + (len(series) + len(ref_lines)) // 4
    left, right, top = 74, 16, 12
    bottom = 34 + 18 * legend_rows
    inner_w, inner_h = width - left - right, height - top - bottom

    low = min(values) if values else 0.0
    high = max(values) if values else 1.0
    if y_from_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high)
    y_low, y_high = ticks[0], ticks[-1]

    x_start, x_end = x_range
    span = (x_end.toordinal() - x_start.toordinal()) or 1

    def x_of(day: date) -> float:
        if x_start == x_end:
            return left + inner_w / 2
        return left + (day.toordinal() - x_start.toordinal()) / span * inner_w

    def y_of(value: float) -> float:
        return top + (y_high - float(value)) / ((y_high - y_low) or 1) * inner_h

    parts = [head, '<g font-family="DejaVu Sans, sans-serif" font-size="10" fill="#1a1a1a">']
    # Grid and y axis labels
    y_labels = []
    for tick in ticks:
        y = y_of(tick)
        label = format_value(tick)
        y_labels.append(label)
        parts.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + inner_w}" y2="{_num(y)}" '
            f'stroke="#d0d0d0" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{_num(y + 3.5)}" text-anchor="end">{escape(label)}</text>'
        )
    if y_title:
        middle = top + inner_h / 2
        parts.append(
            f'<text x="12" y="{_num(middle)}" text-anchor="middle" '
            f'transform="rotate(-90 12 {_num(middle)})">{escape(y_title)}</text>'
        )
    # x axis with ticks
    axis_y = top + inner_h
    parts.append(
        f'<line x1="{left}" y1="{_num(axis_y)}" x2="{left + inner_w}" y2="{_num(axis_y)}" '
        f'stroke="#1a1a1a" stroke-width="1"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{_num(axis_y)}" '
        f'stroke="#1a1a1a" stroke-width="1"/>'
    )
    x_labels = []
    for tick in date_ticks(x_start, x_end) if x_start != x_end else [x_start]:
        x = x_of(tick)
        label = str(tick.year) if yearly(x_start, x_end) else format_date(tick)
        x_labels.append(label)
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(axis_y)}" x2="{_num(x)}" y2="{_num(axis_y + 4)}" '
            f'stroke="#1a1a1a"/>'
            f'<text x="{_num(x)}" y="{_num(axis_y + 16)}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    # Reference lines, then the series on top of them
    for ref in ref_lines:
        y = y_of(float(ref.value))
        parts.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + inner_w}" y2="{_num(y)}" '
            f'stroke="{ref.colour}" stroke-width="1.5"{_dash(ref.dash)}/>'
        )
    for one in series:
        coords = [(x_of(d), y_of(float(v))) for d, v in sorted(one.points, key=lambda p: p[0])]
        if one.line and len(coords) > 1:
            path = [f"M{_num(coords[0][0])},{_num(coords[0][1])}"]
            for (_x0, y0), (x1, y1) in zip(coords, coords[1:], strict=False):
                if one.step:
                    path.append(f"L{_num(x1)},{_num(y0)}")
                path.append(f"L{_num(x1)},{_num(y1)}")
            parts.append(
                f'<path d="{" ".join(path)}" fill="none" stroke="{one.colour}" '
                f'stroke-width="2"{_dash(one.dash)}/>'
            )
        if one.marker:
            parts.extend(_marker(one.marker, x, y, one.colour) for x, y in coords)
    # Legend: a sample of each line (dash and marker) with its name, four to a row
    entries = [(s.name, s.colour, s.dash if s.line else None, s.marker) for s in series]
    entries += [(r.name, r.colour, r.dash, None) for r in ref_lines]
    slot = (width - left) / 4
    for index, (name, colour, dash, marker) in enumerate(entries):
        x = left + (index % 4) * slot
        y = axis_y + 34 + 18 * (index // 4)
        if dash is not None:
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(y - 3.5)}" x2="{_num(x + 22)}" '
                f'y2="{_num(y - 3.5)}" stroke="{colour}" stroke-width="2"{_dash(dash)}/>'
            )
        if marker:
            parts.append(_marker(marker, x + 11, y - 3.5, colour))
        parts.append(f'<text x="{_num(x + 28)}" y="{_num(y)}">{escape(name)}</text>')
    parts.append("</g></svg>")
    return Chart("".join(parts), title, description, x_labels, y_labels)


# --- The portal's two charts, formatted in the active language ------------------------------


def _format_number(decimals: int) -> Callable[[float], str]:
    from django.utils.formats import number_format

    def format_value(value: float) -> str:
        return number_format(Decimal(str(value)), decimals, use_l10n=True, force_grouping=True)

    return format_value


def _decimals_of(ticks_from: Sequence[float]) -> int:
    """Decimals the axis labels need: none for whole ticks, else up to two."""
    for decimals in (0, 1, 2):
        if all(abs(v * 10**decimals - round(v * 10**decimals)) < 1e-9 for v in ticks_from):
            return decimals
    return 2


def _chart(**kwargs) -> Chart:
    """line_chart with y labels of as many decimals as the ticks need."""
    values = [float(v) for s in kwargs["series"] for _d, v in s.points]
    values += [float(r.value) for r in kwargs.get("ref_lines", ())]
    if kwargs.get("y_from_zero"):
        values.append(0.0)
    ticks = nice_ticks(min(values), max(values)) if values else [0.0, 1.0]
    return line_chart(format_value=_format_number(_decimals_of(ticks)), **kwargs)


def burn_chart(summary) -> Chart:
    """Cumulative spending against the straight line from nothing at the start of the budget
    period to the whole budget at its end (a `projects.selectors.BudgetSummary` with a
    budget and a period; no queries)."""
    from django.template.defaultfilters import date as date_filter
    from django.utils.translation import gettext as _

    from projects.templatetags.money import euros, percent

    start, end = summary.period
    series = [
        Series(
            _("Expected (straight line)"),
            [(start, 0), (end, summary.budget)],
            colour=COLOURS["expected"],
            dash="dash",
            marker=None,
        )
    ]
    points = sorted(summary.burn, key=lambda p: p.day)
    if points:
        series.append(
            Series(
                _("Spent (cumulative)"),
                [(start, 0)] + [(p.day, p.cumulative) for p in points],
                step=True,
            )
        )
    description = _(
        "Budget %(budget)s for %(start)s–%(end)s; spent %(spent)s (%(share)s), expected by "
        "now %(expected)s. The figures are in the table below the chart."
    ) % {
        "budget": euros(summary.budget),
        "start": date_filter(start, "j.n.Y"),
        "end": date_filter(end, "j.n.Y"),
        "spent": euros(summary.spent),
        "share": percent(summary.share_used),
        "expected": percent(summary.expected_share),
    }
    return _chart(
        title=_("Burn chart: cumulative spending and the expected straight line"),
        description=description,
        series=series,
        x_range=(start, end),
        y_title=_("Euros"),
        y_from_zero=True,
    )


def indicator_chart(indicator, measurements: Sequence, targets: Sequence) -> Chart:
    """Measurements, baseline and targets of one indicator (no queries: the caller passes
    the rows). The expected trajectory runs from the baseline (else the first value) to the
    last target, as on the indicator page. Generated values (source "demo") are drawn as
    their own series, "demo, generated": hollow rings on a dotted line."""
    from django.template.defaultfilters import date as date_filter
    from django.utils.translation import gettext as _

    from portal.templatetags.portal_tags import quantity

    ordered = sorted(measurements, key=lambda m: m.period)
    points = [(m.period, m.value) for m in ordered]
    # Values generated for the demo are a series of their own, never "Measured value".
    measured = [(m.period, m.value) for m in ordered if not m.is_demo]
    generated = [(m.period, m.value) for m in ordered if m.is_demo]
    goals = sorted(((t.target_date, t.value) for t in targets), key=lambda p: p[0])
    series = []
    if measured or not generated:
        series.append(Series(_("Measured value"), measured))
    if generated:
        series.append(
            Series(
                _("demo, generated"),
                generated,
                colour=COLOURS["generated"],
                dash="dot",
                marker="ring",
            )
        )
    if goals:
        series.append(
            Series(_("Target"), goals, colour=COLOURS["target"], marker="diamond", line=False)
        )
    start = None
    if indicator.baseline_value is not None and indicator.baseline_date:
        start = (indicator.baseline_date, indicator.baseline_value)
    elif points:
        start = points[0]
    if start and goals:
        series.append(
            Series(
                _("Expected trajectory"),
                [start, goals[-1]],
                colour=COLOURS["expected"],
                dash="dash",
                marker=None,
            )
        )
    refs = []
    if indicator.baseline_value is not None:
        refs.append(RefLine(_("Baseline"), indicator.baseline_value))
    unit = str(indicator.get_unit_display())
    if points:
        latest_day, latest = points[-1]
        numbers = {
            "count": len(points),
            "first": date_filter(points[0][0], "j.n.Y"),
            "last": date_filter(latest_day, "j.n.Y"),
            "value": quantity(latest),
        }
        if generated:
            description = _(
                "%(count)s values from %(first)s to %(last)s, %(generated)s of them generated "
                "for the demo, not measured; latest %(value)s."
            ) % {**numbers, "generated": len(generated)}
        else:
            description = (
                _("%(count)s measured values from %(first)s to %(last)s; latest %(value)s.")
                % numbers
            )
    else:
        description = _("No measured values yet.")
    if goals:
        description += " " + _("Final target %(value)s by %(day)s.") % {
            "value": quantity(goals[-1][1]),
            "day": date_filter(goals[-1][0], "j.n.Y"),
        }
    if indicator.baseline_value is not None:
        baseline = quantity(indicator.baseline_value)
        description += " " + _("Baseline %(value)s.") % {"value": baseline}
    return _chart(
        title=f"{indicator.code} {indicator.display_name}",
        description=description,
        series=series,
        ref_lines=refs,
        y_title=unit,
        width=640,
        height=190,
    )
