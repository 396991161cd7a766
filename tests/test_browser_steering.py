"""In Chromium: a steering group member opens the meeting view of a hanke from the hanke
page, sees the status, the budget summary, the risk heat map and the previous meeting's
decisions, and gets no forms; the manager gets the decision form. The list and the meeting
page pass axe-core (no serious or critical violations). Reuses the fixtures of
tests/test_browser.py and the log-in helper of tests/test_browser_finances.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from objectives.models import Action
from projects.models import Project
from projects.models import Risk
from projects.services import expenditure_create
from projects.services import risk_save

from . import test_browser
from .helpers import meetings_after_a_decision
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import log_in

pytestmark = test_browser.pytestmark


@pytest.fixture
def steering_demo(demo_loaded):
    """002 (Keski-Pohjanmaa): two meetings, a decision of the first one, an expense and a
    risk rated high, all through the services as its manager (before Playwright starts)."""
    project = Project.objects.get(region__code="16")
    users = get_user_model().objects
    manager = users.get(username="kp.projektipaallikko")
    expenditure_create(
        project=project,
        actor=manager,
        date=date(2022, 6, 30),
        amount=Decimal("215500.50"),
        category="personnel",
        description="Palkat",
    )
    risk = Risk.objects.get(project=project, title="Taloudelliset riskit")
    values = {"title": risk.title, "status": "open", "likelihood": 4, "impact": 4}
    risk_save(project=project, actor=manager, values=values, risk=risk, expected_version=1)
    meeting = meetings_after_a_decision(
        project,
        manager,
        (date(2022, 9, 1), date(2022, 12, 1)),
        ("Ohjausryhmä", ""),
        due_date=date(2022, 10, 1),
        action=Action.objects.filter(project=project).order_by("id").first(),
    )
    return project.pk, meeting.pk


def test_steering_member_opens_the_meeting_view(steering_demo, browser_page):
    project_pk, meeting_pk = steering_demo
    page, url = browser_page
    axe = Axe()
    # given the Keski-Pohjanmaa steering member on the hanke page
    log_in(page, url, "kp.ohjausryhma")
    page.goto(f"{url}/hankkeet/{project_pk}/")
    # when they follow the link to the meetings and open the newest one
    page.locator("main").get_by_role("link", name="Steering group", exact=True).click()
    page.wait_for_selector("h1:has-text('Steering group meetings')")
    found = {"meeting list": _serious(axe.run(page))}
    assert page.locator("#meeting-form").count() == 0
    page.locator("main table.meeting-list").get_by_role("link", name="1.12.2022").click()
    page.wait_for_selector("h1:has-text('Steering group meeting 1.12.2022')")
    page.wait_for_selector("#decisions-heading")  # the whole page, to its last section
    main = page.locator("main").inner_text()
    # then the budget summary is there with the exact figures
    assert "Budget use" in main and "Share used" in main
    assert "€1,304,000.00" in main and "€215,500.50" in main
    # and the risk heat map: a 5×5 table with counts and levels in words
    assert page.locator("#meeting-heat-map td.heat-cell").count() == 25
    cell = page.locator("#meeting-heat-map tbody tr").nth(1).locator("td").nth(3)
    assert cell.inner_text().split() == ["1", "risk", "High"]
    top_risks = page.locator("main table", has_text="highest-rated risk")
    assert "Taloudelliset riskit" in top_risks.inner_text()
    # and the previous meeting's decision with its owner, due date and follow-up state
    assert "Selvitetään rekrytoinnin tilanne" in main and "1.10.2022" in main
    assert "What changed since the previous meeting" in main
    # and no forms for a reader
    assert page.locator("#decision-form").count() == 0
    assert page.get_by_role("button", name="Mark done").count() == 0
    page.screenshot(path=ARTIFACTS / "meeting-steering-en.png", full_page=True)
    found["meeting page"] = _serious(axe.run(page))
    # when the manager opens the same page, the forms are there and still accessible
    log_in(page, url, "kp.projektipaallikko")
    page.goto(f"{url}/hankkeet/{project_pk}/ohjausryhma/{meeting_pk}/")
    page.wait_for_selector("#decision-form")
    assert page.locator("main form.inline-form").count() == 1
    found["meeting page (manager)"] = _serious(axe.run(page))
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / "meeting-print-en.png", full_page=True)
    assert page.locator("#decision-form").is_hidden()
    assert found == {name: [] for name in found}
