"""In Chromium: a project manager keeps the plan up to date in the browser (issue #17).

They start a new plan version, add a goal with two HT tags and an action under it, set an
indicator's baseline and a yearly target and see the indicator get a light, then read the
version's diff; an edit of the same action from another tab gets the conflict view. The
pages pass axe-core in the states they end in.
"""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from measures.status_engine import status_recompute_projects
from projects.models import PlanVersion

from . import test_browser
from .factories import PASSWORD
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import MembershipFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .test_browser import ARTIFACTS
from .test_browser import _serious
from .test_browser import log_in_finnish

# Live-server tests commit for real (transactional database, serialized rollback).
pytestmark = test_browser.pytestmark


@pytest.fixture
def hanke(django_db_serialized_rollback, transactional_db):
    """A hanke with a work package, a first plan version and an indicator with a recent value
    but no baseline or target (grey), its lights computed; its manager signs in."""
    today = timezone.localdate()
    project = ProjectFactory(
        start_date=date(today.year - 2, 1, 1), end_date=date(today.year + 1, 12, 31)
    )
    MembershipFactory(user=UserFactory(username="pp.selain"), project=project, role="manager")
    WorkPackageFactory(project=project, code="TP1", name_fi="Palveluohjaus")
    PlanVersion.objects.create(
        project=project, key="2022", name="Suunnitelma 2022", issued_on=date(today.year - 2, 1, 1)
    )
    indicator = IndicatorFactory(
        project=project, code="M1", name_fi="Hoitoon pääsy", unit="percent"
    )
    MeasurementFactory(indicator=indicator, period=date(today.year - 1, 12, 31), value=60)
    status_recompute_projects(project_ids=[project.pk], today=today)
    return {"project": project.pk, "indicator": indicator.pk, "year": today.year}


