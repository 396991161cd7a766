"""In Chromium: a worker updates a status in place and sees the lights above it change; a
ministry viewer filters the overview. The pages pass axe-core in the state they end in."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from measures.status_engine import status_recompute_all
from projects.models import Project

from . import test_browser
from .conftest import demo_restore
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import console_errors
from .test_browser import log_in_finnish

# Live-server tests commit for real (transactional database, serialized rollback).
pytestmark = test_browser.pytestmark


@pytest.fixture
def demo_with_lights(django_db_serialized_rollback, transactional_db):
    """The demo data with today's lights, as `make run` prepares it."""
    demo_restore()  # the run's one demo load (conftest)
    status_recompute_all(today=timezone.localdate())
    return Project.objects.get(region__code="16").pk


def _green_count(page) -> int:
    """The number after "Done: " / "Valmis: " in the summary's green item (0 when absent)."""
    item = page.locator("#hanke-summary .distribution .light--green")
    return int(item.inner_text().rsplit(":", 1)[1]) if item.count() else 0


def test_worker_updates_a_status_and_a_viewer_filters_the_overview(demo_with_lights, browser_page):
    page, url = browser_page
    errors = console_errors(page)
    # given the Keski-Pohjanmaa worker on their hanke page, its work packages folded
    log_in_finnish(page, url, "kp.tyontekija")
    page.goto(f"{url}/hankkeet/{demo_with_lights}/")
    summary_before = page.locator("#hanke-summary").inner_text()
    greens_before = _green_count(page)
    assert page.locator(".tree__action").count() == 0
    # when they open the first work package (their actions are there): in place, by htmx
    toggle = page.locator(".package-toggle").first
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    page.wait_for_url("**/?paketti=*")  # the address can be shared and reloaded
    toggle = page.locator(".package-toggle").first
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_be_focused()  # the focus stays on the control that was used
    assert page.locator(".package-toggle[aria-expanded=true]").count() == 1
    expect(page.locator("#live-region")).to_contain_text("avattu")
    # and open the status form of the first action they own, in its row
    row = page.locator(".tree__action:has(.row-actions a)").first
    number = row.locator(".tree__title").inner_text().split()[0]
    row.locator(".row-actions a").click()
    form = page.locator("form.row-form")
    form.wait_for()
    # the keyboard focus moved into the form
    # (expect() polls from Playwright's own world: wait_for_function would need eval, which the
    # page's Content Security Policy rightly refuses)
    expect(form.locator("select[name=status]")).to_be_focused()
    # and mark it done without a comment: the field error says why, nothing is saved
    form.locator("select[name=status]").select_option("done")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("form.row-form .field-error")
    expect(page.locator("form.row-form textarea[name=comment]")).to_be_focused()
    # then with a comment
    page.locator("form.row-form textarea[name=comment]").fill("Valmistui pilotissa")
    page.locator("form.row-form button[type=submit]").click()
    saved = page.locator(".tree__action:has(.row-saved)")
    saved.wait_for()
    # the row's light is now green, the summary above changed, all without a page reload
    assert saved.locator(".light--green").count() == 1
    expect(page.locator("#hanke-summary")).not_to_have_text(summary_before)
    assert page.locator("#hanke-summary").inner_text() != summary_before
    assert page.locator("#live-region").inner_text().count(number) == 1
    expect(saved.locator(".row-actions a")).to_be_focused()
    page.screenshot(path=ARTIFACTS / "hanke-row-saved-fi.png", full_page=False)
    assert _green_count(page) == greens_before + 1
    assert not [e for e in errors if "Content Security Policy" in e]
    # and the hanke page and My work pass axe-core in this state
    axe = Axe()
    assert not _serious(axe.run(page))
    page.goto(f"{url}/oma-tyo/")
    page.wait_for_selector("#my-work-summary")
    assert not _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "my-work-fi.png", full_page=True)
    # (one test: loading the demo for a live server costs more than the flows themselves)
    page.context.clear_cookies()
    _viewer_filters_the_overview(page, url)


def _viewer_filters_the_overview(page, url):
    # given the ministry viewer on the programme overview
    log_in_finnish(page, url, "stm.katselija")
    page.goto(f"{url}/ohjelma/")
    assert page.locator("table.overview thead th").count() == 7  # region, HT1–HT5, all
    # when they choose HT2 and the weakest first
    page.select_option("#overview-ht", "2")
    page.select_option("#overview-sort", "all")
    page.locator("form.overview-filter button[type=submit]").click()
    page.wait_for_url("**/ohjelma/?*ht=2*")
    # then only HT2 and the total are shown, for all four regions, and the link can be shared
    assert page.locator("table.overview thead th").count() == 3
    assert page.locator("table.overview tbody tr").count() == 4
    assert page.locator("#overview-ht").input_value() == "2"
    assert "sort=all" in page.url
    page.screenshot(path=ARTIFACTS / "overview-ht2-fi.png", full_page=True)
