"""Save screenshots of the portal's main pages to docs/screenshots/ (shown in README.md).

Usage, against a running portal with the demo data (`make run` serves one on port 8000):

    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000]

Logs in through the login form as the demo users of README.md in headless Debian Chromium
(`/usr/bin/chromium`, installed by `make test`), finds the pages by following the links a
user would follow, and saves one PNG per `Shot`: Finnish pages, plus one in Swedish chosen
with the language switch. Each PNG is the full page at 1280 px wide, cut at `MAX_HEIGHT`
px so that a long hanke page stays readable in the README.

    .venv/bin/python scripts/screenshots.py --pages [--only hanke,risks]

takes every page type of `PAGES` instead, on a phone (390 px) and a desktop (1 280 px), in
Finnish and in Swedish: docs/screenshots/pages/<page>-<fi|sv>-<390|1280>.png.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
MAX_HEIGHT = 2400
DEMO_PASSWORD = "demo-salasana-2026"  # published in README.md; development data only
VIEWER = "stm.katselija"  # ministry viewer: every region
# Etelä-Pohjanmaa's hanke has the most actions; only Keski-Pohjanmaa's indicators have targets.
ACTIONS_REGION, ACTIONS_MANAGER = "Etelä-Pohjanmaa", "ep.projektipaallikko"
INDICATORS_REGION, INDICATORS_MANAGER = "Keski-Pohjanmaa", "kp.projektipaallikko"
WORKER = "kp.tyontekija"  # owns the actions of the first work package of Keski-Pohjanmaa


@dataclass(frozen=True)
class Shot:
    """One PNG: `file` in OUT_DIR, taken as `user` after `open` has loaded the page; from the
    top of the page, or from the element `start` (a CSS selector) when the part to show lies
    further down."""

    file: str
    user: str
    open: Callable[[Page, str], None]
    language: str = "fi"
    start: str | None = None


def go(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def hanke_url(page: Page, base: str, region: str = ACTIONS_REGION) -> str:
    """The hanke page of `region`, found from the home page's links."""
    go(page, f"{base}/")
    card = page.locator("section.region", has=page.get_by_role("heading", name=region))
    href = card.locator("a[href^='/hankkeet/']").first.get_attribute("href")
    match = re.match(r"^/hankkeet/\d+/", href or "")
    if match is None:
        raise RuntimeError(f"No hanke link for {region} on the home page")
    return base + match.group(0)


def open_home(page: Page, base: str) -> None:
    go(page, f"{base}/")


def open_overview(page: Page, base: str) -> None:
    go(page, f"{base}/ohjelma/")


def open_hanke(page: Page, base: str) -> None:
    """The hanke page with its first work package opened by its toggle, in place (htmx)."""
    go(page, hanke_url(page, base))
    page.locator(".package-toggle").first.click()
    page.wait_for_selector(".package-toggle[aria-expanded='true']")
    page.wait_for_selector(".tree__action")


# The demo's Etelä-Pohjanmaa has no late actions but a few dozen yellow ones ("attention").
FILTER = "?ht=1&light=yellow"


def open_hanke_filtered(page: Page, base: str) -> None:
    """The hanke page filtered to HT1's actions with a yellow light, as the form sends it."""
    go(page, hanke_url(page, base) + FILTER)


def open_action(page: Page, base: str) -> None:
    """An action with its status form: the first one the filter above shows."""
    go(page, hanke_url(page, base) + FILTER)
    href = page.locator("main a[href^='/toimenpiteet/']").first.get_attribute("href")
    go(page, base + href)
    page.wait_for_selector("form select[name='status']")


def open_goal(page: Page, base: str) -> None:
    """The first process goal of the filtered hanke page: its actions and indicators."""
    go(page, hanke_url(page, base) + FILTER)
    href = page.locator("main a[href^='/tavoitteet/']").first.get_attribute("href")
    go(page, base + href)


def open_indicator(page: Page, base: str) -> None:
    """The first indicator with a target in the hanke's list, once Plotly has drawn its chart."""
    go(page, hanke_url(page, base, INDICATORS_REGION) + "mittarit/")
    no_target = page.locator("td.num:last-child", has_text=re.compile(r"^–$"))
    rows = page.locator("main tbody tr").filter(has_not=no_target)
    href = rows.first.locator("a[href^='/mittarit/']").get_attribute("href")
    go(page, base + href)
    page.wait_for_selector("#indicator-chart .main-svg")


def open_my_work(page: Page, base: str) -> None:
    go(page, f"{base}/oma-tyo/")


def open_row_form(page: Page, base: str) -> None:
    """My work with the first row's status form open and a refused save (comment missing)."""
    go(page, f"{base}/oma-tyo/")
    page.locator(".row-actions a").first.click()
    page.wait_for_selector("form.row-form")
    page.locator("form.row-form button[type=submit]").click()
    page.wait_for_selector("form.row-form .field-error")


