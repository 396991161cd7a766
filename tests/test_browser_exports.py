"""In Chromium: an export job's page polls its status; the progress bar moves and turns into
a download link when the job is done. The page passes axe-core.

Reuses the Playwright fixtures of tests/test_browser.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import expect

from portal.models import Job
from reporting.exports.services import export_job_run

from . import test_browser
from .factories import PASSWORD
from .factories import ReportingPeriodFactory
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import log_in

pytestmark = test_browser.pytestmark


@pytest.fixture
def running_job(personas):
    """The ministry viewer's national extract, 40 % written (built before Playwright starts)."""
    period = ReportingPeriodFactory(
        programme=personas.project.programme, name="Väliarviointi 4/2023", cut_off=date(2023, 3, 31)
    )
    job = Job.objects.create(
        owner=personas.ministry_viewer,
        kind="national",
        parameters={"format": "csv", "table": "hankkeet", "period": period.pk},
        language="en",
        status="running",
        progress_done=40,
        progress_total=100,
    )
    return job.pk


def test_progress_bar_moves_and_turns_into_a_download_link(running_job, browser_page):
    page, url = browser_page
    try:
        _follow_the_job(page, url, running_job)
    finally:
        # The ORM calls below run in Playwright's greenlet, which has a connection of its
        # own; closed here, so the test database can be dropped at the end.
        connections.close_all()


def _follow_the_job(page, url: str, running_job: int) -> None:
    # given the viewer on the page of their running export
    log_in(page, url, "viewer", PASSWORD)
    page.goto(f"{url}/viennit/{running_job}/")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "40")
    expect(page.locator("#job-status")).to_contain_text("40 %")
    assert not _serious(Axe().run(page))
    page.screenshot(path=ARTIFACTS / "export-job-running.png", full_page=True)
    # when the worker gets further, then the bar follows within a poll or two
    Job.objects.filter(pk=running_job).update(progress_done=70)
    expect(bar).to_have_attribute("aria-valuenow", "70")
    expect(page.locator("#job-status")).to_contain_text("70 %")
    # when the job finishes (the same run a worker does)
    export_job_run(job_id=running_job)
    # then the bar gives way to the download link, and polling stops
    link = page.get_by_role("link", name="Download")
    expect(link).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.locator("#job-status")).not_to_have_attribute("hx-trigger", "every 1s")
    assert not _serious(Axe().run(page))
    page.screenshot(path=ARTIFACTS / "export-job-done.png", full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("kansallinen-poiminta-")
