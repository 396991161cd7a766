"""In a real browser: values generated for the demo are marked where they are shown (issue 15)
- in the indicator list (words with a tooltip, for the value and for the light) and in the
chart's legend on the indicator page, a trace of their own ("demo, generated"), in Finnish
and in Swedish."""

from datetime import date

import pytest

from measures.models import Indicator
from measures.models import Measurement
from measures.status_engine import status_recompute_projects
from projects.models import Project

from . import test_browser
from .browser_visits import assert_no_script_refused
from .browser_visits import signed_in
from .test_browser import ARTIFACTS
from .test_browser import log_in_finnish

# Live-server tests commit for real (transactional database, serialized rollback).
pytestmark = test_browser.pytestmark


@pytest.fixture
def generated_hanke(demo_loaded):
    """Keski-Pohjanmaa's hanke with its lights computed, and one of its indicators whose
    values are all generated (its URL), looked up before Playwright starts."""
    project = Project.objects.get(region__code="16")
    status_recompute_projects(project_ids=[project.pk], today=date(2025, 12, 31))
    real = Measurement.objects.exclude(source="demo").values("indicator_id")
    indicator = (
        Indicator.objects.filter(project=project, measurements__source="demo")
        .exclude(pk__in=real)
        .order_by("order", "code")
        .first()
    )
    return f"/hankkeet/{project.pk}/mittarit/", f"/mittarit/{indicator.pk}/"


def _legend(page) -> list[str]:
    page.wait_for_selector("#indicator-chart .main-svg")
    texts = page.locator("#indicator-chart .legendtext")  # SVG: textContent, not innerText
    return texts.evaluate_all("nodes => nodes.map(node => node.textContent)")


def test_generated_values_are_marked_in_the_list_and_the_chart_legend(
    generated_hanke,
    browser_page,
):
    list_path, indicator_path = generated_hanke
    # when the project manager opens the hanke's indicator list
    page, url, errors = signed_in(
        browser_page, "kp.projektipaallikko", list_path, sign_in=log_in_finnish
    )
    row = page.locator("main tbody tr", has=page.locator(f"a[href='{indicator_path}']"))
    # then the generated latest value and the light resting on it say so, in words
    value_mark = row.locator("[data-generated='value']")
    light_mark = row.locator("[data-generated='light']")
    assert value_mark.is_visible() and value_mark.inner_text() == "demo, generoitu"
    assert light_mark.is_visible() and light_mark.inner_text() == "demo, generoitu"
    assert "ei ole mitattu arvo" in value_mark.get_attribute("title")  # the tooltip
    assert "perustuu esittelyä varten generoituun arvoon" in light_mark.get_attribute("title")
    assert page.locator("[data-generated-help]").is_visible()
    page.screenshot(path=ARTIFACTS / "indicator-list-generated-fi.png", full_page=True)
    # when they open the indicator, whose values are all generated
    page.goto(f"{url}{indicator_path}")
    # then the chart's legend names them "demo, generoitu", never "Mitattu arvo"
    legend = _legend(page)
    assert "demo, generoitu" in legend and "Mitattu arvo" not in legend
    assert page.locator("#indicator-chart .scatterlayer .point").count() > 0
    page.locator("#indicator-chart").screenshot(path=ARTIFACTS / "indicator-chart-generated-fi.png")
    # and in Swedish too
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_selector("html[lang='sv']")
    legend = _legend(page)
    assert "demo, genererad" in legend and "Uppmätt värde" not in legend
    assert page.locator("[data-generated='light']").inner_text() == "demo, genererad"
    page.screenshot(path=ARTIFACTS / "indicator-generated-sv.png", full_page=True)
    # (Plotly's own inline styles are refused and harmless: as in test_browser.py, only a
    # blocked script would matter)
    assert_no_script_refused(errors)
