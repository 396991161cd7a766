"""In Chromium: the ministry viewer compares regions; charts speak the page's language.

Reuses the Playwright fixtures of tests/test_browser.py (headless Debian Chromium against
pytest-django's live server); screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import translation

from measures.status_engine import status_recompute_all
from measures.status_engine import status_recompute_projects
from portal.charts import plotly_locale
from projects.models import Region
from reporting.demo.loader import DEMO_PASSWORD

from . import test_browser
from .factories import PASSWORD
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProgrammeRoleFactory
from .factories import ProjectFactory
from .factories import RegionFactory
from .factories import UserFactory
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import console_errors

# Live-server tests commit for real (transactional database, serialized rollback).
pytestmark = test_browser.pytestmark

TODAY = date(2023, 6, 30)
ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")


def _log_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("h1")


def _csp_script_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if "Content Security Policy" in e and "script" in e.lower()]


@pytest.fixture
def demo_with_lights(demo_loaded):
    """The demo with its lights computed, and its regions' English names.

    Done before Playwright starts (see demo_loaded in tests/fixtures_shared.py)."""
    status_recompute_all(today=TODAY)
    with translation.override("en"):
        return sorted(r.display_name for r in Region.objects.filter(projects__isnull=False))


def test_ministry_viewer_compares_regions_on_one_benefit_target(demo_with_lights, browser_page):
    # given the ministry viewer of the demo, reading in English
    page, url = browser_page
    errors = console_errors(page)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": url}])
    _log_in(page, url, "stm.katselija", DEMO_PASSWORD)
    # when they follow the link from the programme overview and pick HT2
    page.goto(f"{url}/ohjelma/")
    page.locator("main").get_by_role("link", name="Compare regions").click()
    page.wait_for_selector("h1:has-text('Compare regions')")
    page.locator("#compare-ht").select_option("2")
    page.locator("#compare-ht-submit").click()
    page.wait_for_url(re.compile(r"/ohjelma/vertailu/\?ht=2$"))
    # then the table lists the four demo regions with their HT2 lights
    page.wait_for_selector("#compare-chart svg.main-svg")
    assert page.locator("h2#results-heading").inner_text() == "Benefit target HT2 by region"
    regions = page.locator("table.compare tbody th[scope=row]").all_inner_texts()
    assert sorted(regions) == demo_with_lights and len(regions) == 4
    assert page.locator("table.compare tbody td[data-light] .light").count() == 4
    # and the chart is drawn: a stacked bar per region, a legend entry per colour
    assert page.locator("#compare-chart .barlayer .trace").count() == 5
    assert page.locator("#compare-chart .legend .traces").count() == 5
    page.screenshot(path=ARTIFACTS / "compare-ht2-en.png", full_page=True)
    assert not _csp_script_errors(errors)
    # and axe-core finds no serious or critical WCAG violation on the page
    result = Axe().run(page)
    assert result.response["passes"]
    assert not _serious(result)


@pytest.fixture
def shared_indicator_world(django_db_serialized_rollback, transactional_db):
    """Two regions sharing a Sotkanet indicator with monthly values in the first half of 2023,
    and a ministry viewer. Created before Playwright starts."""
    ids, indicators = [], []
    for index in range(2):
        project = ProjectFactory(region=RegionFactory(code=f"W{index}"))
        indicator = IndicatorFactory(
            project=project, source_system="sotkanet", source_id="4123", unit="count"
        )
        for month in range(1, 7):
            MeasurementFactory(
                indicator=indicator,
                period=date(2023, month, 28),
                value=Decimal(12000 + 500 * month + 700 * index) + Decimal("0.5"),
            )
        ids.append(project.pk)
        indicators.append(indicator)
    status_recompute_projects(project_ids=ids, today=TODAY)
    ProgrammeRoleFactory(user=UserFactory(username="katsoja"), role="viewer")
    return {"indicator": f"/mittarit/{indicators[0].pk}/"}


def _tick_texts(page, chart: str, axis: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{chart} .{axis}tick text", "nodes => nodes.map(node => node.textContent)"
    )


def test_finnish_page_charts_show_finnish_months_and_number_format(
    shared_indicator_world,
    browser_page,
):
    # given a Finnish page (the portal's default language)
    page, url = browser_page
    finnish = plotly_locale("fi")["format"]
    finnish_months = re.compile("|".join(finnish["shortMonths"]))
    _log_in(page, url, "katsoja", PASSWORD)
    # when the viewer opens the comparison of the shared indicator and an indicator page
    for path, chart in (
        ("/ohjelma/vertailu/?indicator=sotkanet:4123", "#compare-chart"),
        (shared_indicator_world["indicator"], "#indicator-chart"),
    ):
        page.goto(f"{url}{path}")
        page.wait_for_selector(f"{chart} svg.main-svg")
        page.wait_for_selector(f"{chart} .xtick text")
        months = _tick_texts(page, chart, "x")
        numbers = _tick_texts(page, chart, "y")
        # then the date axis names the months in Finnish ("helmi 2023", …), as Django does
        assert any(finnish_months.search(text) for text in months), months
        assert not any(ENGLISH_MONTHS.search(text) for text in months), months
        # and thousands are grouped with a (non-breaking) space ("12 500"), not a comma
        assert numbers and all(re.fullmatch(r"1\d\xa0\d00", text) for text in numbers), numbers
    page.screenshot(path=ARTIFACTS / "indicator-chart-fi-months.png", full_page=True)
