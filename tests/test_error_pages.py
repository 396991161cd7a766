"""Error pages: the portal's layout in the user's language, nothing the CSP blocks, and
503 "temporarily unavailable" (logged once) when the database cannot be reached."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import InterfaceError
from django.db import OperationalError
from django.test import Client
from django.test import RequestFactory
from django.urls import reverse

from portal import outage
from portal import views
from reporting.dashboards import views as project_views

pytestmark = pytest.mark.django_db

HEADINGS = {
    404: {"fi": "Sivua ei löydy", "sv": "Sidan hittades inte", "en": "Page not found"},
    403: {"fi": "Ei käyttöoikeutta", "sv": "Ingen åtkomst", "en": "No access"},
    400: {
        "fi": "Pyyntöä ei voitu lukea",
        "sv": "Begäran kunde inte läsas",
        "en": "could not be read",
    },
    500: {"fi": "Jokin meni vikaan", "sv": "Något gick fel", "en": "Something went wrong"},
    503: {
        "fi": "Tilapäisesti poissa käytöstä",
        "sv": "Tillfälligt otillgänglig",
        "en": "Temporarily",
    },
    "csrf": {
        "fi": "Lomaketta ei voitu lähettää",
        "sv": "kunde inte skickas",
        "en": "could not be sent",
    },
}


@pytest.fixture(autouse=True)
def _fresh_outage_state(monkeypatch):
    monkeypatch.setattr(outage, "outages", outage.OutageLog())
    monkeypatch.setattr(views, "outages", outage.outages)


def _in_layout_without_inline_styles(response) -> str:
    page = response.content.decode()
    assert 'href="/static/css/portal.css"' in page, page[:500]
    assert 'class="site-header"' in page and 'id="main"' in page
    assert "<style" not in page and not re.search(r"\sstyle=", page)
    assert "<script>" not in page  # no inline script either
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    return page


def _client(language: str, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_not_found_in_the_users_language(language, personas):
    client = _client(language)
    client.force_login(personas.project_manager)
    response = client.get("/ei-tallaista-sivua/")
    assert response.status_code == 404
    assert HEADINGS[404][language] in _in_layout_without_inline_styles(response)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_forbidden_in_the_users_language(language, personas):
    client = _client(language)
    client.force_login(personas.steering_member)
    response = client.get(reverse("change-log"))
    assert response.status_code == 403
    assert HEADINGS[403][language] in _in_layout_without_inline_styles(response)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_bad_request_in_the_users_language(language):
    response = _client(language).get("/", HTTP_HOST="not-our-host.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert HEADINGS[400][language] in page
    assert "<style" not in page and not re.search(r"\sstyle=", page)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_csrf_failure_in_the_users_language_with_styles_the_csp_allows(language):
    client = _client(language, enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert HEADINGS["csrf"][language] in _in_layout_without_inline_styles(response)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_server_error_in_the_users_language(language, monkeypatch):
    def broken(results):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "public_summary", broken)
    response = _client(language).get(reverse("healthz"))
    assert response.status_code == 500
    assert HEADINGS[500][language] in _in_layout_without_inline_styles(response)


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed'),
        InterfaceError("connection already closed"),
    ],
    ids=["cannot-connect", "connection-lost"],
)
def test_a_database_outage_answers_503_and_is_logged_once(personas, monkeypatch, caplog, failure):
    # given a database that cannot be reached when a page reads it
    def unreachable(*args, **kwargs):
        raise failure

    monkeypatch.setattr(project_views, "render", unreachable)
    client = _client("fi")
    client.force_login(personas.project_manager)
    # when three requests come in during the outage
    with caplog.at_level(logging.INFO):
        responses = [client.get(reverse("home")) for _ in range(3)]
    # then each gets "temporarily unavailable" with a retry hint, in the portal's layout
    for response in responses:
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        page = _in_layout_without_inline_styles(response)
        assert HEADINGS[503]["fi"] in page
        assert "10.0.0.5" not in page and "5432" not in page
    # and the log has one line about it, without a traceback
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].name == "portal.outage" and lines[0].exc_info is None
    assert "database unavailable" in lines[0].getMessage()


def test_a_database_error_raised_outside_a_view_also_answers_503():
    # handler500 runs inside the `except` that caught an error of a middleware
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        assert views.server_error(request).status_code == 500
