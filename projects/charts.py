"""The budget burn chart (cumulative spending against the straight line) and its words for
the PDFs: defined once, drawn by Plotly on the budget and meeting pages and, as SVG, in the
PDFs. The shared colours and helpers are portal/charts.py's."""

from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _

from portal.charts import SERIES_COLOURS
from portal.charts import as_data
from portal.charts import axis_title
from portal.charts import trace

from .templatetags.money import euros
from .templatetags.money import percent


def budget_burn_figure(summary) -> dict:
    """Cumulative spending against the straight line from nothing at the start of the
    budget period to the whole budget at its end (`selectors.BudgetSummary`, no queries).

    Plotly draws floats; the exact euros are in the table beside the chart.
    """
    start, end = summary.period
    traces = [
        trace(
            "scatter",
            x=[start.isoformat(), end.isoformat()],
            y=[0, float(summary.budget)],
            mode="lines",
            name=_("Expected (straight line)"),
            line={"dash": "dash", "color": SERIES_COLOURS["expected"]},
            hovertemplate="%{x}: %{y:$,.2f}<extra>%{fullData.name}</extra>",
        )
    ]
    points = sorted(summary.burn, key=lambda p: p.day)
    if points:
        traces.append(
            trace(
                "scatter",
                x=[start.isoformat()] + [p.day.isoformat() for p in points],
                y=[0] + [float(p.cumulative) for p in points],
                mode="lines+markers",
                line={"shape": "hv", "color": SERIES_COLOURS["value"]},
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
        "yaxis": {"title": axis_title(_("Euros")), "tickformat": "$,.0f", "rangemode": "tozero"},
    }
    return as_data(traces, layout)


def burn_chart_texts(summary) -> tuple[str, str]:
    """The burn chart's title and description in words, in the active language."""
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
