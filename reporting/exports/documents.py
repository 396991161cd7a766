"""The PDF documents of the portal: what each one shows, read through the selectors and
rendered by pdf.py beside it (the pages' Plotly charts as SVG: chart_images.py).

- `meeting_pdf(...)`: a steering group meeting, the content of its page (issue 8).
- `project_report_pdf(...)`: the regional report of one hanke (issue 7), the PDF sibling of
  the XLSX workbook of reporting/exports/tables.py, whose `project_report()` it reuses.

Both take objects the caller has already fetched with the user's scope and permission
checks (the views do), and return PDF bytes. Query counts are fixed whatever the size of
the hanke (tested in tests/test_pdf.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from measures.charts import indicator_chart_texts
from measures.charts import indicator_figure
from measures.models import Indicator
from measures.models import IndicatorProgress
from measures.models import Measurement
from measures.models import Target
from portal.lights import Assessment
from portal.lights import Light
from projects.charts import budget_burn_figure
from projects.charts import burn_chart_texts
from projects.selectors import budget_summary
from projects.selectors import risk_register

from .chart_images import StaticChart
from .chart_images import static_charts
from .pdf import render_pdf
from .tables import ProjectReport


def _has_burn(summary) -> bool:
    return bool(summary.budget and summary.period)


def _burn(summary) -> tuple[dict, str, str]:
    return (budget_burn_figure(summary), *burn_chart_texts(summary))


def meeting_pdf(*, project, meeting, view, language: str, base_url: str) -> bytes:
    """The meeting page as a PDF. `view` is `meeting_selectors.meeting_view(...)`."""

    def context() -> dict:
        return {
            "project": project,
            "meeting": meeting,
            "view": view,
            "burn_chart": static_charts([_burn(view.budget)])[0]
            if _has_burn(view.budget)
            else None,
        }

    return render_pdf("projects/meeting_pdf.html", context, language=language, base_url=base_url)


VALUES_PER_ROW = 8  # columns of an indicator's value table on an A4 page


@dataclass(frozen=True)
class ValueCell:
    kind: str  # "baseline" | "measurement" | "target"
    day: date | None
    value: object
    generated: bool = False  # a measurement generated for the demo (source "demo")


@dataclass
class IndicatorSection:
    indicator: Indicator
    light: Assessment | None
    measurements: list
    targets: list
    chart: StaticChart | None = None
    light_period: date | None = None  # the period of the value the stored light rests on

    @property
    def light_generated(self) -> bool:
        """The stored light rests on a value generated for the demo."""
        return any(m.is_demo for m in self.measurements if m.period == self.light_period)

    @property
    def generated(self) -> bool:
        return any(m.is_demo for m in self.measurements)

    @property
    def value_rows(self) -> list[list[ValueCell]]:
        """Baseline, measurements and targets as table columns, VALUES_PER_ROW a table: a
        few lines per indicator instead of a row per value, so two or three fit a page."""
        indicator = self.indicator
        cells = []
        if indicator.baseline_value is not None:
            cells.append(ValueCell("baseline", indicator.baseline_date, indicator.baseline_value))
        cells += [ValueCell("measurement", m.period, m.value, m.is_demo) for m in self.measurements]
        cells += [ValueCell("target", t.target_date, t.value) for t in self.targets]
        return [cells[i : i + VALUES_PER_ROW] for i in range(0, len(cells), VALUES_PER_ROW)]

    @property
    def sources(self) -> list[str]:
        """The sources of the measurements, each once ("Demo value (generated, not real)")."""
        return list(dict.fromkeys(str(m.get_source_display()) for m in self.measurements))


def _indicator_sections(project) -> list[IndicatorSection]:
    """Each indicator with its measurements, targets and stored light (three queries)."""
    indicators = (
        Indicator.objects.filter(project=project)
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("period", "id")),
            Prefetch("targets", queryset=Target.objects.order_by("target_date")),
        )
        .order_by("order", "code")
    )
    progress = {
        p.indicator_id: p for p in IndicatorProgress.objects.filter(indicator__project=project)
    }
    return [
        IndicatorSection(
            indicator=indicator,
            light=progress[indicator.pk].assessment if indicator.pk in progress else None,
            measurements=list(indicator.measurements.all()),
            targets=list(indicator.targets.all()),
            light_period=progress[indicator.pk].latest_period if indicator.pk in progress else None,
        )
        for indicator in indicators
    ]


def project_report_pdf(
    *, report: ProjectReport, today: date, language: str, base_url: str
) -> bytes:
    """The regional report as a PDF: summary with lights, work packages and goals, actions,
    indicators with their charts and measurements, budget (burn chart), risks (heat map)."""
    project = report.project
    summary = budget_summary(project=project, today=today)
    register = risk_register(project=project, today=today)
    sections = _indicator_sections(project)

    def context() -> dict:
        # Every chart of the document in one browser session (chart_images.static_charts).
        drawn = [s for s in sections if s.measurements or s.targets]
        charts = [
            (indicator_figure(s.indicator), *indicator_chart_texts(s.indicator)) for s in drawn
        ]
        if _has_burn(summary):
            charts.append(_burn(summary))
        images = static_charts(charts)
        for section, image in zip(drawn, images, strict=False):
            section.chart = image
        return {
            "project": project,
            "report": report,
            "lights": list(Light),
            "indicators": sections,
            "summary": summary,
            "burn_chart": images[-1] if _has_burn(summary) else None,
            "register": register,
        }

    return render_pdf(
        "reporting/project_report_pdf.html", context, language=language, base_url=base_url
    )