def open_compare(page: Page, base: str) -> None:
    go(page, f"{base}/ohjelma/vertailu/?ht=2")
    page.wait_for_selector("#compare-chart .main-svg")


def open_budget(page: Page, base: str) -> None:
    go(page, hanke_url(page, base, INDICATORS_REGION) + "talous/")


def open_risks(page: Page, base: str) -> None:
    go(page, hanke_url(page, base, INDICATORS_REGION) + "riskit/")


SHOTS = [
    Shot("overview-fi.png", VIEWER, open_overview),
    Shot("home-fi.png", VIEWER, open_home),
    Shot("hanke-fi.png", ACTIONS_MANAGER, open_hanke, start="#hanke-summary"),
    Shot("hanke-filtered-fi.png", ACTIONS_MANAGER, open_hanke_filtered),
    Shot("action-fi.png", ACTIONS_MANAGER, open_action),
    Shot("goal-fi.png", ACTIONS_MANAGER, open_goal),
    Shot("goal-sv.png", ACTIONS_MANAGER, open_goal, language="sv"),
    Shot("indicator-fi.png", INDICATORS_MANAGER, open_indicator),
    Shot("overview-sv.png", VIEWER, open_overview, language="sv"),
    Shot("my-work-fi.png", WORKER, open_my_work),
    Shot("row-form-sv.png", WORKER, open_row_form, language="sv"),
    Shot("compare-fi.png", VIEWER, open_compare),
    Shot("budget-fi.png", INDICATORS_MANAGER, open_budget),
    Shot("risks-fi.png", INDICATORS_MANAGER, open_risks),
]


def open_overview_page(page: Page, base: str) -> None:
    go(page, f"{base}/ohjelma/")


def open_hanke_section(section: str, region: str = INDICATORS_REGION):
    """A section of a hanke (its address after /hankkeet/<id>/), found from the home page."""

    def open_section(page: Page, base: str) -> None:
        go(page, hanke_url(page, base, region) + section)

    return open_section


def open_first_link(section: str, prefix: str, region: str = INDICATORS_REGION):
    """The first link under `prefix` in a hanke section's main content (e.g. an action)."""

    def open_link(page: Page, base: str) -> None:
        go(page, hanke_url(page, base, region) + section)
        link = page.locator(f"main a[href^='{prefix}']").first
        if link.count() == 0:
            raise RuntimeError(f"No link to {prefix}… on {page.url}")
        go(page, base + link.get_attribute("href"))

    return open_link


def open_meeting(page: Page, base: str) -> None:
    """The newest steering group meeting of the hanke, else the (empty) meeting list."""
    go(page, hanke_url(page, base, INDICATORS_REGION) + "ohjausryhma/")
    link = page.locator("main table a[href*='/ohjausryhma/']").first
    if link.count():
        go(page, base + link.get_attribute("href"))


def open_path(path: str):
    def open_page(page: Page, base: str) -> None:
        go(page, base + path)

    return open_page


@dataclass(frozen=True)
class PageShot:
    """One page type, as `user` sees it, taken at both widths in both languages."""

    name: str
    user: str
    open: Callable[[Page, str], None]


ADMIN = "ohjelma.admin"
PAGES = [
    PageShot("home", VIEWER, open_home),
    PageShot("overview", VIEWER, open_overview_page),
    PageShot("compare", VIEWER, open_compare),
    PageShot("hanke", INDICATORS_MANAGER, open_hanke_section("")),
    PageShot("actions", INDICATORS_MANAGER, open_hanke_section("toimenpiteet/")),
    PageShot("action", INDICATORS_MANAGER, open_first_link("toimenpiteet/", "/toimenpiteet/")),
    PageShot("goal", ACTIONS_MANAGER, open_goal),
    PageShot("indicators", INDICATORS_MANAGER, open_hanke_section("mittarit/")),
    PageShot("indicator", INDICATORS_MANAGER, open_indicator),
    PageShot("my-work", WORKER, open_my_work),
    PageShot("budget", INDICATORS_MANAGER, open_budget),
    PageShot("budget-import", INDICATORS_MANAGER, open_hanke_section("talous/tuonti/")),
    PageShot("plan-versions", INDICATORS_MANAGER, open_hanke_section("suunnitelma/versiot/")),
    PageShot("risks", INDICATORS_MANAGER, open_risks),
    PageShot("meeting", INDICATORS_MANAGER, open_meeting),
    PageShot("rounds", INDICATORS_MANAGER, open_hanke_section("raportointi/")),
    PageShot("import", INDICATORS_MANAGER, open_hanke_section("tuonti/")),
    PageShot("members", INDICATORS_MANAGER, open_hanke_section("jasenet/")),
    PageShot("users", ADMIN, open_path("/kayttajat/")),
    PageShot("change-log", ADMIN, open_path("/muutosloki/")),
]
PAGE_WIDTHS = {390: 844, 1280: 800}
PAGES_DIR = OUT_DIR / "pages"
PAGES_MAX_HEIGHT = 2000


