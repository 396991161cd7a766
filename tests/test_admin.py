"""Django admin: every model is registered, in Finnish, for staff only."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from measures.services import measurement_save
from objectives.models import Action
from projects.models import Programme

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProcessGoalFactory
from .factories import TargetFactory
from .factories import UserFactory
from .factories import programme_admin

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
    editor = programme_admin(username="kirjaaja", first_name="Kaisa", last_name="Kirjaaja")
    saved = measurement_save(
        indicator=IndicatorFactory(), period=date(2022, 12, 31), raw_value="40", actor=editor
    )
    client.force_login(UserFactory(username="paakayttaja", is_staff=True, is_superuser=True))
    url = reverse("admin:measures_measurement_history", args=[saved.measurement.pk])
    html = client.get(url).content.decode()
    assert "kirjaaja" in html


def test_admin_refuses_threshold_bands_out_of_order_with_a_clear_message(client):
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


# --- The admin cannot bypass the rules (issue #17) --------------------------------------------


def _plan_edit_url(kind: str, row) -> str:
    """The portal page that edits `row`, a row of its hanke's plan."""
    return reverse(f"reporting:plan-{kind}-edit", args=[row.project_id, row.pk])


@pytest.fixture
def superuser(client):
    user = UserFactory(username="paakayttaja", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_plan_rows_statuses_and_values_are_read_only_in_the_admin_with_portal_links(
    client, superuser
):
    # given an action, an indicator with a target and a value
    action = ActionFactory(status="in_progress", title_fi="Alkuperäinen")
    indicator = IndicatorFactory(project=action.project)
    target = TargetFactory(indicator=indicator)
    value = MeasurementFactory(indicator=indicator, period=date(2022, 12, 31))
    goal = ProcessGoalFactory(work_package=action.work_package)
    pages = {
        "objectives_action": (action, _plan_edit_url("action", action)),
        "objectives_processgoal": (goal, _plan_edit_url("goal", goal)),
        "measures_indicator": (indicator, _plan_edit_url("indicator", indicator)),
        "measures_target": (target, _plan_edit_url("indicator", indicator)),
        "measures_measurement": (value, reverse("measures:indicator-detail", args=[indicator.pk])),
        "projects_workpackage": (
            action.work_package,
            _plan_edit_url("package", action.work_package),
        ),
    }
    for name, (obj, portal_url) in pages.items():
        url = reverse(f"admin:{name}_change", args=[obj.pk])
        # when the programme office opens the row in the admin
        html = client.get(url).content.decode()
        # then it is shown read-only, with a link to the portal page that edits it
        assert 'name="_save"' not in html, name
        assert portal_url in html, name
        # and a crafted save is refused, nothing changes
        assert client.post(url, {"title_fi": "Ohitettu", "status": "done"}).status_code == 403
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
        assert (
            client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code
            == 403
        )
    action.refresh_from_db()
    assert (action.title_fi, action.status) == ("Alkuperäinen", "in_progress")
    assert Action.objects.filter(pk=action.pk).exists()
    status_page = reverse("objectives:action-detail", args=[action.pk])
    assert (
        status_page
        in client.get(reverse("admin:objectives_action_change", args=[action.pk])).content.decode()
    )
