"""The chart definitions (measures/, projects/ and reporting/overview/charts.py, on the
helpers of portal/charts.py) are Plotly's JSON data written directly; here
each is validated against Plotly's own schema, as building graph objects would on every
request, and compared with what the graph objects serialise to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.utils import translation

from measures.charts import indicator_figure
from projects.charts import budget_burn_figure
from reporting.overview.charts import ht_comparison_figure
from reporting.overview.charts import indicator_comparison_figure


@dataclass
class _Measurement:
    period: date
    value: Decimal
    is_demo: bool = False


@dataclass
class _Target:
    target_date: date
    value: Decimal


class _Related(list):
    def all(self):
        return self


@dataclass
class _Indicator:
    measurements: _Related
    targets: _Related
    baseline_value: Decimal | None = Decimal("10")
    baseline_date: date | None = date(2022, 1, 1)
    unit: str = "percent"

    def get_unit_display(self) -> str:
        return "%"


@dataclass
class _HtRow:
    label: str
    counts: dict
    counted: int


@dataclass
class _IndicatorRow:
    label: str
    measurements: list = field(default_factory=list)


@dataclass
class _Burn:
    day: date
    cumulative: Decimal


@dataclass
class _Budget:
    period: tuple[date, date]
    budget: Decimal
    burn: list


def _figures() -> dict[str, dict]:
    values = [
        _Measurement(date(2023, 6, 30), Decimal("12.5")),
        _Measurement(date(2024, 6, 30), Decimal("14"), is_demo=True),
    ]
    indicator = _Indicator(_Related(values), _Related([_Target(date(2025, 12, 31), Decimal("20"))]))
    return {
        "indicator": indicator_figure(indicator),
        "ht comparison": ht_comparison_figure(
            [_HtRow("<b>Hanke</b> A", {"green": 3, "red": 1}, 4), _HtRow("B", {}, 0)]
        ),
        "indicator comparison": indicator_comparison_figure(
            [_IndicatorRow("A", values), _IndicatorRow("B")], "%"
        ),
        "budget burn": budget_burn_figure(
            _Budget(
                (date(2023, 1, 1), date(2025, 12, 31)),
                Decimal("100000"),
                [_Burn(date(2023, 6, 30), Decimal("2500.50"))],
            )
        ),
    }


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_figure_is_valid_plotly_data_and_as_graph_objects_write_it(language):
    with translation.override(language):
        figures = _figures()
    for name, figure in figures.items():
        plotly_data = {"data": figure["data"], "layout": figure["layout"]}
        # when Plotly builds its graph objects from the data, validating every property
        validated = go.Figure(plotly_data)  # raises ValueError on an unknown or bad property
        # then they write back exactly the same data
        assert json.loads(validated.to_json()) == json.loads(json.dumps(plotly_data)), name
        assert figure["locale"]["name"] == language


def test_a_misspelt_property_would_fail_the_validation():
    figure = _figures()["ht comparison"]
    figure["data"][0]["orientaton"] = "h"
    with pytest.raises(ValueError, match="orientaton"):
        go.Figure({"data": figure["data"], "layout": figure["layout"]})
