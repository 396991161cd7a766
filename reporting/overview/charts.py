"""The region comparison's figures (HT lights side by side, one indicator across hankkeet),
drawn by Plotly on the compare page. The shared colours and helpers are portal/charts.py's."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from measures.charts import generated_trace
from portal.charts import DASHES
from portal.charts import PLAIN_NUMBERS
from portal.charts import SYMBOLS
from portal.charts import as_data
from portal.charts import axis_title
from portal.charts import label_text
from portal.charts import trace
from portal.lights import COLOURS
from portal.lights import Light


def ht_comparison_figure(rows: Iterable) -> dict:
    """Stacked horizontal bars: each hanke's share of green … grey items, in percent.

    `rows` are `compare.HtRow`s; a hanke with nothing assessed gets an empty bar (the table
    beside the chart says "nothing to count").
    """
    rows = list(rows)
    labels = [label_text(row.label) for row in rows]
    traces = []
    for light in Light:
        counts = [row.counts.get(light.value, 0) for row in rows]
        shares = [
            round(100 * count / row.counted, 1) if row.counted else 0
            for count, row in zip(counts, rows, strict=True)
        ]
        traces.append(
            trace(
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
        "xaxis": {"title": axis_title(_("Share of the items rolled up (%)")), "range": [0, 100]},
        "yaxis": {"autorange": "reversed", "automargin": True},
    }
    return as_data(traces, layout)


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
            trace(
                "scatter",
                x=[m.period.isoformat() for m in row.measurements],
                y=[float(m.value) for m in row.measurements],
                mode="lines+markers",
                name=label_text(row.label),
                marker={"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 8},
                line={"dash": DASHES[index % len(DASHES)]},
            )
        )
        generated += [m for m in row.measurements if m.is_demo]
    if generated:  # ringed on every hanke's line, with a legend entry of their own
        traces.append(generated_trace(generated, line=False))
    layout = {
        "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": axis_title(str(unit_label)), **PLAIN_NUMBERS},
        "xaxis": {"type": "date"},
    }
    data = as_data(traces, layout)
    data["generated"] = len(generated)
    return data
