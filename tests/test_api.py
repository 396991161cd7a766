"""The open data API: scoping, token auth, lights in the payload, bounded queries, the schema.

The property-based part loads the OpenAPI schema drf-spectacular generates and lets
schemathesis call every GET operation with generated parameters: no answer may be a 500.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.signals import request_finished
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance

from measures.status_engine import status_recompute_projects

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import WorkPackageFactory
from .helpers import steering_member_of

TODAY = date(2023, 6, 30)
LIST_URLS = [
    "api:region-list",
    "api:project-list",
    "api:goal-list",
    "api:action-list",
    "api:indicator-list",
    "api:measurement-list",
]


def _fill(project) -> None:
    """A goal, a late action (red), an on-time one and an indicator with two measurements."""
    package = WorkPackageFactory(project=project)
    goal = ProcessGoalFactory(work_package=package)
    late = ActionFactory(work_package=package, status="in_progress", planned_end=date(2022, 12, 31))
    late.goals.set([goal])
    late.benefit_targets.set([2])
    ActionFactory(work_package=package, status="done", planned_end=date(2023, 12, 31))
    IndicatorFactory(
        project=project,
        baseline_value=Decimal(50),
        baseline_date=date(2021, 1, 1),
        targets={date(2023, 12, 31): Decimal(100)},
        measurements={date(2022, 12, 31): Decimal(60), date(2023, 3, 31): Decimal(70)},
    )


@pytest.fixture
def world(personas):
    _fill(personas.project)
    _fill(personas.other_project)
    status_recompute_projects(
        project_ids=[personas.project.pk, personas.other_project.pk], today=TODAY
    )
    return personas


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _results(client, name: str, **params) -> list[dict]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _projects_of(rows: list[dict]) -> set[int]:
    return {row["project"] for row in rows}


# --- Scope -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_URLS)
def test_anonymous_is_refused_with_401(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_an_outsider_sees_only_their_own_hanke(client, world):
    # given the manager of the other hanke
    client.force_login(world.outsider)
    # then every list holds only that hanke's rows
    own = world.other_project.pk
    assert [row["id"] for row in _results(client, "api:project-list")] == [own]
    for name in ("api:goal-list", "api:action-list", "api:indicator-list"):
        assert _projects_of(_results(client, name)) == {own}, name
    measurements = _results(client, "api:measurement-list")
    assert len(measurements) == 2
    regions = _results(client, "api:region-list")
    assert [row["id"] for row in regions] == [world.other_project.region_id]
    # and another hanke's action is not there at all
    foreign = world.project.actions.first()
    assert client.get(reverse("api:action-detail", args=[foreign.pk])).status_code == 404
    # not even when asked for by filter
    assert _results(client, "api:action-list", project=world.project.pk) == []


@pytest.mark.django_db
def test_a_ministry_viewer_sees_every_hanke(client, world):
    client.force_login(world.ministry_viewer)
    both = {world.project.pk, world.other_project.pk}
    assert {row["id"] for row in _results(client, "api:project-list")} == both
    assert _projects_of(_results(client, "api:action-list")) == both
    assert _projects_of(_results(client, "api:indicator-list")) == both
    assert len(_results(client, "api:measurement-list")) == 4


@pytest.mark.django_db
def test_filters_narrow_the_lists(client, world):
    client.force_login(world.ministry_viewer)
    own, region = world.project.pk, world.project.region_id
    assert _projects_of(_results(client, "api:action-list", project=own)) == {own}
    assert _projects_of(_results(client, "api:goal-list", region=region)) == {own}
    assert [row["id"] for row in _results(client, "api:project-list", region=region)] == [own]
    indicator = world.project.indicators.get()
    rows = _results(client, "api:measurement-list", indicator=indicator.pk)
    assert [row["period"] for row in rows] == ["2022-12-31", "2023-03-31"]
    assert [row["value"] for row in rows] == [60.0, 70.0]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["x", "0", "-1", "99999999999999999999", "1.5"])
def test_a_bad_filter_is_a_400(client, world, value):
    client.force_login(world.ministry_viewer)
    response = client.get(reverse("api:action-list"), {"project": value})
    assert response.status_code == 400
    assert "project" in response.json()


# --- Lights ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_actions_carry_their_stored_light(client, world, english):
    client.force_login(world.project_manager)
    rows = {row["status"]: row for row in _results(client, "api:action-list")}
    late = rows["in_progress"]
    assert late["light"]["light"] == "red"
    assert late["light"]["label"] == "Behind"
    assert late["light"]["symbol"] == "✕"
    assert late["light"]["reason_code"]
    assert late["benefit_targets"] == [2]
    assert len(late["goals"]) == 1
    assert rows["done"]["light"]["light"] == "green"
    # the detail carries the same light
    detail = client.get(reverse("api:action-detail", args=[late["id"]])).json()
    assert detail["light"] == late["light"]


@pytest.mark.django_db
def test_an_action_without_a_computed_light_has_null(client, personas):
    ActionFactory(work_package=WorkPackageFactory(project=personas.project))
    client.force_login(personas.project_manager)
    assert _results(client, "api:action-list")[0]["light"] is None


@pytest.mark.django_db
def test_indicators_carry_their_progress_light(client, world, english):
    client.force_login(world.project_manager)
    (row,) = _results(client, "api:indicator-list")
    progress = row["progress"]
    assert progress["light"] in {"green", "yellow", "orange", "red", "grey"}
    assert progress["latest_value"] == 70.0
    assert progress["latest_period"] == "2023-03-31"
    assert progress["label"] and progress["symbol"]


# --- Tokens ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_from_the_command_opens_the_api(client, world):
    out = StringIO()
    call_command("api_token", world.ministry_viewer.username, stdout=out)
    key = out.getvalue().strip()
    assert Token.objects.get(user=world.ministry_viewer).key == key
    response = client.get(reverse("api:project-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    # the same call again prints the same token; --rotate kills the old one
    again = StringIO()
    call_command("api_token", world.ministry_viewer.username, stdout=again)
    assert again.getvalue().strip() == key
    rotated = StringIO()
    call_command("api_token", world.ministry_viewer.username, "--rotate", stdout=rotated)
    assert rotated.getvalue().strip() != key
    response = client.get(reverse("api:project-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_token_sees_what_its_user_sees(client, world):
    key = Token.objects.create(user=world.outsider).key
    rows = client.get(reverse("api:action-list"), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert _projects_of(rows["results"]) == {world.other_project.pk}


@pytest.mark.django_db
def test_a_wrong_or_revoked_token_is_refused(client, world):
    response = client.get(reverse("api:region-list"), HTTP_AUTHORIZATION="Token nonsense")
    assert response.status_code == 401
    key = Token.objects.create(user=world.ministry_viewer).key
    call_command("api_token", world.ministry_viewer.username, "--revoke", stdout=StringIO())
    response = client.get(reverse("api:region-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_command_refuses_unknown_and_inactive_users(world):
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=StringIO())
    world.outsider.is_active = False
    world.outsider.save()
    with pytest.raises(CommandError):
        call_command("api_token", world.outsider.username, stdout=StringIO())


@pytest.mark.django_db
def test_the_api_is_read_only(client, world):
    client.force_login(world.programme_admin)
    assert client.post(reverse("api:action-list"), {}).status_code == 405
    action = world.project.actions.first()
    url = reverse("api:action-detail", args=[action.pk])
    assert client.delete(url).status_code == 405


# --- Queries -----------------------------------------------------------------------------------


def _monitor(hankkeet: int):
    return steering_member_of(hankkeet, lambda project, _index: _fill(project), TODAY)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("hankkeet", [1, 6])
@pytest.mark.parametrize("name", LIST_URLS)
def test_lists_run_a_fixed_number_of_queries(client, django_assert_max_num_queries, hankkeet, name):
    user = _monitor(hankkeet)
    client.force_login(user)
    # session, user, roles (2), count, page, and at most three prefetches or the lights
    with django_assert_max_num_queries(9):
        rows = _results(client, name)
    assert rows


# --- Schema and docs ---------------------------------------------------------------------------


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_generated_schema_validates():
    schema = _schema()
    validate_schema(schema)
    paths = set(schema["paths"])
    for resource in ("regions", "projects", "goals", "actions", "indicators", "measurements"):
        assert f"/api/{resource}/" in paths
        assert f"/api/{resource}/{{id}}/" in paths


@pytest.mark.django_db
def test_the_schema_and_docs_are_served_to_signed_in_users(client, personas):
    assert client.get(reverse("api:schema")).status_code == 401
    client.force_login(personas.project_worker)
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Programme portal open data API"
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    # everything from our own origin, nothing inline (the site's CSP forbids both)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<style" not in html
    assert "<script>" not in html
    assert "cdn" not in html.lower()
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]


# --- Property-based: every GET operation with generated parameters, never a 500 -----------------

SCHEMA = schemathesis.openapi.from_dict(_schema())
SCHEMA.app = get_wsgi_application()


@pytest.fixture
def api_token(personas):
    _fill(personas.project)
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    # The raw WSGI handler closes the connection at the end of each request, which would end
    # the test's transaction; Django's test client avoids that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield Token.objects.create(user=personas.ministry_viewer).key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@SCHEMA.include(method="GET").parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_gets_a_server_error(case, api_token):
    response = case.call(headers={"Authorization": f"Token {api_token}"})
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    # and what the schema documents holds: a 200 has the documented content type and shape.
    # (Refusals – 400 for a bad filter, 404 outside the scope, 401 – are tested above.)
    case.validate_response(
        response,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
