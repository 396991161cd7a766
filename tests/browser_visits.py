"""Steps the browser tests share: a person signed in on a page of the live server, and what
its console may show."""

from __future__ import annotations

from reporting.demo.loader import DEMO_PASSWORD

from .test_browser import console_errors
from .test_browser import log_in


def visit_as(page, url: str, username: str, path: str, *, password=DEMO_PASSWORD, sign_in=log_in):
    """`username` signs in through `sign_in` (the English log-in unless told) and opens
    `path` of the live server at `url`."""
    sign_in(page, url, username, password)
    page.goto(f"{url}{path}")


def signed_in(browser_page, username: str, path: str, *, watch=console_errors, **visit):
    """The test's page, watched from the start by `watch(page)` (its console errors unless
    told), with `username` signed in on `path` as `visit_as` says (`visit`: its password and
    sign_in). Returns the page, the live server's URL and what `watch` returned."""
    page, url = browser_page
    watcher = watch(page)
    visit_as(page, url, username, path, **visit)
    return page, url, watcher


def assert_no_script_refused(errors: list[str]) -> None:
    """The Content Security Policy refused no script (a refused inline style, as Plotly's
    own, is harmless)."""
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e.lower()]
