"""In Chromium: the hanke page and the programme overview "as of" a past round, chosen with
the round selector (a plain GET form), and the round comparison; every page passes axe-core.

Reuses the Playwright fixtures of tests/test_browser.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

from datetime import date

import pytest

from . import test_browser
from .test_browser import (
    ARTIFACTS,
    _serious,
    browser_page,  # noqa: F401 - a pytest fixture, used by name
)
from .test_browser_rounds import _log_in

pytestmark = test_browser.pytestmark


@pytest.fixture
def rounds_world(personas):
    """Two past rounds: the first submitted (an action in progress), by the second the action
    is late and a goal is new. Built before Playwright starts (see test_browser.py)."""
    from measures.models import CurrentLight
    from measures.status_engine import status_recompute_projects
    from objectives.models import ReportingPeriod
    from objectives.services import action_status_update
    from reporting.rounds.services import self_assessment_save, self_assessment_submit

    from .factories import ActionFactory, ProcessGoalFactory, WorkPackageFactory, recorded_on

    project = personas.project
    for name, cut_off, due in (
        ("Kierros 4/2023", date(2023, 3, 31), date(2023, 4, 30)),
        ("Kierros 10/2023", date(2023, 9, 30), date(2023, 10, 31)),
    ):
        ReportingPeriod.objects.create(
            programme=project.programme, name=name, cut_off=cut_off, due_date=due
        )
    with recorded_on(date(2023, 1, 2)):
        package = WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut")
        action = ActionFactory(
            project=project,
            work_package=package,
            number="1.1",
            title_fi="Neuvontapiste",
            status="not_started",
            planned_start=date(2023, 1, 1),
            planned_end=date(2023, 6, 30),
        )
    with recorded_on(date(2023, 2, 1)):
        action_status_update(
            action=action,
            actor=personas.project_manager,
            status="in_progress",
            comment="Pilotti",
            status_date=date(2023, 2, 1),
            expected_version=action.version,
            today=date(2023, 2, 1),
        )
    # the round's submission freezes the spring's lights, as when it is submitted on time
    CurrentLight.objects.filter(project=project).delete()
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 3, 20))
    first = ReportingPeriod.objects.get(name="Kierros 4/2023")
    saved = self_assessment_save(
        actor=personas.project_manager,
        period=first,
        project=project,
        expected_version=0,
        summaries={},
        narratives={},
    )
    self_assessment_submit(
        actor=personas.project_manager, assessment=saved, expected_version=saved.version
    )
    with recorded_on(date(2023, 9, 1)):  # the second round comes from what was recorded
        ProcessGoalFactory(work_package=package, number="G1", title_fi="Uusi tavoite")
    return {"project": project.pk}


def test_past_round_views_and_comparison(rounds_world, browser_page):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page, url = browser_page
    axe, found = Axe(), {}
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    project = rounds_world["project"]

    # given the project manager on today's hanke page
    _log_in(page, url, "manager")
    page.goto(f"{url}/hankkeet/{project}/")
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
    found[page.url] = _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "hanke-as-of-en.png", full_page=True)

    # when they compare the two rounds
    page.get_by_role("link", name="Compare reporting rounds").click()
    page.wait_for_selector("h1:has-text('Compare reporting rounds')")
    # then the late action and the new goal are listed, with counts on top
    assert page.locator("[data-table=changed]").inner_text().count("Late") == 1
    assert "Uusi tavoite" in page.locator("[data-table=new]").inner_text()
    assert page.locator("[data-count=new]").inner_text() == "1"
    found[page.url] = _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "round-compare-hanke-en.png", full_page=True)

    # and the programme office sees the overview as of a round and the programme comparison
    _log_in(page, url, "viewer")
    page.goto(f"{url}/ohjelma/")
    page.get_by_role("link", name="View as of a past reporting round").click()
    page.wait_for_selector(".as-of-banner")
    found[page.url] = _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "overview-as-of-en.png", full_page=True)
    page.get_by_role("link", name="Back to today's view").click()
    page.wait_for_selector("h1:has-text('Programme overview')")
    assert page.locator(".as-of-banner").count() == 0
    page.goto(f"{url}/ohjelma/kierrokset/vertailu/")
    page.wait_for_selector("[data-count=changed]")
    found[page.url] = _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "round-compare-programme-en.png", full_page=True)

    assert not {path: ids for path, ids in found.items() if ids}
    assert not [e for e in errors if "Content Security Policy" in e]
