"""In Chromium: a project manager imports actions from their own spreadsheet layout —
upload, choose the columns, read the preview, confirm — and the pages pass axe-core.
Reuses the Playwright fixtures of tests/test_browser.py."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from projects.models import Project

from . import test_browser
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import log_in

pytestmark = test_browser.pytestmark


@pytest.fixture
def import_demo(demo_loaded):
    """Keski-Pohjanmaa's hanke and one of its work package codes (read before Playwright)."""
    project = Project.objects.get(region__code="16")
    return project.pk, project.work_packages.order_by("order", "id").first().code


def test_manager_imports_actions_from_own_layout_in_the_browser(
    import_demo,
    browser_page,
    tmp_path,
):
    project_pk, package = import_demo
    page, url = browser_page
    axe = Axe()
    found: dict[str, list] = {}
    sheet = tmp_path / "oma-suunnitelma.csv"
    sheet.write_text(
        "Paketti;Nro;Toimenpide;Valmis\n"
        f"{package};99.1;Selaimella tuotu päivystystoimenpide;31.12.2025\n",
        encoding="cp1252",
    )
    # given the manager on the hanke page
    log_in(page, url, "kp.projektipaallikko")
    page.goto(f"{url}/hankkeet/{project_pk}/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Import from a file")
    found["upload"] = _serious(axe.run(page))
    # when they upload their own spreadsheet as actions
    page.get_by_label("The file contains").select_option("actions")
    page.get_by_label("File", exact=True).set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and choose columns").click()
    # then they choose which of its columns holds which field
    expect(page.locator("h1")).to_contain_text("Choose the columns")
    expect(page.get_by_role("note").first).to_contain_text("Windows-1252")
    found["columns"] = _serious(axe.run(page))
    page.get_by_label("Work package").select_option("Paketti")
    page.get_by_label("Action number").select_option("Nro")
    page.get_by_label("Action", exact=True).select_option("Toimenpide")
    page.get_by_label("Planned end").select_option("Valmis")
    page.get_by_role("button", name="Check the rows").click()
    # and see the preview: one new row, nothing saved yet
    expect(page.locator("#count-new")).to_have_text("1")
    expect(page.locator("#count-rejected")).to_have_text("0")
    expect(page.locator("main")).to_contain_text("Selaimella tuotu päivystystoimenpide")
    page.screenshot(path=ARTIFACTS / "import-preview-en.png", full_page=True)
    found["preview"] = _serious(axe.run(page))
    # when they confirm, the action is imported
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator("#import-result")).to_contain_text("Imported: 1 new and 0 changed rows.")
    page.goto(f"{url}/hankkeet/{project_pk}/toimenpiteet/")
    expect(page.locator("main")).to_contain_text("Selaimella tuotu päivystystoimenpide")
    # and the next upload of the same layout has the columns chosen already
    page.goto(f"{url}/hankkeet/{project_pk}/tuonti/")
    page.get_by_label("The file contains").select_option("actions")
    page.get_by_label("File", exact=True).set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and choose columns").click()
    expect(page.get_by_label("Work package")).to_have_value("Paketti")
    expect(page.get_by_label("Planned end")).to_have_value("Valmis")
    assert found == {name: [] for name in found}