def take_pages(base: str, password: str, pages: list[PageShot]) -> list[Path]:
    """Every page of `pages` at each width of PAGE_WIDTHS, in Finnish and Swedish."""
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for width, height in PAGE_WIDTHS.items():
            for language in ("fi", "sv"):
                for user in dict.fromkeys(shot.user for shot in pages):
                    viewport = {"width": width, "height": height}
                    context = browser.new_context(viewport=viewport, locale="fi-FI")
                    page = context.new_page()
                    page.set_default_timeout(30_000)
                    log_in(page, base, user, password)
                    choose_language(page, language)
                    for shot in (shot for shot in pages if shot.user == user):
                        shot.open(page, base)
                        page.wait_for_load_state("networkidle")
                        path = PAGES_DIR / f"{shot.name}-{language}-{width}.png"
                        full = page.evaluate("document.documentElement.scrollHeight")
                        tall = min(full, PAGES_MAX_HEIGHT)
                        clip = {"x": 0, "y": 0, "width": width, "height": tall}
                        page.screenshot(path=path, full_page=True, clip=clip)
                        saved.append(path)
                        print(f"{path.relative_to(REPO_ROOT)}  {path.stat().st_size / 1024:.0f} kB")
                    context.close()
        browser.close()
    return saved


def log_in(page: Page, base: str, username: str, password: str) -> None:
    go(page, f"{base}/accounts/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", password)
    page.click("main form button[type='submit']")
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"Logging in as {username} failed; is the demo data loaded?")


def choose_language(page: Page, language: str) -> None:
    """Press the language switch's button, as a user does (it stores the choice)."""
    if page.locator("html").get_attribute("lang") == language:
        return
    menu = page.locator("details.menu")
    if menu.count() and page.locator("details.menu > summary").is_visible():
        page.click("details.menu > summary")  # on a phone the switch is in the folded menu
    page.click(f".language-switch button[value='{language}']")
    page.wait_for_selector(f"html[lang='{language}']")


def save(page: Page, path: Path, start: str | None = None) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    top = 0
    if start is not None:  # a little above the element, so its frame shows
        box = "e => e.getBoundingClientRect().top + window.scrollY"
        top = max(0, int(page.locator(start).evaluate(box)) - 16)
    clip = {"x": 0, "y": top, "width": VIEWPORT["width"], "height": min(height - top, MAX_HEIGHT)}
    page.screenshot(path=path, full_page=True, clip=clip)


def take(base: str, password: str, shots: list[Shot]) -> list[Path]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for shot in shots:
            # A fresh context per shot: its own session cookie and language choice.
            context = browser.new_context(viewport=VIEWPORT, locale="fi-FI")
            page = context.new_page()
            page.set_default_timeout(30_000)
            log_in(page, base, shot.user, password)
            choose_language(page, shot.language)  # first: the switch reloads the page
            shot.open(page, base)
            page.wait_for_load_state("networkidle")
            path = OUT_DIR / shot.file
            save(page, path, shot.start)
            saved.append(path)
            print(f"{path.relative_to(REPO_ROOT)}  {path.stat().st_size / 1024:.0f} kB  {page.url}")
            context.close()
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo users' password")
    parser.add_argument("--only", help="comma-separated file names to retake, e.g. hanke-fi.png")
    parser.add_argument(
        "--pages", action="store_true", help="every page type at 390 and 1280 px, fi and sv"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    if args.pages:
        names = {name.strip() for name in (args.only or "").split(",") if name.strip()}
        pages = [shot for shot in PAGES if not names or shot.name in names]
        saved = take_pages(args.base_url.rstrip("/"), args.password, pages)
        print(f"{len(saved)} screenshots in {PAGES_DIR.relative_to(REPO_ROOT)}")
        return 0
    wanted = {name.strip() for name in (args.only or "").split(",") if name.strip()}
    shots = [shot for shot in SHOTS if not wanted or shot.file in wanted]
    if wanted - {shot.file for shot in SHOTS}:
        parser.error(f"unknown files; known: {', '.join(shot.file for shot in SHOTS)}")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    saved = take(args.base_url.rstrip("/"), args.password, shots)
    total = sum(path.stat().st_size for path in saved)
    print(f"{len(saved)} screenshots, {total / 1024 / 1024:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
