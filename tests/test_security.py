"""Security hardening: login lockout, CSP and other headers, CSRF, escaping, cookies, sizes."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .factories import ActionFactory
from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "salasana-testi-123"  # tests.factories.UserFactory
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _template_names(response) -> list[str]:
    return [template.name for template in response.templates]


# --- Lockout after repeated failed logins (django-axes) ------------------------------------------


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_password(client):
    # given
    UserFactory(username="maija")
    # when nine wrong passwords, then the tenth
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "maija", "väärä-salasana").status_code == 200
    tenth = _login(client, "maija", "väärä-salasana")
    # then the tenth already answers with the lockout page
    assert tenth.status_code == 429
    assert "registration/locked_out.html" in _template_names(tenth)
    # and the right password is refused too, and nobody is logged in
    eleventh = _login(client, "maija", PASSWORD)
    assert eleventh.status_code == 429
    assert "registration/locked_out.html" in _template_names(eleventh)
    assert client.get(reverse("home")).status_code == 302


def test_lockout_page_says_what_happened_and_whom_to_contact(client):
    # given an English-speaking user whose account is locked
    UserFactory(username="maija")
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "maija", "väärä-salasana")
    # when
    response = _login(client, "maija", PASSWORD)
    # then
    html = response.content.decode()
    assert response.status_code == 429
    assert ">Too many failed login attempts</h1>" in html
    assert "30 minutes" in html
    assert "programme office" in html


def test_lockout_is_per_account_not_per_address(client):
    # given one colleague locked out behind the municipality's shared address
    UserFactory(username="maija")
    UserFactory(username="matti")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "maija", "väärä-salasana")
    # when another user logs in from the same address
    response = _login(client, "matti", PASSWORD)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_successful_login_resets_the_failure_count(client):
    # given a user one typo away from the lockout who then gets it right
    UserFactory(username="maija")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "maija", "väärä-salasana")
    assert _login(client, "maija", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    # when as many typos again
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "maija", "väärä-salasana").status_code == 200
    # then the account is still open
    assert _login(client, "maija", PASSWORD).status_code == 302


# --- Content Security Policy and other headers ------------------------------------------------


@pytest.mark.parametrize("url_name", ["login", "home"])
def test_content_security_policy_allows_no_inline_code_and_no_framing(client, personas, url_name):
    client.force_login(personas.project_worker)
    policy = client.get(reverse(url_name))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


def test_login_page_has_no_inline_script_or_style(client):
    html = client.get(reverse("login")).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts, "htmx is loaded from a static file"
    for attributes, body in scripts:
        assert "src=" in attributes
        assert body.strip() == ""
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and the like
    # htmx must not inject its indicator <style>, which the policy would block
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def test_security_headers_are_on_every_response(client):
    response = client.get(reverse("login"))
    assert response["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=()"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_lockout_page_carries_the_security_headers_too(client):
    UserFactory(username="maija")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, "maija", "väärä-salasana")
    assert response.status_code == 429
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("login", {"username": "maija", "password": PASSWORD}),
        ("set_language", {"language": "en", "next": "/"}),
    ],
)
def test_post_without_csrf_token_is_refused(url_name, data):
    UserFactory(username="maija")
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # sets the CSRF cookie, as a browser would have it
    response = client.post(reverse(url_name), data)
    assert response.status_code == 403


def test_htmx_requests_carry_the_token_from_the_page(personas):
    # given the token base.html gives htmx in <body hx-headers>
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.project_worker)
    html = client.get(reverse("home")).content.decode()
    headers = json.loads(re.search(r"<body hx-headers='([^']+)'", html).group(1))
    # when htmx posts with that header (and no token in the form)
    response = client.post(
        reverse("set_language"),
        {"language": "sv", "next": "/"},
        headers={"HX-Request": "true", **headers},
    )
    # then the request is accepted
    assert response.status_code == 302


# --- No user-supplied HTML is rendered unescaped ----------------------------------------------


def test_stored_markup_is_escaped_on_the_home_page(client, personas):
    # given an organisation name with a script in it, coordinating a hanke the user sees
    coordinator = personas.project.coordinator
    coordinator.name_fi = XSS
    coordinator.save()
    client.force_login(personas.project_worker)
    # when
    html = client.get(reverse("home")).content.decode()
    # then
    assert XSS not in html
    assert XSS_ESCAPED in html


def test_stored_markup_is_escaped_in_the_admin(client, personas):
    # given an action title with a script in it
    ActionFactory(title_fi=XSS, work_package__project=personas.project)
    superuser = UserFactory(username="superuser", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    # when
    html = client.get(reverse("admin:objectives_action_changelist")).content.decode()
    # then
    assert XSS not in html
    assert XSS_ESCAPED in html


# --- Session cookie and request sizes ---------------------------------------------------------


def test_session_cookie_is_http_only_lax_and_ends_with_the_browser(client):
    UserFactory(username="maija")
    response = _login(client, "maija", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # a browser-session cookie
    assert settings.SESSION_COOKIE_AGE == 8 * 3600  # and the server forgets it after 8 h


def test_oversized_request_body_is_refused(client):
    response = client.post(reverse("login"), {"username": "x" * 3_000_000, "password": "x"})
    assert response.status_code == 400
