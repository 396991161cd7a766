"""In Chromium: a project manager imports the finance system's CSV (upload, preview, confirm)
and turns the weekly digest off in their settings; the unsubscribe page works signed out.
Every page passes axe-core (no serious or critical violations). Reuses the Playwright
fixtures of tests/test_browser.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from portal.mail import unsubscribe_token
from projects.models import BudgetLine

from . import test_browser
from .factories import PASSWORD
from .factories import MembershipFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import log_in

pytestmark = test_browser.pytestmark


@pytest.fixture
def manager_world(transactional_db):
    """A hanke with one budget line and its manager; made before Playwright starts."""
    project = ProjectFactory(start_date=date(2022, 1, 1), end_date=date(2022, 12, 31))
    line = BudgetLine.objects.create(
        project=project, year=2022, category="personnel", line="Palkat", amount=Decimal(100000)
    )
    manager = MembershipFactory(
        user=UserFactory(username="pp-selain"), project=project, role="manager"
    ).user
    return project.pk, line.pk, unsubscribe_token(manager)


def test_manager_imports_totals_and_turns_the_digest_off(
    manager_world,
    browser_page,
    tmp_path,
):
    page, url = browser_page
    project_pk, line_pk, token = manager_world
    axe, found = Axe(), {}
    csv_file = tmp_path / "kirjanpito.csv"
    csv_file.write_bytes(f"Kausi;Avain;Summa\r\n1/2022;{line_pk};12 345,60\r\n".encode("cp1252"))
    # given the manager on the budget page
    log_in(page, url, "pp-selain", PASSWORD)
    page.goto(f"{url}/hankkeet/{project_pk}/talous/")
    # when they follow the import link and upload the file
    page.get_by_role("link", name="Import spending from the finance system").click()
    expect(page.locator("h1")).to_have_text("Import spending from the finance system")
    found["upload"] = _serious(axe.run(page))
    page.get_by_label("CSV file from the finance system").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    # then the preview lists one new total, and nothing is saved yet
    expect(page.locator("#import-counts")).to_contain_text("1 new total")
    expect(page.locator("#import-rows")).to_contain_text("€12,345.60")
    found["preview"] = _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "finance-import-preview-en.png", full_page=True)
    # when they confirm, the budget page shows the total as spending
    page.get_by_role("button", name="Import all rows").click()
    expect(page.locator("h1")).to_contain_text("Budget and spending")
    expect(page.locator("#expenses")).to_contain_text("€12,345.60")
    expect(page.locator("#expenses")).to_contain_text("(finance system)")
    # when they open their settings from the user menu and turn the digest off
    settings_link = page.locator(".site-nav").get_by_role("link", name="Settings")
    expect(settings_link).to_have_css("color", "rgb(255, 255, 255)")  # readable on the header
    settings_link.click()
    expect(page.locator("h1")).to_have_text("Settings")
    found["settings"] = _serious(axe.run(page))
    page.get_by_label("Send me the weekly digest").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    expect(page.get_by_label("Send me the weekly digest")).not_to_be_checked()
    # and the digest's unsubscribe page opens signed out, with its button
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": url}])
    page.goto(f"{url}/asetukset/kooste-pois/{token}/")
    found["unsubscribe"] = _serious(axe.run(page))
    page.get_by_role("button", name="Stop sending me the weekly digest").click()
    expect(page.locator("main [role=status]")).to_contain_text("You will not get the weekly digest")
    assert not any(found.values()), found
