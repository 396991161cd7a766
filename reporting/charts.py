"""Plotly figures built from selector output (R12). Pages receive them as JSON data blocks
(`json_script`) drawn by static/js/charts.js, because the Content Security Policy allows
no inline script; the values are always also shown as a table beside the chart.

Every figure carries `locale`: the page language's month and day names, number separators
and date formats as a Plotly locale module's `format`, built from Django's own translations
and format files, so axis ticks and hover labels read "tammi 2023" and "1\u00a0234,5" on a
Finnish page. charts.js registers it with `Plotly.register` and draws with that locale.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from datetime import datetime

import plotly.io as pio
from django.utils import dateformat, formats, translation
from django.utils.dates import MONTHS, MONTHS_AP, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from measures.models import Indicator
from portal.lights import COLOURS, Light

_COLOURS = {
    "value": "#003580",
    "target": "#0b6b2b",
    "expected": "#6b4e00",
    "baseline": "#4a4a4a",
    "generated": "#9c1c5b",  # the "demo, generated" badge of portal.css
}
# Lines of several hankkeet in one chart differ by marker shape and dash as well as colour.
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

# Django date-format characters → d3-time-format directives (Plotly formats dates with d3).
# Months come out abbreviated where Django would write them in full (F, E): axis ticks are
# short, and `shortMonths` holds the language's own abbreviation ("tammi", "Jan.").
_DJANGO_TO_D3 = {
    "d": "%d",
    "j": "%-d",
    "D": "%a",
    "l": "%A",
    "m": "%m",
    "n": "%-m",
    "M": "%b",
    "b": "%b",
    "N": "%b",
    "F": "%B",
    "E": "%B",
    "y": "%y",
    "Y": "%Y",
    "H": "%H",
    "G": "%-H",
    "h": "%I",
    "g": "%-I",
    "i": "%M",
    "s": "%S",
    "A": "%p",
    "a": "%p",
    "P": "%-I:%M %p",
}
# Plotly's `currency` pair (prefix, suffix) for the "$" number format: the programme is in
# euros, written after the amount in Finnish and Swedish and before it in English.
_EURO = {"en": ("€", "")}
_EURO_DEFAULT = ("", "\u00a0€")
# Whole numbers with the language's grouping ("12 500"), not SI suffixes ("12.5k").
_PLAIN_NUMBERS = {"exponentformat": "none", "separatethousands": True}
_MORNING, _EVENING = datetime(2000, 1, 1, 9), datetime(2000, 1, 1, 21)


def d3_date_format(django_format: str, *, short_months: bool = False) -> str:
    """A Django date format ("j.n.Y", "N j, Y") as a d3-time-format string ("%-d.%-m.%Y")."""
    out: list[str] = []
    chars = iter(django_format)
    for char in chars:
        if char == "\\":
            out.append(next(chars, ""))  # an escaped character is literal text
        elif char == "%":
            out.append("%%")
        else:
            out.append(_DJANGO_TO_D3.get(char, char))
    result = "".join(out)
    return result.replace("%B", "%b") if short_months else result


def plotly_locale(language: str | None = None) -> dict:
    """Plotly's locale module data for the page language (active language by default).

    {"name": "fi", "format": {...}}: the `format` keys are those of Plotly's own locale
    modules (days from Sunday, months, separators, grouping, date formats), all taken from
    Django (django.utils.dates names and the language's formats module).
    """
    language = (language or translation.get_language() or "fi")[:2]
    with translation.override(language):
        # Plotly counts weekdays from Sunday, Django from Monday.
        order = [6, 0, 1, 2, 3, 4, 5]
        fmt = {
            "days": [str(WEEKDAYS[i]) for i in order],
            "shortDays": [str(WEEKDAYS_ABBR[i]) for i in order],
            "months": [str(MONTHS[m]) for m in range(1, 13)],
            "shortMonths": [str(MONTHS_AP[m]) for m in range(1, 13)],
            # Django's own "AM"/"PM" (dateformat's "A"), translated by Django's catalogue.
            "periods": [dateformat.format(_MORNING, "A"), dateformat.format(_EVENING, "A")],
            "decimal": formats.get_format("DECIMAL_SEPARATOR", language),
            "thousands": formats.get_format("THOUSAND_SEPARATOR", language),
            "grouping": [int(formats.get_format("NUMBER_GROUPING", language)) or 3],
            "currency": list(_EURO.get(language, _EURO_DEFAULT)),
            "date": d3_date_format(formats.get_format("SHORT_DATE_FORMAT", language)),
            "time": d3_date_format(formats.get_format("TIME_FORMAT", language)),
            "dateTime": d3_date_format(formats.get_format("DATETIME_FORMAT", language)),
            "year": "%Y",
            "month": d3_date_format(
                formats.get_format("YEAR_MONTH_FORMAT", language), short_months=True
            ),
            "dayMonth": d3_date_format(
                formats.get_format("MONTH_DAY_FORMAT", language), short_months=True
            ),
            "dayMonthYear": d3_date_format(
                formats.get_format("DATE_FORMAT", language), short_months=True
            ),
        }
    return {"name": language, "format": fmt}


def _text(value: str) -> str:
    """Names typed by people, safe for Plotly, which reads tags such as <a href> in labels
    and turns &lt; &gt; &amp; (not &quot;) back into characters; without tags, quotes are
    harmless."""
    return html.escape(value, quote=False)


# Figures are written as Plotly's JSON data (what `go.Figure(...).to_json()` gives), not built
# from graph objects: those validate every property on construction, about 50 000 Python
# calls for one comparison chart on every request. tests/test_charts.py validates each
# figure against Plotly's schema with `go.Figure(figure)` instead.


def _trace(kind: str, **props) -> dict:
    return {"type": kind, **props}


def _title(text: str) -> dict:
    return {"text": text}


def _as_data(traces: list[dict], layout: dict) -> dict:
    """The figure as plain JSON data for `json_script`, with Plotly's default template (as
    a graph object figure carries it) and the page language's locale."""
    return {
        "data": traces,
        "layout": {"template": _template(), **layout},
        "locale": plotly_locale(),
    }


