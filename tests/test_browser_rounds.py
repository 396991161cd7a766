"""In Chromium: a full reporting round. The admin opens a round, the project manager fills
and submits the self-assessment, the admin accepts it; a later status correction shows on
the live page but not in the accepted round's frozen report. Every new page passes axe-core.

Reuses the Playwright fixtures of tests/test_browser.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

from datetime import date

import pytest

from measures.status_engine import status_recompute_projects

from . import test_browser
from .browser_visits import signed_in
from .browser_visits import visit_as
from .factories import PASSWORD
from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import WorkPackageFactory
from .helpers import status_report
from .test_browser import ARTIFACTS
from .test_browser import PageChecks
from .test_browser import log_in

pytestmark = test_browser.pytestmark


@pytest.fixture
def round_world(personas):
    """A hanke with one action in progress before the cut-off and one indicator.

    Built before Playwright starts (see demo_loaded in tests/fixtures_shared.py)."""
    project = personas.project
    package = WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut")
    action = ActionFactory(
        project=project, work_package=package, title_fi="Neuvontapiste", status="not_started"
    )
    status_report(
        action, personas.project_manager, "in_progress", date(2023, 2, 1), "Pilotti käynnissä"
    )
    indicator = IndicatorFactory(project=project, code="M1")
    MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), value=40)
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 4, 5))
    return {"project": project.pk, "action": action.pk, "package": package.pk}


def test_full_round_admin_opens_manager_submits_thl_accepts(round_world, browser_page):
    project = round_world["project"]

    # given the programme admin, who opens a round from the programme overview
    page, url, checks = signed_in(
        browser_page, "admin", "/ohjelma/", watch=PageChecks, password=PASSWORD
    )
    page.locator("main").get_by_role("link", name="Reporting rounds", exact=True).click()
    page.wait_for_selector("h1:has-text('Reporting rounds')")
    page.get_by_label("Name").fill("Väliarviointi 4/2023")
    page.get_by_label("Data cut-off").fill("2023-03-31")
    page.get_by_label("Due date").fill("2023-04-30")
    page.get_by_role("button", name="Save round").click()
    page.wait_for_selector("text=Reporting round saved.")
    round_link = page.locator("table").get_by_role("link", name="Väliarviointi 4/2023", exact=True)
    dashboard_path = round_link.get_attribute("href")
    checks.axe()

    # when the project manager finds the round from the hanke page and fills it in
    visit_as(page, url, "manager", f"/hankkeet/{project}/", password=PASSWORD)
    page.get_by_role("link", name="Reporting", exact=True).click()
    page.wait_for_selector("h1:has-text('Reporting rounds')")
    checks.axe()
    page.locator("table").get_by_role("link", name="Väliarviointi 4/2023", exact=True).click()
    page.wait_for_selector("h1:has-text('Self-assessment')")
    assessment_url = page.url
    # the action's status at the cut-off is shown read-only, from the status log
    assert "Pilotti käynnissä" in page.locator("#assessment-form").inner_text()
    page.get_by_label("Summary of the work package TP1").fill("Neuvontapiste avattiin.")
    page.get_by_label("What lies behind the trend M1").fill("Uusi ajanvaraus")
    page.get_by_label("What will be done M1").fill("Laajennetaan")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("#assessment-status:has-text('Draft saved.')")
    checks.axe()
    page.get_by_role("button", name="Submit to THL").click()
    page.wait_for_selector("#assessment-state:has-text('Submitted')")
    assert page.get_by_role("button", name="Save draft").count() == 0
    page.screenshot(path=ARTIFACTS / "round-submitted-en.png", full_page=True)

    # then THL (the programme admin) sees it on the round's dashboard and accepts it
    visit_as(page, url, "admin", dashboard_path, password=PASSWORD)
    page.wait_for_selector("table.round-dashboard")
    assert "Submitted" in page.locator("table.round-dashboard").inner_text()
    checks.axe()
    page.screenshot(path=ARTIFACTS / "round-dashboard-en.png", full_page=True)
    page.locator("table.round-dashboard tbody tr").filter(has_text="Submitted").get_by_role(
        "link"
    ).first.click()
    page.wait_for_selector("h1:has-text('Self-assessment')")
    checks.axe()
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_selector("#assessment-state:has-text('Accepted')")

    # and the manager sees it accepted and locked
    log_in(page, url, "manager", PASSWORD)
    page.goto(assessment_url)
    assert page.locator("#assessment-state").inner_text() == "Accepted"
    assert (
        "accepted this self-assessment. It is locked"
        in page.locator("#assessment-locked").inner_text()
    )
    assert page.get_by_role("button", name="Submit to THL").count() == 0

    # when the manager later corrects the action's status to a date before the cut-off
    page.goto(f"{url}/toimenpiteet/{round_world['action']}/")
    page.locator("select[name=status]").select_option("done")
    page.locator("input[name=status_date]").fill("2023-03-30")
    page.locator("textarea[name=comment]").fill("Valmistui jo maaliskuussa")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_selector("text=Valmistui jo maaliskuussa")
    # then the live self-assessment page shows the correction ...
    page.goto(assessment_url)
    assert "Valmistui jo maaliskuussa" in page.locator("#assessment-form").inner_text()
    # ... but the accepted round's frozen report still shows what was submitted
    page.get_by_role("link", name="Frozen report of the last submission").click()
    page.wait_for_selector("h1:has-text('Report for')")
    report = page.locator("main").inner_text()
    assert "Pilotti käynnissä" in report and "In progress" in report
    assert "Valmistui jo maaliskuussa" not in report
    assert "Neuvontapiste avattiin." in report and "Uusi ajanvaraus" in report
    checks.axe()
    page.screenshot(path=ARTIFACTS / "round-frozen-report-en.png", full_page=True)

    checks.assert_clean()
