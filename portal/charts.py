"""What every Plotly figure of the portal shares: the series colours, marker shapes, the
figure as JSON data with Plotly's template, and the page language's locale. The figures
themselves are defined once each, in the app that owns their data: the indicator chart in
measures/charts.py, the budget burn chart in projects/charts.py, the region comparisons in
reporting/overview/charts.py. Pages and PDFs (reporting/exports/chart_images.py) draw the
same definitions.

Pages receive figures as JSON data blocks
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
from datetime import datetime

import plotly.io as pio
from django.utils import dateformat
from django.utils import formats
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.dates import MONTHS_AP
from django.utils.dates import WEEKDAYS
from django.utils.dates import WEEKDAYS_ABBR

SERIES_COLOURS = {
    "value": "#003580",
    "target": "#0b6b2b",
    "expected": "#6b4e00",
    "baseline": "#4a4a4a",
    "generated": "#9c1c5b",  # the "demo, generated" badge of portal.css
}
# Lines of several hankkeet in one chart differ by marker shape and dash as well as colour.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

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
PLAIN_NUMBERS = {"exponentformat": "none", "separatethousands": True}
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


def label_text(value: str) -> str:
    """Names typed by people, safe for Plotly, which reads tags such as <a href> in labels
    and turns &lt; &gt; &amp; (not &quot;) back into characters; without tags, quotes are
    harmless."""
    return html.escape(value, quote=False)


# Figures are written as Plotly's JSON data (what `go.Figure(...).to_json()` gives), not built
# from graph objects: those validate every property on construction, about 50 000 Python
# calls for one comparison chart on every request. tests/test_charts.py validates each
# figure against Plotly's schema with `go.Figure(figure)` instead.


def trace(kind: str, **props) -> dict:
    return {"type": kind, **props}


def axis_title(text: str) -> dict:
    return {"text": text}


def as_data(traces: list[dict], layout: dict) -> dict:
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