def test_manager_edits_the_plan_and_a_second_tab_gets_the_conflict_view(hanke, browser_page):
    page, url = browser_page
    axe = Axe()
    project = hanke["project"]
    log_in_finnish(page, url, "pp.selain", PASSWORD)
    # given the manager on the hanke page follows the link to the plan
    page.goto(f"{url}/hankkeet/{project}/")
    page.get_by_role("link", name="Muokkaa suunnitelmaa").click()
    page.wait_for_selector("h1:has-text('Suunnitelma')")
    assert not _serious(axe.run(page))
    # when they start a new plan version
    page.get_by_role("link", name="Suunnitelmaversiot").click()
    page.get_by_label("Nimi").fill("Suunnitelma 2023–2025")
    page.get_by_label("Päivätty").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Aloita versio").click()
    page.wait_for_selector("h1:has-text('Suunnitelma 2023–2025')")
    # and add a goal with two HT tags
    page.goto(f"{url}/hankkeet/{project}/suunnitelma/")
    page.get_by_role("link", name="Lisää prosessitavoite").click()
    page.get_by_label("numero").fill("T9")
    page.get_by_label("otsikko (suomeksi)").fill("Palveluohjaus yhdestä paikasta")
    page.get_by_label("työpaketti").select_option(label="TP1 Palveluohjaus")
    page.get_by_label("HT1").check()
    page.get_by_label("HT3").check()
    assert not _serious(axe.run(page))
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator(".messages")).to_contain_text("Prosessitavoite tallennettu.")
    row = page.locator("tr:has-text('Palveluohjaus yhdestä paikasta')")
    expect(row).to_contain_text("HT1, HT3")
    expect(row).to_contain_text("Uusi tässä suunnitelmassa")
    # and an action under it (the goal and its package come filled in)
    row.get_by_role("link", name="Lisää toimenpide").click()
    page.get_by_label("numero").fill("9.1")
    page.get_by_label("otsikko (suomeksi)").fill("Yhteinen palvelunumero")
    page.get_by_label("aikataulu alkuperäisessä muodossa").fill("1-6/2024")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator(".messages")).to_contain_text("Toimenpide tallennettu.")
    action_row = page.locator("tr:has-text('Yhteinen palvelunumero')")
    expect(action_row).to_contain_text("T9")
    # and set the indicator's baseline and a yearly target
    page.goto(f"{url}/hankkeet/{project}/suunnitelma/mittarit/{hanke['indicator']}/")
    page.get_by_label("Lähtötaso", exact=True).fill("40")
    page.get_by_label("Lähtötason päivämäärä").fill(f"{hanke['year'] - 2}-12-31")
    page.locator("form:has(input[name=op][value=save])").get_by_label("Muutoksen syy").fill(
        "Lähtötaso suunnitelmasta"
    )
    page.locator("form:has(input[name=op][value=save])").get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("Mittari tallennettu.")
    page.goto(f"{url}/hankkeet/{project}/suunnitelma/mittarit/{hanke['indicator']}/")
    page.get_by_label(f"Tavoite {hanke['year']}", exact=True).fill("80")
    page.get_by_role("button", name="Tallenna tavoitteet").click()
    expect(page.locator(".messages")).to_contain_text("Tavoitteet tallennettu.")
    assert not _serious(axe.run(page))
    # then the indicator has a light that is not grey
    page.get_by_role("link", name="Mittarin sivu").click()
    page.wait_for_selector("#status-heading")
    status = page.locator("section[aria-labelledby=status-heading]")
    assert status.locator(".light").count() >= 1
    assert status.locator(".light--grey").count() == 0
    # and the version's diff lists the new goal and action and the changed indicator
    page.goto(f"{url}/hankkeet/{project}/suunnitelma/versiot/")
    page.get_by_role("link", name="Suunnitelma 2023–2025").click()
    new = page.locator("section:has(#new-heading)")
    expect(new).to_contain_text("T9 Palveluohjaus yhdestä paikasta")
    expect(new).to_contain_text("9.1 Yhteinen palvelunumero")
    changed = page.locator("section:has(#changed-heading)")
    expect(changed).to_contain_text("M1")
    expect(changed).to_contain_text("40")
    assert not _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "plan-version-diff-fi.png", full_page=True)
    # when the action is opened for editing here and, meanwhile, edited in another tab
    page.goto(f"{url}/hankkeet/{project}/suunnitelma/?osa=toimenpiteet")
    page.locator("tr:has-text('Yhteinen palvelunumero')").get_by_role(
        "link", name="Muokkaa"
    ).click()
    page.wait_for_selector("h1:has-text('Muokkaa toimenpidettä')")
    # (another tab of the same session: a second context with the same session cookie)
    second = page.context.browser.new_context(locale="en-US")
    second.add_cookies(page.context.cookies())
    other = second.new_page()
    other.goto(page.url)
    other.get_by_label("otsikko (suomeksi)").fill("Yhteinen palvelunumero ja chat")
    other.locator("form:has(input[name=op][value=save])").get_by_label("Muutoksen syy").fill(
        "Chat lisätty"
    )
    other.locator("form:has(input[name=op][value=save])").get_by_role("button").click()
    expect(other.locator(".messages")).to_contain_text("Toimenpide tallennettu.")
    second.close()
    page.get_by_label("otsikko (suomeksi)").fill("Palvelunumero koko maakuntaan")
    page.locator("form:has(input[name=op][value=save])").get_by_label("Muutoksen syy").fill(
        "Laajennus"
    )
    page.locator("form:has(input[name=op][value=save])").get_by_role("button").click()
    # then this tab gets the conflict view: both titles side by side, its input kept
    conflict = page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Yhteinen palvelunumero ja chat")
    expect(conflict).to_contain_text("Palvelunumero koko maakuntaan")
    assert page.get_by_label("otsikko (suomeksi)").input_value() == "Palvelunumero koko maakuntaan"
    assert not _serious(axe.run(page))
    page.screenshot(path=ARTIFACTS / "plan-conflict-fi.png", full_page=True)

    # and on a phone, in Swedish, the plan and the version's diff read without sideways scroll
    page.get_by_role("button", name="Svenska").click()
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (
        ("plan-actions-sv-390", f"/hankkeet/{project}/suunnitelma/?osa=toimenpiteet"),
        ("plan-versions-sv-390", f"/hankkeet/{project}/suunnitelma/versiot/"),
    ):
        page.goto(f"{url}{path}")
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
