"""The indicator chart (measurements, baseline, targets, expected trajectory) and its words
for the PDFs: defined once, drawn by Plotly on the indicator page and, as SVG, in the PDFs.
The shared colours and helpers are portal/charts.py's."""

from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _

from portal.charts import PLAIN_NUMBERS
from portal.charts import SERIES_COLOURS
from portal.charts import as_data
from portal.charts import axis_title
from portal.charts import trace
from portal.templatetags.portal_tags import quantity

from .models import Indicator


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
            _scatter(
                [(m.period, m.value) for m in measured],
                mode="lines+markers",
                name=_("Measured value"),
                line={"color": SERIES_COLOURS["value"]},
            )
        )
    if generated:
        traces.append(generated_trace(generated))
    final = [(t.target_date, t.value) for t in targets]
    if targets:
        traces.append(
            _scatter(
                final,
                mode="markers",
                name=_("Target"),
                marker={"symbol": "diamond", "size": 11, "color": SERIES_COLOURS["target"]},
            )
        )
    start = _start(indicator, points)
    if start and targets:
        traces.append(
            _scatter(
                [start, final[-1]],
                mode="lines",
                name=_("Expected trajectory"),
                line={"dash": "dash", "color": SERIES_COLOURS["expected"]},
            )
        )
    layout = {
        "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": axis_title(str(indicator.get_unit_display())), **PLAIN_NUMBERS},
    }
    data = as_data(traces, layout)
    data["generated"] = len(generated)
    return data


def generated_trace(points: list, *, line: bool = True) -> dict:
    """Generated values (source "demo"): hollow markers (on a dotted line), named in words."""
    return _scatter(
        [(m.period, m.value) for m in points],
        mode="lines+markers" if line else "markers",
        name=_("demo, generated"),
        line={"color": SERIES_COLOURS["generated"], "dash": "dot"},
        marker={"symbol": "circle-open", "size": 11, "color": SERIES_COLOURS["generated"]},
    )


def _scatter(points: list[tuple], *, mode: str, name, **style) -> dict:
    """A scatter trace of (day, value) points."""
    return trace(
        "scatter",
        x=[day.isoformat() for day, _value in points],
        y=[float(value) for _day, value in points],
        mode=mode,
        name=name,
        **style,
    )


def _start(indicator: Indicator, points: list) -> tuple | None:
    if indicator.baseline_value is not None and indicator.baseline_date:
        return indicator.baseline_date, indicator.baseline_value
    return (points[0].period, points[0].value) if points else None


def indicator_chart_texts(indicator: Indicator) -> tuple[str, str]:
    """An indicator chart's title and description in words (its prefetched measurements and
    targets; no queries), saying how many values were generated for the demo."""
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