@functools.cache
def _template() -> dict:
    """Plotly's default template as data (it never changes while the process runs)."""
    return pio.templates[pio.templates.default].to_plotly_json()


def indicator_figure(indicator: Indicator) -> dict:
    """Measurements, baseline, targets and the expected trajectory of one indicator.

    Uses the indicator's prefetched measurements and targets (no queries of its own).
    Values the demo loader generated (source "demo") are a trace of their own, "demo,
    generated", with hollow markers and a dotted line, never part of "Measured value";
    `generated` in the result counts them.
    """
    points = sorted(indicator.measurements.all(), key=lambda m: m.period)
    targets = sorted(indicator.targets.all(), key=lambda t: t.target_date)
    measured = [m for m in points if not m.is_demo]
    generated = [m for m in points if m.is_demo]
    traces = []
    if measured or not generated:
        traces.append(
            _trace(
                "scatter",
                x=[m.period.isoformat() for m in measured],
                y=[float(m.value) for m in measured],
                mode="lines+markers",
                name=_("Measured value"),
                line={"color": _COLOURS["value"]},
            )
        )
    if generated:
        traces.append(_generated_trace(generated))
    if targets:
        traces.append(
            _trace(
                "scatter",
                x=[t.target_date.isoformat() for t in targets],
                y=[float(t.value) for t in targets],
                mode="markers",
                name=_("Target"),
                marker={"symbol": "diamond", "size": 11, "color": _COLOURS["target"]},
            )
        )
    start = _start(indicator, points)
    if start and targets:
        traces.append(
            _trace(
                "scatter",
                x=[start[0].isoformat(), targets[-1].target_date.isoformat()],
                y=[float(start[1]), float(targets[-1].value)],
                mode="lines",
                name=_("Expected trajectory"),
                line={"dash": "dash", "color": _COLOURS["expected"]},
            )
        )
    layout = {
        "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": _title(str(indicator.get_unit_display())), **_PLAIN_NUMBERS},
    }
    data = _as_data(traces, layout)
    data["generated"] = len(generated)
    return data


def _generated_trace(points: list, *, line: bool = True) -> dict:
    """Generated values (source "demo"): hollow markers (on a dotted line), named in words."""
    return _trace(
        "scatter",
        x=[m.period.isoformat() for m in points],
        y=[float(m.value) for m in points],
        mode="lines+markers" if line else "markers",
        name=_("demo, generated"),
        line={"color": _COLOURS["generated"], "dash": "dot"},
        marker={"symbol": "circle-open", "size": 11, "color": _COLOURS["generated"]},
    )


def _start(indicator: Indicator, points: list) -> tuple | None:
    if indicator.baseline_value is not None and indicator.baseline_date:
        return indicator.baseline_date, indicator.baseline_value
    return (points[0].period, points[0].value) if points else None


def ht_comparison_figure(rows: Iterable) -> dict:
    """Stacked horizontal bars: each hanke's share of green … grey items, in percent.

    `rows` are `compare.HtRow`s; a hanke with nothing assessed gets an empty bar (the table
    beside the chart says "nothing to count").
    """
    rows = list(rows)
    labels = [_text(row.label) for row in rows]
    traces = []
    for light in Light:
        counts = [row.counts.get(light.value, 0) for row in rows]
        shares = [
            round(100 * count / row.counted, 1) if row.counted else 0
            for count, row in zip(counts, rows, strict=True)
        ]
        traces.append(
            _trace(
                "bar",
                y=labels,
                x=shares,
                customdata=counts,
                orientation="h",
                name=f"{light.symbol} {light.label}",
                marker={"color": COLOURS[light].strong},  # portal/lights.py
                hovertemplate="%{y}: %{customdata} (%{x} %)<extra>%{fullData.name}</extra>",
            )
        )
    layout = {
        "barmode": "stack",
        "margin": {"l": 20, "r": 20, "t": 40, "b": 50},
        "height": 150 + 40 * len(rows),
        # Above the bars: below them it would collide with the axis title on short charts.
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": 1.02,
            "yanchor": "bottom",
            "traceorder": "normal",
        },
        "xaxis": {"title": _title(_("Share of the items rolled up (%)")), "range": [0, 100]},
        "yaxis": {"autorange": "reversed", "automargin": True},
    }
    return _as_data(traces, layout)


