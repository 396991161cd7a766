"""The Plotly figures of portal/charts.py as SVG, for documents that run no JavaScript
(the PDFs): Plotly itself draws them in headless Chromium through kaleido, so a chart has
one definition, drawn the same on pages and in PDFs.

- `static_charts(figures)` renders every figure of one document in the process's browser
  for the document's language (`_ChartBrowser`: a `kaleido.Kaleido` each, as kaleido's own
  `start_sync_server` keeps one, in a thread with its own event loop). Chromium starts at
  the first document of a language and stays open while documents keep coming: it is
  closed after `KEEP_OPEN` seconds without one, at exit, and in a forked child (which
  starts its own). A start costs about a second of CPU, more than drawing a document's
  charts; its page is loaded once per document, not once per figure (`_DocumentTab`).
  Chromium is the system's (`/usr/bin/chromium`, found by choreographer; `BROWSER_PATH`
  names another); the Docker image installs it.
- If a browser that was already open fails (Chromium gone, a timeout), it is closed and the
  document's charts are drawn once more in a new one.
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
import atexit
import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path

from kaleido import Kaleido
from kaleido import PageGenerator

logger = logging.getLogger(__name__)

WIDTH = 640  # CSS pixels; the PDF scales the SVG to its column (static/css/pdf.css)
FONT = "DejaVu Sans, sans-serif"  # the PDF's font (static/css/pdf.css), installed in the image
TIMEOUT = 60  # seconds for one figure
KEEP_OPEN = 300  # seconds a browser waits for the next document before it is closed
MAX_OPEN = 3  # browsers open at once: one per language of the portal (fi, sv, en)


@dataclass(frozen=True)
class StaticChart:
    svg: str  # the <svg> element, safe to put into HTML as it is
    title: str
    description: str

    @property
    def html(self):
        from django.utils.safestring import mark_safe

        return mark_safe(self.svg)  # noqa: S308 - Chromium's XML serialisation (module docstring)


def _locale_script(figures: list[dict]) -> str:
    """A script registering the figures' Plotly locale (as charts.js does on a page) and
    making it the default: kaleido's `toImage` keeps the plot config's, not the figure's."""
    locales = {f["locale"]["name"]: f["locale"]["format"] for f in figures if "locale" in f}
    lines = [
        f"Plotly.register({{moduleType: 'locale', name: {json.dumps(name)}, dictionary: {{}}, "
        f"format: {json.dumps(fmt)}}});\nPlotly.setPlotConfig({{locale: {json.dumps(name)}}});"
        for name, fmt in locales.items()  # one: a document is in one language
    ]
    return "\n".join(lines)


def _for_print(figure: dict) -> dict:
    """The page's figure as kaleido takes it, in the PDF's font."""
    layout = {**figure.get("layout", {}), "font": {"family": FONT}}
    return {"data": figure.get("data", []), "layout": layout}


class _DocumentTab(Kaleido):
    """A kaleido browser (one tab) whose page is reloaded once per document, not per figure.

    kaleido reloads its tab after every figure: plotly.js is parsed and run again, ~0.2 s
    each on a quiet machine, ten times what drawing a small chart takes (20 figures in a
    row: 0.19 s each, 0.02 s without the reloads). Plotly's `toImage` draws every figure on
    an element of its own and purges it, so a document's figures are drawn one after
    another in one page, and `fresh()` reloads the page before the next document."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._drawn = False

    async def _return_kaleido_tab(self, tab) -> None:  # kaleido's own reloads the tab first
        self._drawn = True
        await self.tabs_ready.put(tab)

    async def fresh(self) -> None:
        """The page reloaded if a figure was drawn in it since it was loaded."""
        if not self._drawn:
            return
        tab = await self._get_kaleido_tab()
        try:
            await tab.reload()
        finally:
            await self.tabs_ready.put(tab)
        self._drawn = False


@dataclass
class _Open:
    """One open kaleido browser, its page's locale script and its idle timer."""

    kaleido: _DocumentTab
    folder: tempfile.TemporaryDirectory
    idle: asyncio.TimerHandle | None = None


