"""The lights' colours are defined once (portal/lights.py COLOURS) and everything else takes
them from there: the generated css/lights.css of pages and PDFs, the chart bars, the XLSX
fills."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from portal.lights import COLOURS
from portal.lights import Light
from portal.lights import light_css
from reporting.exports.pdf import StaticFilesFetcher
from reporting.exports.pdf import render_html
from reporting.exports.pdf import static_url
from reporting.exports.tables import LIGHT_FILLS
from reporting.overview.charts import ht_comparison_figure

ROOT = Path(__file__).resolve().parent.parent


def _contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_light_has_readable_colours():
    assert set(COLOURS) == set(Light)
    for light, colours in COLOURS.items():
        assert _contrast(colours.text, colours.tint) >= 4.5, light  # the label on its badge
        assert _contrast(colours.strong, "#ffffff") >= 3, light  # borders and chart bars


def test_the_style_sheet_is_generated_and_served_as_a_static_file():
    found = finders.find("css/lights.css")
    assert found and Path(found).read_text(encoding="utf-8") == light_css()
    for light, colours in COLOURS.items():
        rule = f".light--{light.value} {{ color: {colours.text}; background: {colours.tint}; "
        assert rule in light_css()
    # the PDFs fetch it like any static file
    response = StaticFilesFetcher().fetch(static_url("css/lights.css"))
    assert response.read().decode() == light_css()


def test_no_hand_written_style_sheet_or_module_repeats_a_light_colour():
    # the light rules themselves, and the colours the charts and workbooks had of their own
    hexes = {"#b08900", "#c25400", "#8c8c8c", "c6e8cf", "ffeb9c", "ffd2a8", "f8c4ca"}
    for css in (ROOT / "static" / "css").glob("*.css"):
        text = css.read_text(encoding="utf-8").lower()
        assert not re.search(r"\.light--\w+\s*\{[^}]*(color|background)", text), css.name
        assert not any(h.lstrip("#") in text for h in hexes), css.name
    for module in ("portal/charts.py", "reporting/exports/tables.py"):
        text = (ROOT / module).read_text(encoding="utf-8").lower()
        assert not any(h.lstrip("#") in text for h in hexes), module


def test_charts_and_workbooks_take_the_colours_from_the_lights():
    assert LIGHT_FILLS[Light.RED] == COLOURS[Light.RED].tint.lstrip("#").upper()
    figure = ht_comparison_figure([])
    assert [t["marker"]["color"] for t in figure["data"]] == [COLOURS[x].strong for x in Light]


@pytest.mark.django_db
def test_pages_and_pdfs_link_the_generated_style_sheet(client, personas):
    client.force_login(personas.project_manager)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert 'href="/static/css/lights.css"' in page
    html = render_html("reporting/pdf_base.html", {}, language="fi")
    assert static_url("css/lights.css") in html