def indicator_comparison_figure(rows: Iterable, unit_label: str = "") -> dict:
    """One line per hanke over time: the measurements of one shared indicator.

    `rows` are `compare.IndicatorRow`s with their measurements loaded (no queries here);
    hankkeet without measurements get no line. Lines differ by marker and dash, not only
    by colour. Values generated for the demo are ringed by one more trace, "demo,
    generated", so the legend says which points are not measurements.
    """
    traces = []
    generated = []
    for index, row in enumerate(r for r in rows if r.measurements):
        traces.append(
            _trace(
                "scatter",
                x=[m.period.isoformat() for m in row.measurements],
                y=[float(m.value) for m in row.measurements],
                mode="lines+markers",
                name=_text(row.label),
                marker={"symbol": _SYMBOLS[index % len(_SYMBOLS)], "size": 8},
                line={"dash": _DASHES[index % len(_DASHES)]},
            )
        )
        generated += [m for m in row.measurements if m.is_demo]
    if generated:  # ringed on every hanke's line, with a legend entry of their own
        traces.append(_generated_trace(generated, line=False))
    layout = {
        "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": _title(str(unit_label)), **_PLAIN_NUMBERS},
        "xaxis": {"type": "date"},
    }
    data = _as_data(traces, layout)
    data["generated"] = len(generated)
    return data


def budget_burn_figure(summary) -> dict:
    """Cumulative spending against the straight line from nothing at the start of the
    budget period to the whole budget at its end (`selectors.BudgetSummary`, no queries).

    Plotly draws floats; the exact euros are in the table beside the chart.
    """
    start, end = summary.period
    traces = [
        _trace(
            "scatter",
            x=[start.isoformat(), end.isoformat()],
            y=[0, float(summary.budget)],
            mode="lines",
            name=_("Expected (straight line)"),
            line={"dash": "dash", "color": _COLOURS["expected"]},
            hovertemplate="%{x}: %{y:$,.2f}<extra>%{fullData.name}</extra>",
        )
    ]
    points = sorted(summary.burn, key=lambda p: p.day)
    if points:
        traces.append(
            _trace(
                "scatter",
                x=[start.isoformat()] + [p.day.isoformat() for p in points],
                y=[0] + [float(p.cumulative) for p in points],
                mode="lines+markers",
                line={"shape": "hv", "color": _COLOURS["value"]},
                marker={"symbol": "circle", "size": 7},
                name=_("Spent (cumulative)"),
                hovertemplate="%{x}: %{y:$,.2f}<extra>%{fullData.name}</extra>",
            )
        )
    layout = {
        "margin": {"l": 80, "r": 20, "t": 20, "b": 40},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"type": "date"},
        "yaxis": {"title": _title(_("Euros")), "tickformat": "$,.0f", "rangemode": "tozero"},
    }
    return _as_data(traces, layout)


# --- Titles and text alternatives (the PDFs draw these figures as SVG: chart_images.py) --


def burn_chart_texts(summary) -> tuple[str, str]:
    """The burn chart's title and description in words, in the active language."""
    from django.template.defaultfilters import date as date_filter

    from projects.templatetags.money import euros, percent

    start, end = summary.period
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
    return _("Burn chart: cumulative spending and the expected straight line"), description


def indicator_chart_texts(indicator: Indicator) -> tuple[str, str]:
    """An indicator chart's title and description in words (its prefetched measurements and
    targets; no queries), saying how many values were generated for the demo."""
    from django.template.defaultfilters import date as date_filter

    from portal.templatetags.portal_tags import quantity

    points = sorted(indicator.measurements.all(), key=lambda m: m.period)
    goals = sorted(indicator.targets.all(), key=lambda t: t.target_date)
    generated = sum(1 for m in points if m.is_demo)
    if points:
        numbers = {
            "count": len(points),
            "first": date_filter(points[0].period, "j.n.Y"),
            "last": date_filter(points[-1].period, "j.n.Y"),
            "value": quantity(points[-1].value),
        }
        if generated:
            description = _(
                "%(count)s values from %(first)s to %(last)s, %(generated)s of them generated "
                "for the demo, not measured; latest %(value)s."
            ) % {**numbers, "generated": generated}
        else:
            description = (
                _("%(count)s measured values from %(first)s to %(last)s; latest %(value)s.")
                % numbers
            )
    else:
        description = _("No measured values yet.")
    if goals:
        description += " " + _("Final target %(value)s by %(day)s.") % {
            "value": quantity(goals[-1].value),
            "day": date_filter(goals[-1].target_date, "j.n.Y"),
        }
    if indicator.baseline_value is not None:
        baseline = quantity(indicator.baseline_value)
        description += " " + _("Baseline %(value)s.") % {"value": baseline}
    return f"{indicator.code} {indicator.display_name}", description