class _ChartBrowser:
    """The process's kaleido browsers, kept open between documents.

    Their event loop runs in a daemon thread of its own, so callers need no loop and may run
    under one (Playwright's, in the browser tests). One document at a time (a lock). The
    page a browser loads carries the locale script, so each language (and `BROWSER_PATH`)
    has a browser of its own: a Swedish document after a Finnish one starts a browser once,
    not at every change of language. At most `MAX_OPEN` are open (one per language of the
    portal); each closes after `KEEP_OPEN` seconds without a document, and the one used
    longest ago makes way for another."""

    def __init__(self):
        self._reset()
        atexit.register(self.close)
        if hasattr(os, "register_at_fork"):  # the child has no copy of the loop's thread
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open: dict[tuple, _Open] = {}  # least recently used first
        self._closing: set[asyncio.Task] = set()

    def render(self, figures: list[dict]) -> list[bytes]:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(
                    target=self._loop.run_forever, name="pdf-charts", daemon=True
                ).start()
            future = asyncio.run_coroutine_threadsafe(self._render(figures), self._loop)
            try:
                # kaleido times each figure out itself; this bounds a browser that hangs.
                return future.result(timeout=TIMEOUT * (len(figures) + 2))
            except BaseException:
                future.cancel()
                raise

    def close(self):
        """Closes every browser now (at exit; the next document starts a new one)."""
        with self._lock:
            if self._loop is not None and self._open:
                future = asyncio.run_coroutine_threadsafe(self._close_all(), self._loop)
                try:
                    future.result(timeout=TIMEOUT)
                except Exception:
                    logger.warning("PDF charts: closing the browser failed", exc_info=True)

    async def _render(self, figures: list[dict]) -> list[bytes]:
        key = (os.environ.get("BROWSER_PATH"), _locale_script(figures))
        reused = key in self._open
        if reused:
            self._open[key] = self._open.pop(key)  # the most recently used now
            if self._open[key].idle is not None:
                self._open[key].idle.cancel()
        try:
            return await self._draw(figures, key)
        except asyncio.CancelledError:  # render() gave up waiting: this browser hangs
            await self._close(key)
            raise
        except Exception:
            await self._close(key)
            if not reused:
                raise
            logger.warning("PDF charts: the open browser failed, drawing in a new one")
            return await self._draw(figures, key)
        finally:
            if key in self._open:
                loop = asyncio.get_running_loop()
                self._open[key].idle = loop.call_later(KEEP_OPEN, self._close_idle, key)

    def _close_idle(self, key: tuple) -> None:
        if key in self._open:
            self._open[key].idle = None
            task = asyncio.get_running_loop().create_task(self._close(key))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _draw(self, figures: list[dict], key: tuple) -> list[bytes]:
        if key not in self._open:
            while len(self._open) >= MAX_OPEN:
                await self._close(next(iter(self._open)))
            self._open[key] = await self._start(key)
        kaleido = self._open[key].kaleido
        await kaleido.fresh()
        return [
            await kaleido.calc_fig(
                _for_print(figure),
                opts={
                    "format": "svg",
                    "width": WIDTH,
                    "height": figure.get("layout", {}).get("height", 340),
                },
            )
            for figure in figures
        ]

    async def _start(self, key: tuple) -> _Open:
        # The page loads the script on every figure (kaleido reloads its tab after each):
        # the file lives as long as the browser.
        folder = tempfile.TemporaryDirectory(prefix="portal-charts-")
        script = Path(folder.name) / "locales.js"
        script.write_text(key[1], encoding="utf-8")
        page = PageGenerator(mathjax=False, others=[str(script)])
        browser = _DocumentTab(n=1, timeout=TIMEOUT, page_generator=page)
        try:
            await browser.open()
        except BaseException:
            folder.cleanup()
            raise
        return _Open(browser, folder)

    async def _close(self, key: tuple) -> None:
        opened = self._open.pop(key, None)
        if opened is None:
            return
        if opened.idle is not None:
            opened.idle.cancel()
        try:
            await opened.kaleido.close()
        except Exception:
            logger.warning("PDF charts: closing the browser failed", exc_info=True)
        finally:
            opened.folder.cleanup()

    async def _close_all(self) -> None:
        for key in list(self._open):
            await self._close(key)


_browser = _ChartBrowser()


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
        images = _browser.render(figures)
    except Exception:
        logger.exception("PDF charts: Plotly could not draw %s figure(s)", len(charts))
        return [None] * len(charts)
    return [
        StaticChart(
            _accessible(_presentation_attributes(image.decode("utf-8")), title), title, description
        )
        for image, (_figure, title, description) in zip(images, charts, strict=True)
    ]
