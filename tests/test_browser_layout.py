"""In Chromium, every page type of the demo (tests/page_types.py), as a user who sees its forms:

- no page scrolls sideways, on a phone (390 × 844) or a desktop (1 280 × 800): wide tables
  scroll inside their own container, the header folds into a menu;
- every `aria-describedby`, `aria-labelledby` and `aria-controls` names an id on the page
  (axe does not check that a help text a field points at exists).
"""

from __future__ import annotations

import pytest

from reporting.demo.loader import DEMO_PASSWORD

from . import test_browser
from .page_types import PageType
from .page_types import page_types
from .test_browser import ARTIFACTS

pytestmark = test_browser.pytestmark

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Each id that an ARIA reference attribute names, which no element on the page has.
MISSING_REFERENCES = """() => {
  const missing = [];
  for (const name of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
    for (const element of document.querySelectorAll(`[${name}]`)) {
      for (const id of element.getAttribute(name).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) {
          const field = element.getAttribute("name") || element.id;
          missing.push(`${element.tagName.toLowerCase()}#${field} ${name}=${id}`);
        }
      }
    }
  }
  return missing;
}"""
# How far the document is wider than the window, and the widest elements that stick out.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const over = document.documentElement.scrollWidth - width;
  const culprits = [];
  if (over > 0) {
    for (const element of document.querySelectorAll("body *")) {
      const box = element.getBoundingClientRect();
      if (box.right > width + 1 && element.offsetParent !== null) {
        culprits.push(`${element.tagName.toLowerCase()}.${element.className}`.slice(0, 60));
      }
    }
  }
  return {over, culprits: culprits.slice(0, 5)};
}"""


@pytest.fixture
def pages(demo_loaded) -> list[PageType]:
    return page_types()


# The page is drawn: its fonts are loaded and every Plotly chart (static/js/charts.js, on
# DOMContentLoaded) has its SVG. `goto` has waited for the load event (styles, scripts,
# images); the walked pages fetch nothing after it, so waiting for the network to be idle
# half a second (`networkidle`) only added that half second to each of ~70 pages.
DRAWN = """() => document.fonts.status === "loaded"
  && [...document.querySelectorAll("[data-chart]")].every((c) => c.querySelector("svg.main-svg"))"""


def _walk(browser, url: str, pages: list[PageType], viewport: dict, check) -> dict:
    """Open every page in a browser context per user (signed in once), collect check(page)."""
    found = {}
    contexts = []
    tabs = {}
    for page_type in pages:
        if page_type.user not in tabs:
            context = browser.new_context(viewport=viewport, locale="fi-FI")
            contexts.append(context)
            tab = context.new_page()
            tab.set_default_timeout(20_000)
            if page_type.user:
                tab.goto(f"{url}/accounts/login/")
                tab.fill("input[name='username']", page_type.user)
                tab.fill("input[name='password']", DEMO_PASSWORD)
                tab.click("main form button[type='submit']")
                tab.wait_for_selector("h1")
            tabs[page_type.user] = tab
        tab = tabs[page_type.user]
        response = tab.goto(f"{url}{page_type.path}")
        assert response.status == 200, page_type
        tab.wait_for_function(DRAWN)
        found[page_type.name] = check(tab)
        if viewport is PHONE:
            tab.screenshot(path=ARTIFACTS / f"layout-{page_type.name}-390.png")
    for context in contexts:
        context.close()
    return found


def _references_and_overflow(tab) -> dict:
    return {"missing": tab.evaluate(MISSING_REFERENCES), **tab.evaluate(OVERFLOW)}


def test_at_desktop_width_no_page_type_scrolls_sideways_and_every_aria_reference_resolves(
    pages, live_server, chromium
):
    # One walk for both checks: they look at the same pages, as the same users, at the same
    # width (each walk is ~34 pages drawn by Chromium).
    # given every page type, each as a user who sees its forms
    # when each is opened in a window 1 280 px wide and its ARIA references are looked up
    found = _walk(chromium, live_server.url, pages, DESKTOP, _references_and_overflow)
    assert len(found) == len(pages)
    # then each reference names an element of the page
    assert {name: seen["missing"] for name, seen in found.items() if seen["missing"]} == {}
    # and no document is wider than the window
    assert {name: seen for name, seen in found.items() if seen["over"] > 0} == {}


def test_no_page_type_scrolls_sideways_on_a_phone(pages, live_server, chromium):
    # given every page type, each as a user who sees its forms
    ARTIFACTS.mkdir(exist_ok=True)
    # when each is opened in a window of a phone's width (screenshots for people to look at)
    found = _walk(chromium, live_server.url, pages, PHONE, lambda tab: tab.evaluate(OVERFLOW))
    # then no document is wider than the window
    assert len(found) == len(pages)
    assert {name: seen for name, seen in found.items() if seen["over"] > 0} == {}
