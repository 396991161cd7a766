"""In Chromium: the API docs page (Swagger UI) draws the operations under the site's CSP."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from projects.models import ProgrammeRole

from .test_browser import ARTIFACTS
from .test_browser import CHROMIUM
from .test_browser import console_errors

PASSWORD = "api-docs-Salasana-1"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def viewer(django_db_serialized_rollback, transactional_db):
    # Created before Playwright starts (see tests/fixtures_shared.py demo_loaded).
    user = get_user_model().objects.create_user("api.viewer", password=PASSWORD)
    ProgrammeRole.objects.create(user=user, role="viewer")
    return user


def test_the_api_docs_render_without_csp_violations(viewer, browser_page):
    page, url = browser_page
    problems = console_errors(page)
    # given a ministry viewer signed in
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", viewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("h1")
    # when they open the API docs
    page.goto(f"{url}/api/docs/")
    # then Swagger UI (from the sidecar wheel) has loaded the schema and lists the operations
    page.wait_for_selector("#operations-actions-actions_list")
    page.wait_for_selector("#operations-measurements-measurements_retrieve")
    page.screenshot(path=ARTIFACTS / "api-docs.png", full_page=True)
    assert not [p for p in problems if "Content Security Policy" in p], problems
    # and the browsable API answers with the scoped JSON inside an HTML page
    page.goto(f"{url}/api/regions/")
    page.wait_for_selector("h1")
    assert "Region" in page.inner_text("h1")
