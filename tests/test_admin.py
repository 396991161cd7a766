"""Django admin: every model is registered, in Finnish, for staff only."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from .factories import UserFactory, programme_admin

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("projects", "objectives", "measures", "reporting")
# History tables (django-simple-history) are reached from each object's "History" page.
DOMAIN_MODELS = [
    m
    for m in apps.get_models()
    if m._meta.app_label in DOMAIN_APPS and not m.__name__.startswith("Historical")
]


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_domain_model_is_registered_in_admin():
    missing = [m._meta.label for m in DOMAIN_MODELS if not admin.site.is_registered(m)]
    assert not missing


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_and_add_form_open_for_superuser(client, demo_db, model):
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    assert client.get(_changelist(model)).status_code == 200
    add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client.get(add).status_code in (200, 403)  # 403: read-only computed rows


def test_admin_search_and_filters_work_on_actions(client, demo_db):
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    url = _changelist(apps.get_model("objectives", "Action"))
    response = client.get(url, {"q": "Omaolo", "status__exact": "not_started"})
    assert response.status_code == 200
    assert "Omaolo" in response.content.decode()


def test_admin_speaks_finnish_by_default(client):
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Ohjelmaportaalin ylläpito" in html or "Ylläpito" in html
    assert "Toimenpiteet" in html


def test_admin_refuses_a_non_staff_user(client):
    client.force_login(UserFactory(username="tavallinen"))
    response = client.get(_changelist(apps.get_model("projects", "Project")))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_shows_who_changed_a_measurement(client):
    from datetime import date

    from measures.services import measurement_save

    from .factories import IndicatorFactory

    editor = programme_admin(username="kirjaaja", first_name="Kaisa", last_name="Kirjaaja")
    saved = measurement_save(
        indicator=IndicatorFactory(), period=date(2022, 12, 31), raw_value="40", actor=editor
    )
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    url = reverse("admin:measures_measurement_history", args=[saved.measurement.pk])
    html = client.get(url).content.decode()
    assert "kirjaaja" in html


def test_admin_refuses_threshold_bands_out_of_order_with_a_clear_message(client):
    from datetime import date

    from projects.models import Programme

    programme = Programme.objects.create(
        name_fi="Ohjelma", start_date=date(2020, 1, 1), end_date=date(2025, 12, 31)
    )
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    url = reverse("admin:projects_programme_change", args=[programme.pk])
    data = {
        "name_fi": "Ohjelma",
        "name_sv": "",
        "name_en": "",
        "start_date": "2020-01-01",
        "end_date": "2025-12-31",
        "indicator_green_ratio": "0.60",
        "indicator_yellow_ratio": "0.90",
        "rollup_green_score": "0.75",
        "rollup_yellow_score": "0.50",
    }
    html = client.post(url, data).content.decode()
    assert "ilman aukkoa tai päällekkäisyyttä" in html or "järjestyksessä" in html
    programme.refresh_from_db()
    assert programme.indicator_green_ratio == Decimal("0.90")


def test_staff_flag_alone_does_not_open_the_admin(client):
    # given a staff user without the programme admin role (e.g. a leftover flag)
    client.force_login(UserFactory(username="henkilokunta", is_staff=True))
    # then the admin refuses them like any other user
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_programme_admin_role_opens_the_admin(client):
    client.force_login(programme_admin(username="toimisto", is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 200
