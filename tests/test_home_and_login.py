"""Login in three languages and the first page: each person sees exactly their hankkeet."""

import pytest
from django.urls import reverse

from .factories import MembershipFactory
from .factories import ProjectFactory
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("language", "log_in"),
    [("fi", "Kirjaudu sisään"), ("sv", "Logga in"), ("en", "Log in")],
)
def test_login_page_speaks_the_chosen_language(client, language, log_in):
    # given the language chosen with the switch (kept in the session/cookie)
    client.post(reverse("set_language"), {"language": language, "next": reverse("login")})
    # when / then
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f">{log_in}</h1>" in html  # the heading, and the button says the same
    assert log_in in html


def test_login_page_is_finnish_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="fi">' in html
    assert "Käyttäjätunnus" in html


def test_wrong_password_shows_an_error_in_finnish(client):
    UserFactory(username="maija")
    response = client.post(reverse("login"), {"username": "maija", "password": "väärä"})
    assert response.status_code == 200
    assert "syötä kelvollinen" in response.content.decode()


def test_login_then_home_lists_own_hanke_with_counts(client, personas):
    # given
    client.force_login(personas.project_worker)
    # when
    response = client.get(reverse("home"))
    # then
    html = response.content.decode()
    assert personas.project.name_fi in html
    assert personas.other_project.name_fi not in html
    assert "Prosessitavoitteet" in html


@pytest.mark.parametrize("persona", ["programme_admin", "ministry_viewer"])
def test_programme_roles_see_every_hanke(client, personas, persona):
    client.force_login(getattr(personas, persona))
    html = client.get(reverse("home")).content.decode()
    assert personas.project.name_fi in html
    assert personas.other_project.name_fi in html


@pytest.mark.parametrize("persona", ["steering_member", "project_manager", "project_worker"])
def test_hanke_roles_see_only_their_hanke(client, personas, persona):
    client.force_login(getattr(personas, persona))
    html = client.get(reverse("home")).content.decode()
    assert personas.project.name_fi in html
    assert personas.other_project.name_fi not in html


def test_user_without_role_sees_nothing_but_a_hint(client):
    ProjectFactory(name_fi="Salainen hanke")
    client.force_login(UserFactory(username="uusi"))
    html = client.get(reverse("home")).content.decode()
    assert "Salainen hanke" not in html
    assert "Sinulla ei ole vielä roolia" in html


def test_logout_ends_the_session(client, personas):
    client.force_login(personas.project_worker)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("hankkeet", [1, 8])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, hankkeet):
    user = UserFactory(username="monihanke")
    for _ in range(hankkeet):
        MembershipFactory(user=user, project=ProjectFactory(), role="steering")
    client.force_login(user)
    # session, user, two role queries, the hankkeet with their counts, and their lights
    with django_assert_max_num_queries(6):
        assert client.get(reverse("home")).status_code == 200


def test_swedish_user_sees_swedish_region_names(client, personas):
    client.force_login(personas.project_manager)
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert personas.project.region.name_sv in html
    assert "Processmål" in html


def test_english_browser_still_gets_finnish_until_the_user_switches(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fi">' in html
