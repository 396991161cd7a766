"""In Chromium: a steering member reads a hanke's budget (burn chart drawn) and its risk
heat map; a project worker gets no expense form and a 403 on a direct POST, while the
manager's identical POST is accepted. Both pages pass axe-core (no serious or critical
violations). Reuses the Playwright fixtures of tests/test_browser.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from projects.models import Project
from projects.models import Risk
from projects.services import expenditure_create
from projects.services import risk_save

from . import test_browser
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import console_errors
from .test_browser import log_in

# Live-server tests commit for real (transactional database, serialized rollback).
pytestmark = test_browser.pytestmark


@pytest.fixture
def finance_demo(demo_loaded):
    """002 (Keski-Pohjanmaa) with two expenses and one risk rated by its manager.

    Done before Playwright starts (see demo_loaded in tests/fixtures_shared.py)."""
    project = Project.objects.get(region__code="16")
    manager = get_user_model().objects.get(username="kp.projektipaallikko")
    for day, amount in ((date(2022, 3, 31), "120000.00"), (date(2022, 6, 30), "215500.50")):
        expenditure_create(
            project=project,
            actor=manager,
            date=day,
            amount=Decimal(amount),
            category="personnel",
            description="Palkat",
        )
    risk = Risk.objects.get(project=project, title="Taloudelliset riskit")
    values = {"title": risk.title, "status": "open", "likelihood": 4, "impact": 4}
    risk_save(project=project, actor=manager, values=values, risk=risk, expected_version=1)
    return project.pk


def _post_expense(page, url: str, path: str):
    """POST an expense straight to the server with the page's own session and CSRF token."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(
        f"{url}{path}",
        form={"date": "2022-05-01", "amount": "10,00", "category": "other", "description": "x"},
        headers={"X-CSRFToken": token, "Referer": f"{url}{path}"},
        max_redirects=0,
    )


def test_steering_member_sees_budget_chart_and_heat_map_worker_cannot_edit(
    finance_demo,
    browser_page,
):
    page, url = browser_page
    axe = Axe()
    errors = console_errors(page)
    budget, risks = f"/hankkeet/{finance_demo}/talous/", f"/hankkeet/{finance_demo}/riskit/"
    # given the Keski-Pohjanmaa steering member on the hanke page
    log_in(page, url, "kp.ohjausryhma")
    page.goto(f"{url}/hankkeet/{finance_demo}/")
    # when they follow the link to the budget
    page.locator("main").get_by_role("link", name="Budget", exact=True).click()
    page.wait_for_selector("h1:has-text('Budget and spending')")
    # then the burn chart is drawn by Plotly: the expected line and the spending so far
    page.wait_for_selector("#burn-chart .main-svg")
    assert page.locator("#burn-chart .scatterlayer .trace").count() == 2
    legend = page.locator("#burn-chart .legend").text_content()
    assert "Expected (straight line)" in legend and "Spent (cumulative)" in legend
    # with the exact figures beside it and the light in words
    main = page.locator("main").inner_text()
    assert "€1,304,000.00" in main and "€335,500.50" in main
    assert "Spending" in main and "budget used" in main
    assert page.locator("#expense-form").count() == 0
    page.screenshot(path=ARTIFACTS / "budget-steering-en.png", full_page=True)
    found = {budget: _serious(axe.run(page))}
    # when they open the risk register
    page.get_by_role("link", name="Risk register").first.click()
    page.wait_for_selector("#heat-map")
    # then the heat map is a 5×5 table with counts and levels in words
    assert page.locator("#heat-map tbody tr").count() == 5
    assert page.locator("#heat-map td.heat-cell").count() == 25
    cell = page.locator("#heat-map tbody tr").nth(1).locator("td").nth(3)  # likelihood 4, impact 4
    assert cell.inner_text().split() == ["1", "risk", "High"]
    assert "Not rated: 5." in page.locator("main").inner_text()
    page.screenshot(path=ARTIFACTS / "risks-steering-en.png", full_page=True)
    found[risks] = _serious(axe.run(page))
    # and a project worker sees no expense form, and a direct POST is refused
    log_in(page, url, "kp.tyontekija")
    page.goto(f"{url}{budget}")
    page.wait_for_selector("#burn-chart .main-svg")
    assert page.locator("#expense-form").count() == 0
    assert _post_expense(page, url, budget).status == 403
    # while the manager's identical request is accepted (so the 403 is the role, not CSRF)
    log_in(page, url, "kp.projektipaallikko")
    page.goto(f"{url}{budget}")
    assert page.locator("#expense-form").count() == 1
    found[f"{budget} (manager)"] = _serious(axe.run(page))
    assert _post_expense(page, url, budget).status == 302
    # and the manager's risk edit form passes axe too
    page.goto(f"{url}{risks}")
    page.locator("main table.risk-table").get_by_role("link", name="Edit").first.click()
    page.wait_for_selector("h1:has-text('Edit risk')")
    found["risk edit (manager)"] = _serious(axe.run(page))
    assert found == {path: [] for path in found}
    # Plotly's inline styles are refused by the CSP (css/plotly.css stands in), as on every
    # chart page; a refused script would mean the chart was not drawn by charts.js.
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e.lower()]
