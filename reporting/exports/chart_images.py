"""The Plotly figures of portal/charts.py as SVG, for documents that run no JavaScript
(the PDFs): Plotly itself draws them in headless Chromium through kaleido, so a chart has
one definition, drawn the same on pages and in PDFs.

- `static_charts(figures)` renders every figure of one document in **one** browser session
  (a `kaleido.Kaleido` for the document, closed after it), so a PDF pays for Chromium's
  start once, not per chart. Chromium is the system's (`/usr/bin/chromium`, found by
  choreographer; `BROWSER_PATH` names another); the Docker image installs it.
- The page's Plotly locale (`figure["locale"]`, built from Django's formats in
  portal/charts.py) is registered in the browser page as the default, so month names,
  decimal commas and euros read as on the Finnish page.
- Nothing is fetched from the network: MathJax is off and plotly.js is the plotly
  package's own file.
- A failure (no Chromium, a timeout) is logged and the document goes out without the chart
  images; their values are in the tables beside them.

`StaticChart.html` is the SVG for a template: Chromium's serialiser writes every text as
escaped XML, and charts.py escapes names typed by people before Plotly reads them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path

logger = logging.getLogger(__name__)

WIDTH = 640  # CSS pixels; the PDF scales the SVG to its column (static/css/pdf.css)
FONT = "DejaVu Sans, sans-serif"  # the PDF's font (static/css/pdf.css), installed in the image
TIMEOUT = 60  # seconds for one figure


@dataclass(frozen=True)
class StaticChart:
    svg: str  # the <svg> element, safe to put into HTML as it is
    title: str
    description: str

    @property
    def html(self):
        from django.utils.safestring import mark_safe

        return mark_safe(self.svg)  # noqa: S308 - Chromium's XML serialisation (module docstring)


def _locale_script(figures: list[dict], folder: Path) -> Path:
    """A script registering the figures' Plotly locale (as charts.js does on a page) and
    making it the default: kaleido's `toImage` keeps the plot config's, not the figure's."""
    locales = {f["locale"]["name"]: f["locale"]["format"] for f in figures if "locale" in f}
    lines = [
        f"Plotly.register({{moduleType: 'locale', name: {json.dumps(name)}, dictionary: {{}}, "
        f"format: {json.dumps(fmt)}}});\nPlotly.setPlotConfig({{locale: {json.dumps(name)}}});"
        for name, fmt in locales.items()  # one: a document is in one language
    ]
    path = folder / "locales.js"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _for_print(figure: dict) -> dict:
    """The page's figure as kaleido takes it, in the PDF's font."""
    layout = {**figure.get("layout", {}), "font": {"family": FONT}}
    return {"data": figure.get("data", []), "layout": layout}


async def _render(figures: list[dict], script: Path) -> list[bytes]:
    from kaleido import Kaleido, PageGenerator

    page = PageGenerator(mathjax=False, others=[str(script)])
    async with Kaleido(n=1, timeout=TIMEOUT, page_generator=page) as browser:
        return [
            await browser.calc_fig(
                _for_print(figure),
                opts={
                    "format": "svg",
                    "width": WIDTH,
                    "height": figure.get("layout", {}).get("height", 340),
                },
            )
            for figure in figures
        ]


def _run(coroutine):
    """Runs the coroutine to its end, also when called under a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


_STYLE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(svg: str) -> str:
    """Plotly's `style="fill: …; stroke: …"` as SVG attributes (`fill="…" stroke="…"`).

    WeasyPrint draws both, but it also reads an inline SVG's style attributes as HTML CSS
    and logs a warning for every SVG property there (about 90 per chart)."""

    def attributes(match: re.Match) -> str:
        pairs = (d.partition(":") for d in match.group(1).split(";") if ":" in d)
        return "".join(f' {name.strip()}="{value.strip()}"' for name, _c, value in pairs)

    return _STYLE.sub(attributes, svg)


def _accessible(svg: str, label: str) -> str:
    """The SVG as an image with its name (`role="img"`, `aria-label`), for screen readers."""
    return re.sub(r"^\s*<svg\b", f'<svg role="img" aria-label="{escape(label)}"', svg, count=1)


def static_charts(charts: list[tuple[dict, str, str]]) -> list[StaticChart | None]:
    """(figure, title, description) → a StaticChart each, all drawn in one browser session;
    None for every chart when the browser fails (logged)."""
    if not charts:
        return []
    figures = [figure for figure, _title, _description in charts]
    try:
        with tempfile.TemporaryDirectory(prefix="portal-charts-") as folder:
            images = _run(_render(figures, _locale_script(figures, Path(folder))))
    except Exception:
        logger.exception("PDF charts: Plotly could not draw %s figure(s)", len(charts))
        return [None] * len(charts)
    return [
        StaticChart(
            _accessible(_presentation_attributes(image.decode("utf-8")), title), title, description
        )
        for image, (_figure, title, description) in zip(images, charts, strict=True)
    ]
