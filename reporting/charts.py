"""Plotly figures built from selector output (R12). Pages receive them as JSON data blocks
(`json_script`) drawn by static/js/charts.js, because the Content Security Policy allows
no inline script; the values are always also shown as a table beside the chart."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from measures.models import Indicator

_COLOURS = {"value": "#003580", "target": "#0b6b2b", "expected": "#6b4e00", "baseline": "#4a4a4a"}


def indicator_figure(indicator: Indicator) -> dict:
    """Measurements, baseline, targets and the expected trajectory of one indicator.

    Uses the indicator's prefetched measurements and targets (no queries of its own).
    """
    points = sorted(indicator.measurements.all(), key=lambda m: m.period)
    targets = sorted(indicator.targets.all(), key=lambda t: t.target_date)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[m.period.isoformat() for m in points],
            y=[float(m.value) for m in points],
            mode="lines+markers",
            name=_("Measured value"),
            line={"color": _COLOURS["value"]},
        )
    )
    if targets:
        fig.add_trace(
            go.Scatter(
                x=[t.target_date.isoformat() for t in targets],
                y=[float(t.value) for t in targets],
                mode="markers",
                name=_("Target"),
                marker={"symbol": "diamond", "size": 11, "color": _COLOURS["target"]},
            )
        )
    start = _start(indicator, points)
    if start and targets:
        fig.add_trace(
            go.Scatter(
                x=[start[0].isoformat(), targets[-1].target_date.isoformat()],
                y=[float(start[1]), float(targets[-1].value)],
                mode="lines",
                name=_("Expected trajectory"),
                line={"dash": "dash", "color": _COLOURS["expected"]},
            )
        )
    fig.update_layout(
        margin={"l": 50, "r": 20, "t": 20, "b": 40},
        height=340,
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": indicator.get_unit_display()},
    )
    return json.loads(fig.to_json())


def _start(indicator: Indicator, points: list) -> tuple | None:
    if indicator.baseline_value is not None and indicator.baseline_date:
        return indicator.baseline_date, indicator.baseline_value
    return (points[0].period, points[0].value) if points else None
