"""In a real browser: the hanke page's indicator cards draw their trend lines under the CSP,
name them for assistive technology, show all on demand and print every card."""

from datetime import date

import pytest

from measures.status_engine import status_recompute_projects
from projects.models import Project

from . import test_browser
from .test_browser import ARTIFACTS
from .test_browser import console_errors
from .test_browser import log_in_finnish

# Live-server tests commit for real (transactional database, serialized rollback).
pytestmark = test_browser.pytestmark


@pytest.fixture
def hanke_with_cards(demo_loaded):
    """Keski-Pohjanmaa's hanke (more than twelve indicators) with its lights computed."""
    project = Project.objects.get(region__code="16")
    status_recompute_projects(project_ids=[project.pk], today=date(2025, 12, 31))
    return f"/hankkeet/{project.pk}/", project.indicators.count()


def test_steering_member_sees_indicator_cards_with_trend_lines(hanke_with_cards, browser_page):
    # given a steering-group member of Keski-Pohjanmaa
    path, total = hanke_with_cards
    assert total > 12
    page, url = browser_page
    errors = console_errors(page)
    log_in_finnish(page, url, "kp.ohjausryhma")
    # when they open the hanke page, the cards are folded: a count by light and a control
    page.goto(f"{url}{path}")
    section = page.locator("#indicator-cards")
    assert section.locator(".indicator-card").count() == 0
    toggle = page.locator("#cards-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    # when they open the cards (in place, htmx)
    toggle.click()
    page.wait_for_url("**kortit=1**")
    section = page.locator("#indicator-cards")
    # then twelve cards are visible, each trend line drawn (not blocked, not zero-sized), and
    # the keyboard focus stays on the control, now "hide"
    assert section.locator(".indicator-card:visible").count() == 12
    assert page.locator("#cards-toggle").get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "cards-toggle"
    first_line = section.locator(".sparkline__line").first.bounding_box()
    assert first_line is not None and first_line["width"] > 50
    # and each chart is an image named by its summary
    images = section.get_by_role("img")
    assert images.count() >= 1
    title = images.first.evaluate("e => e.querySelector('title').textContent")
    assert any(ch.isdigit() for ch in title)  # counts, years and values
    assert page.get_by_role("img", name=title, exact=True).count() >= 1
    section.screenshot(path=ARTIFACTS / "hanke-indicator-cards-fi.png")
    # when they go to the next twelve
    section.get_by_role("link", name="Seuraava sivu").click()
    page.wait_for_url("**kortit=2**")
    section = page.locator("#indicator-cards")
    # then the next cards are drawn, and they print
    assert section.locator(".indicator-card:visible").count() == min(total - 12, 12)
    page.emulate_media(media="print")
    assert section.locator(".indicator-card:visible").count() == min(total - 12, 12)
    assert not [e for e in errors if "Content Security Policy" in e]
