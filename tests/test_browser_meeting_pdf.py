"""In Chromium: a steering group member opens a meeting of their hanke, sees the burn chart
(drawn by Plotly) and the risk heat map, and downloads the meeting as a PDF, which is a real
PDF with the hanke's name in its text. Reuses the fixtures of tests/test_browser.py and the
meeting data of tests/test_browser_steering.py (two meetings, an expense, a rated risk).

A project worker who may not edit the budget is covered by tests/test_browser_finances.py
(no expense form, a direct POST refused with 403)."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from . import test_browser
from .browser_visits import assert_no_script_refused
from .browser_visits import signed_in
from .test_browser import ARTIFACTS
from .test_browser_steering import steering_demo  # noqa: F401 - a pytest fixture

pytestmark = test_browser.pytestmark


def test_steering_member_sees_burn_chart_and_heat_map_and_downloads_the_pdf(
    steering_demo,  # noqa: F811
    browser_page,
):
    project_pk, meeting_pk = steering_demo
    # given the Keski-Pohjanmaa steering member on the meeting page
    meeting = f"/hankkeet/{project_pk}/ohjausryhma/{meeting_pk}/"
    page, _url, errors = signed_in(browser_page, "kp.ohjausryhma", meeting)
    expect(page.locator("h1")).to_contain_text("Steering group meeting 1.12.2022")
    hanke_name = page.locator("h1").inner_text().split(": ", 1)[1]
    # then the burn chart is drawn: the expected straight line and the spending so far
    chart = page.locator("#meeting-burn-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".scatterlayer .trace")).to_have_count(2)
    legend = chart.locator(".legend")
    expect(legend).to_contain_text("Expected (straight line)")
    expect(legend).to_contain_text("Spent (cumulative)")
    # and the heat map: a 5×5 table with the rated risk counted in words
    expect(page.locator("#meeting-heat-map td.heat-cell")).to_have_count(25)
    cell = page.locator("#meeting-heat-map tbody tr").nth(1).locator("td").nth(3)
    expect(cell).to_have_text("1 risk High")
    page.screenshot(path=ARTIFACTS / "meeting-burn-chart-en.png", full_page=True)
    # when they download the PDF from the link on the page
    # (generous: the first PDF of a process imports WeasyPrint, slow on a busy machine)
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    path = download.path()
    content = open(path, "rb").read()
    download.save_as(ARTIFACTS / "meeting-steering-en.pdf")
    # then the file is a PDF named after the hanke and the meeting, with the hanke's name in it
    assert content.startswith(b"%PDF")
    assert download.suggested_filename.endswith("-ohjausryhma-2022-12-01.pdf")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert hanke_name and " ".join(hanke_name.split()) in text
    assert "Budget use" in text and "Taloudelliset riskit" in text
    assert "Selvitetään rekrytoinnin tilanne" in text
    # and the chart was drawn by charts.js under the CSP (no refused script)
    assert_no_script_refused(errors)
