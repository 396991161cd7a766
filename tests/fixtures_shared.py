"""Fixtures several test modules ask for by name (registered in conftest.pytest_plugins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import demo_restore
from .factories import IndicatorFactory

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # browser screenshots


@pytest.fixture
def english(client, settings):
    """The test client reads the pages in English: the msgids, so the texts are stable.
    A module asks for it on every test with `pytest.mark.usefixtures("english")`."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def sotkanet_indicator(personas):
    """A yearly percentage of the own hanke from Sotkanet (id 1234); the hanke's region has
    its Sotkanet id (321), so the indicator's files can be read for it."""
    region = personas.project.region
    region.sotkanet_id = 321
    region.save()
    return IndicatorFactory(
        project=personas.project,
        source_system="sotkanet",
        source_id="1234",
        unit="percent",
        frequency="yearly",
    )


@pytest.fixture
def browser_page(django_db_setup, live_server, chromium):
    # django_db_setup first, so the test database outlives the live server at teardown.
    # The live server answers in its own threads; the browser is the run's one Chromium
    # (conftest `chromium`), in a context of this test's own.
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page, live_server.url
    context.close()


@pytest.fixture
def demo_loaded(django_db_serialized_rollback, transactional_db):
    # The demo data committed: the run's one demo load, copied in (conftest `demo_restore`).
    demo_restore()
