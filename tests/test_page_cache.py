"""The page cache: rendered dashboard parts kept until any write makes them stale."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.template import Context, Template
from django.urls import reverse

from objectives.services import action_status_update
from portal import page_cache
from projects.models import Region

from .factories import ActionFactory, MembershipFactory, RegionFactory, WorkPackageFactory

# --- Which SQL is a write that pages show (no database) ---------------------------------------


@pytest.mark.parametrize(
    ("sql", "tracked"),
    [
        ('INSERT INTO "objectives_action" ("title_fi") VALUES (%s)', True),
        ('  UPDATE "projects_project" SET "name_fi" = %s', True),
        ('DELETE FROM "measures_measurement" WHERE id = 1', True),
        ('TRUNCATE "reporting_statusrollup"', True),
        ("insert into reporting_statusrollup (light) values ('red')", True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('UPDATE "reporting_exportjob" SET "progress_done" = %s', False),
        ('SELECT "objectives_action"."id" FROM "objectives_action"', False),
        ("SAVEPOINT s1", False),
        ('WITH x AS (SELECT 1) SELECT * FROM "objectives_action"', False),
    ],
)
def test_only_writes_to_shown_tables_count(sql, tracked):
    assert page_cache.is_tracked_write(sql) is tracked


# --- The data version -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_write_bumps_the_data_version_once_per_atomic_block():
    before = page_cache.data_version()
    RegionFactory()
    after_one = page_cache.data_version()
    assert after_one > before
    with transaction.atomic():
        Region.objects.create(code="X1", name_fi="Yksi")
        Region.objects.create(code="X2", name_fi="Kaksi")
        Region.objects.filter(code="X1").update(name_fi="Uusi")
    # one bump for the block, when this connection next reads (the commit bump waits for
    # the test's own transaction, which never commits)
    assert page_cache.data_version() == after_one + 1
    assert page_cache.data_version() == after_one + 1


@pytest.mark.django_db
def test_the_commit_bumps_the_version(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            Region.objects.create(code="Y1", name_fi="Yksi")
            Region.objects.create(code="Y2", name_fi="Kaksi")
    assert callbacks.count(page_cache.bump) == 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_is_seen_by_every_process():
    before = int(cache.get(page_cache.VERSION_KEY) or 0)
    with transaction.atomic():
        Region.objects.create(code="Z1", name_fi="Yksi")
        Region.objects.create(code="Z2", name_fi="Kaksi")
    assert int(cache.get(page_cache.VERSION_KEY)) == before + 1
    Region.objects.filter(code__startswith="Z").update(name_sv="Nytt")  # autocommit
    assert int(cache.get(page_cache.VERSION_KEY)) == before + 2


@pytest.mark.django_db
def test_reads_and_session_writes_leave_the_version_alone(client, personas):
    version = page_cache.data_version()
    list(Region.objects.all())
    client.force_login(personas.ministry_viewer)  # writes the session (and last_login)
    session_version = page_cache.data_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_session SET expire_date = expire_date")
    assert page_cache.data_version() == session_version
    assert session_version >= version


# --- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def hanke(personas):
    package = WorkPackageFactory(project=personas.project, code="TP1", name_fi="Palvelut")
    action = ActionFactory(
        work_package=package,
        number="1.1",
        title_fi="Digitaalinen ajanvaraus",
        status="planned",
        owner=personas.project_worker,
    )
    return personas.project, action


def _without_tokens(html: str) -> str:
    # The CSRF token is masked anew on every response (it sits outside the cached part).
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", html)
    return re.sub(r'("X-CSRFToken": ")[^"]*', r"\1", html)


def _hanke_page(client, user, project, lang="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client.get(reverse("objectives:hanke", args=[project.pk]))


def test_a_second_view_runs_no_query_of_the_cached_part(
    client, personas, hanke, django_assert_max_num_queries
):
    project, _action = hanke
    first = _hanke_page(client, personas.project_manager, project)
    assert first.context["fragment"].built  # the part was built
    with django_assert_max_num_queries(6):  # session, user, roles (2), the hanke, (savepoint)
        second = client.get(reverse("objectives:hanke", args=[project.pk]))
    assert second.context["fragment"].built == {}  # served from the cache
    assert _without_tokens(second.text) == _without_tokens(first.text)


def test_a_status_update_shows_at_once(client, personas, hanke):
    project, action = hanke
    assert "Digitaalinen ajanvaraus" in _hanke_page(client, personas.steering_member, project).text
    action_status_update(
        action=action,
        actor=personas.project_manager,
        status="cancelled",
        comment="Ei rahoitusta",
        status_date=date.today(),
        expected_version=action.version,
    )
    page = client.get(reverse("objectives:hanke", args=[project.pk]))
    assert page.context["fragment"].built  # rebuilt, not the stale copy
    assert "tree__action--cancelled" in page.text


def test_readers_with_other_rights_do_not_share_a_rendering(client, personas, hanke):
    project, _action = hanke
    worker_page = _hanke_page(client, personas.project_worker, project)
    assert "Update status" in worker_page.text  # the worker owns the action
    steering_page = _hanke_page(client, personas.steering_member, project)
    assert steering_page.context["fragment"].built  # not the worker's copy
    assert "Update status" not in steering_page.text


def test_each_language_has_its_own_rendering(client, personas, hanke):
    project, _action = hanke
    english = _hanke_page(client, personas.project_manager, project, "en")
    swedish = _hanke_page(client, personas.project_manager, project, "sv")
    assert swedish.context["fragment"].built
    assert "Filter actions" in english.text and "Filter actions" not in swedish.text


def test_filters_in_the_address_have_their_own_rendering(client, personas, hanke):
    project, _action = hanke
    _hanke_page(client, personas.project_manager, project)
    filtered = client.get(reverse("objectives:hanke", args=[project.pk]), {"q": "nothing-like"})
    assert filtered.context["fragment"].built
    assert "No actions match the filters." in filtered.text


def test_the_page_works_without_the_cache(client, personas, hanke, monkeypatch):
    project, _action = hanke

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    page = _hanke_page(client, personas.project_manager, project)
    assert page.status_code == 200
    assert "Digitaalinen ajanvaraus" in page.text


def test_switched_off_it_builds_every_time(client, personas, hanke, settings):
    settings.PAGE_CACHE_SECONDS = 0
    project, _action = hanke
    _hanke_page(client, personas.project_manager, project)
    again = client.get(reverse("objectives:hanke", args=[project.pk]))
    assert again.context["fragment"].built


@pytest.mark.django_db
def test_a_part_with_a_form_token_is_never_kept(rf):
    template = Template(
        "{% load portal_tags %}{% pagecache fragment %}<form>{% csrf_token %}</form>"
        "{{ n }}{% endpagecache %}"
    )
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    request = rf.get("/x/")
    for _ in range(2):
        slot = page_cache.fragment(request, "test-csrf", "anyone", build)
        template.render(Context({"fragment": slot, "csrf_token": "secret-token"}))
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_plain_part_is_kept_until_the_next_write(rf):
    template = Template("{% load portal_tags %}{% pagecache fragment %}{{ n }}{% endpagecache %}")
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    request = rf.get("/y/")

    def render():
        slot = page_cache.fragment(request, "test-plain", "anyone", build)
        return template.render(Context({"fragment": slot}))

    assert render() == "1"
    assert render() == "1"
    RegionFactory()
    assert render() == "2"


def test_parameters_the_page_does_not_read_share_the_rendering(client, personas, hanke):
    project, _action = hanke
    _hanke_page(client, personas.project_manager, project)
    tagged = client.get(reverse("objectives:hanke", args=[project.pk]), {"utm_source": "mail"})
    assert tagged.context["fragment"].built == {}  # the same part as without the tag
    # and the rows' links do not carry it (the language switch outside the part may)
    assert "utm_source" not in tagged.text.split('class="stack"', 1)[1]


# --- The action page: cached facts, light and history around a form built per request -----


def _action_page(client, user, action, lang="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client.get(reverse("objectives:action-detail", args=[action.pk]))


def _parts(response) -> dict:
    return {name: response.context[f"part_{name}"].built for name in ("facts", "light", "history")}


def test_the_action_page_keeps_its_read_only_parts(
    client, personas, hanke, django_assert_max_num_queries
):
    _project, action = hanke
    first = _action_page(client, personas.project_manager, action)
    assert all(_parts(first).values())  # built, from one action_get shared by the three
    assert _parts(first)["facts"]["action"] is _parts(first)["history"]["action"]
    # session, user, the action, roles (2), the owner choices, (savepoint)
    with django_assert_max_num_queries(7):
        second = client.get(reverse("objectives:action-detail", args=[action.pk]))
    assert not any(_parts(second).values())  # served from the cache
    assert _without_tokens(second.text) == _without_tokens(first.text)
    assert 'name="status"' in second.text  # the form is built for this request


def test_the_action_page_shows_a_status_update_at_once(client, personas, hanke):
    _project, action = hanke
    _action_page(client, personas.steering_member, action)
    action_status_update(
        action=action,
        actor=personas.project_manager,
        status="cancelled",
        comment="Ei rahoitusta vuodelle 2026",
        status_date=date.today(),
        expected_version=action.version,
    )
    page = client.get(reverse("objectives:action-detail", args=[action.pk]))
    assert all(_parts(page).values())  # rebuilt, not the stale copies
    assert "Ei rahoitusta vuodelle 2026" in page.text
    assert "Recorded status: Cancelled" in page.text


def test_the_action_pages_parts_are_not_shared_across_actions_or_rights(client, personas, hanke):
    _project, action = hanke
    other = ActionFactory(work_package=action.work_package, number="1.2", title_fi="Chatbot")
    _action_page(client, personas.project_manager, action)
    page = _action_page(client, personas.project_manager, other)
    assert all(_parts(page).values()) and "Chatbot" in page.text
    steering = _action_page(client, personas.steering_member, action)
    assert all(_parts(steering).values())  # not the manager's copy
    assert 'name="status"' not in steering.text  # and no form for a read-only role


# --- The reader's roles, kept like a fragment -----------------------------------------------


def test_roles_come_from_the_cache_until_a_write(personas, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from projects.access import roles_for

    def fresh_user():  # a new user object, as each request has
        return get_user_model().objects.get(pk=personas.steering_member.pk)

    page_cache.bump()
    first, second = fresh_user(), fresh_user()
    with django_assert_num_queries(2):  # programme roles and memberships
        roles = roles_for(first)
    with django_assert_num_queries(0):
        assert roles_for(second) == roles
    assert roles.projects == {personas.project.pk: "steering"}


def test_a_role_ended_or_granted_counts_at_the_next_request(client, personas, hanke):
    from projects.models import Membership
    from projects.services import member_end

    project, _action = hanke
    url = reverse("objectives:hanke", args=[project.pk])
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    client.force_login(personas.steering_member)
    assert client.get(url).status_code == 200
    membership = Membership.objects.get(user=personas.steering_member, project=project)
    member_end(membership=membership, actor=personas.programme_admin, reason="Kausi päättyi")
    assert client.get(url).status_code == 404  # not the roles kept from the request before
    MembershipFactory(user=personas.outsider, project=project, role="steering")
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 200


# --- The Redis cache backend ----------------------------------------------------------------


def test_the_redis_backend_reuses_one_client_and_still_works():
    from django.core.cache import caches

    from portal.cache import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        pytest.skip("the suite runs without REDIS_URL")
    client = backend._cache.get_client()
    assert backend._cache.get_client() is client  # not a new redis.Redis per call
    backend.set("cache-test:value", {"a": [1, 2]}, timeout=5)
    assert backend.get("cache-test:value") == {"a": [1, 2]}
    backend.delete("cache-test:count")
    assert backend.add("cache-test:count", 1, timeout=5)
    assert backend.incr("cache-test:count") == 2
    backend.delete_many(["cache-test:value", "cache-test:count"])
    assert backend.get("cache-test:value") is None
