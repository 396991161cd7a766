"""In Chromium: the hanke page and the programme overview "as of" a past round, chosen with
the round selector (a plain GET form), and the round comparison; every page passes axe-core.

Reuses the Playwright fixtures of tests/test_browser.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

from datetime import date

import pytest

from measures.models import CurrentLight
from measures.status_engine import status_recompute_projects

from . import test_browser
from .browser_visits import signed_in
from .browser_visits import visit_as
from .factories import PASSWORD
from .factories import ProcessGoalFactory
from .factories import recorded_on
from .helpers import action_late_later
from .helpers import assessment_submit
from .helpers import spring_and_autumn_rounds
from .test_browser import ARTIFACTS
from .test_browser import PageChecks

pytestmark = test_browser.pytestmark


@pytest.fixture
def rounds_world(personas):
    """Two past rounds: the first submitted (an action in progress), by the second the action
    is late and a goal is new. Built before Playwright starts (see test_browser.py)."""
    project = personas.project
    first, _second = spring_and_autumn_rounds(project.programme)
    package, _action = action_late_later(
        project,
        personas.project_manager,
        title_fi="Neuvontapiste",
        comment="Pilotti",
        name_fi="Palvelut",
    )
    # the round's submission freezes the spring's lights, as when it is submitted on time
    CurrentLight.objects.filter(project=project).delete()
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 3, 20))
    assessment_submit(personas.project_manager, first, project)
    with recorded_on(date(2023, 9, 1)):  # the second round comes from what was recorded
        ProcessGoalFactory(work_package=package, number="G1", title_fi="Uusi tavoite")
    return {"project": project.pk}


def test_past_round_views_and_comparison(rounds_world, browser_page):
    # given the project manager on today's hanke page
    hanke = f"/hankkeet/{rounds_world['project']}/"
    page, url, checks = signed_in(
        browser_page, "manager", hanke, watch=PageChecks, password=PASSWORD
    )
    page.locator(".package-toggle").first.click()  # its one work package, opened in place
    page.wait_for_selector(".tree__action")
    assert page.get_by_role("link", name="Update status").count() == 1
    # when they open the past view: the newest past round, with its id in the address
    page.get_by_role("link", name="View as of a past reporting round").click()
    page.wait_for_selector(".as-of-banner")
    assert "kierros=" in page.url and "viimeisin" not in page.url
    assert "Kierros 10/2023 (cut-off 30.9.2023)" in page.locator(".as-of-banner").inner_text()
    # and choose the first round with the selector (a GET form, no script needed)
    page.get_by_label("Reporting round").select_option(label="Kierros 4/2023 (31.3.2023)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector(".as-of-banner:has-text('Kierros 4/2023')")
    # then the lights are those of the submitted report, and nothing can be edited
    main = page.locator("main").inner_text()
    assert "In progress" in main and "Uusi tavoite" not in main
    assert page.get_by_role("link", name="Update status").count() == 0
    checks.axe()
    page.screenshot(path=ARTIFACTS / "hanke-as-of-en.png", full_page=True)

    # when they compare the two rounds
    page.get_by_role("link", name="Compare reporting rounds").click()
    page.wait_for_selector("h1:has-text('Compare reporting rounds')")
    # then the late action and the new goal are listed, with counts on top
    assert page.locator("[data-table=changed]").inner_text().count("Late") == 1
    assert "Uusi tavoite" in page.locator("[data-table=new]").inner_text()
    assert page.locator("[data-count=new]").inner_text() == "1"
    checks.axe()
    page.screenshot(path=ARTIFACTS / "round-compare-hanke-en.png", full_page=True)

    # and the programme office sees the overview as of a round and the programme comparison
    visit_as(page, url, "viewer", "/ohjelma/", password=PASSWORD)
    page.get_by_role("link", name="View as of a past reporting round").click()
    page.wait_for_selector(".as-of-banner")
    checks.axe()
    page.screenshot(path=ARTIFACTS / "overview-as-of-en.png", full_page=True)
    page.get_by_role("link", name="Back to today's view").click()
    page.wait_for_selector("h1:has-text('Programme overview')")
    assert page.locator(".as-of-banner").count() == 0
    page.goto(f"{url}/ohjelma/kierrokset/vertailu/")
    page.wait_for_selector("[data-count=changed]")
    checks.axe()
    page.screenshot(path=ARTIFACTS / "round-compare-programme-en.png", full_page=True)

    checks.assert_clean()
