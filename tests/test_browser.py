"""In a real browser: a demo user logs in, sees the four regions, and switches language.

Runs headless Debian Chromium (installed by `make test`) through Playwright against
pytest-django's live server; screenshots go to test-artifacts/ for people to look at.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from measures.models import Indicator
from objectives.models import Action
from objectives.models import ProcessGoal
from projects.models import Project
from reporting.demo.loader import DEMO_PASSWORD

from .conftest import CHROMIUM  # noqa: F401 - used by others
from .conftest import CHROMIUM_ARGS  # noqa: F401 - used by others
from .conftest import demo_restore  # noqa: F401 - used by others
from .fixtures_shared import ARTIFACTS

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian chromium is not installed (make test installs it)",
    ),
    # Live-server tests commit for real; serialized rollback restores the HT catalogue.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def log_in(page, url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, in a fresh session that reads the pages in English."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": url}])
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("h1")


def log_in_finnish(page, url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page in Finnish (the default language), by its labels."""
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(password)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_selector("h1")


def console_errors(page) -> list[str]:
    """The errors the page writes to the browser console from now on, as they come."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


class PageChecks:
    """What a browser test asks of every page it visits: axe-core ran on it and found no
    serious or critical violation, and the console showed no Content Security Policy error
    from the start."""

    def __init__(self, page):
        self.page, self._axe, self.found = page, Axe(), {}
        self.errors = console_errors(page)

    def axe(self) -> None:
        """Run axe-core on the page as it is now, the violations kept by its address."""
        result = self._axe.run(self.page)
        assert result.response["passes"], self.page.url  # axe really ran
        self.found[self.page.url] = _serious(result)

    def assert_clean(self) -> None:
        assert not {path: ids for path, ids in self.found.items() if ids}
        assert not [e for e in self.errors if "Content Security Policy" in e]


def test_demo_user_logs_in_and_sees_the_four_regions(demo_loaded, browser_page):
    # given the demo data (fixture)
    page, url = browser_page
    # when the ministry viewer logs in through the Finnish login page
    page.goto(f"{url}/")
    assert page.locator("h1").inner_text() == "Kirjaudu sisään"
    page.screenshot(path=ARTIFACTS / "login-fi.png", full_page=True)
    page.get_by_label("Käyttäjätunnus").fill("stm.katselija")
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    # then the first page lists the four regions
    page.wait_for_selector("h1:has-text('Maakunnat ja hankkeet')")
    regions = page.locator(".region h2").all_inner_texts()
    assert sorted(regions) == ["Etelä-Pohjanmaa", "Etelä-Savo", "Keski-Pohjanmaa", "Keski-Suomi"]
    page.screenshot(path=ARTIFACTS / "home-fi.png", full_page=True)
    # and switching to Swedish keeps the user on the page, now in Swedish
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_selector("html[lang='sv']")
    assert "Södra Österbotten" in page.locator("main").inner_text()
    page.screenshot(path=ARTIFACTS / "home-sv.png", full_page=True)


def test_wrong_password_is_explained_on_the_page(browser_page):
    page, url = browser_page
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Käyttäjätunnus").fill("ei.ole")
    page.get_by_label("Salasana").fill("väärä-salasana")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    alert = page.get_by_role("alert")
    assert "kelvollinen" in alert.inner_text()
    page.screenshot(path=ARTIFACTS / "login-error-fi.png", full_page=True)


@pytest.fixture
def page_urls(demo_loaded):
    """One URL per page type of the demo, looked up before Playwright starts."""
    project = Project.objects.get(region__code="16")
    action = Action.objects.filter(project=project).first()
    goal = ProcessGoal.objects.filter(project=project).first()
    indicator = Indicator.objects.filter(project=project).first()
    return [
        "/",
        "/ohjelma/",
        "/ohjelma/vertailu/?ht=2",
        f"/hankkeet/{project.pk}/",
        f"/hankkeet/{project.pk}/toimenpiteet/",
        f"/toimenpiteet/{action.pk}/",
        f"/tavoitteet/{goal.pk}/",
        f"/hankkeet/{project.pk}/mittarit/",
        f"/mittarit/{indicator.pk}/",
        f"/hankkeet/{project.pk}/jasenet/",
        "/kayttajat/",
        "/muutosloki/",
        f"/historia/action/{action.pk}/",
    ]


def test_every_page_type_passes_axe_without_serious_violations(page_urls, browser_page):
    # given the programme admin, who sees every page type
    page, url = browser_page
    axe = Axe()
    page.goto(f"{url}/accounts/login/")
    found = {"login": _serious(axe.run(page))}
    page.get_by_label("Käyttäjätunnus").fill("ohjelma.admin")
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_selector("h1")
    # when axe-core checks each page type
    for path in page_urls:
        page.goto(f"{url}{path}")
        result = axe.run(page)
        assert result.response["passes"], path  # axe really ran on the page
        found[path] = _serious(result)
    # then none has a serious or critical WCAG violation
    assert not {path: ids for path, ids in found.items() if ids}


def _serious(result) -> list[str]:
    return [
        v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def chart_indicator_path(demo_loaded):
    indicator = Indicator.objects.filter(project__region__code="16", measurements__isnull=False)
    return f"/mittarit/{indicator.distinct().first().pk}/"


def test_steering_member_opens_an_indicator_chart(chart_indicator_path, browser_page):
    # given a Keski-Pohjanmaa indicator with values and a steering-group member
    page, url = browser_page
    indicator_path = chart_indicator_path
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in_finnish(page, url, "kp.ohjausryhma")
    # when they open the indicator page
    page.goto(f"{url}{indicator_path}")
    # then Plotly draws the chart under the Content Security Policy
    page.wait_for_selector("#indicator-chart svg.main-svg")
    page.screenshot(path=ARTIFACTS / "indicator-chart-fi.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e.lower()]
