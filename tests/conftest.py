"""Shared fixtures: personas for every role of design README §2, and a demo-loaded database."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key

from projects.demo import demo_load

from .factories import (
    MembershipFactory,
    ProgrammeRoleFactory,
    ProjectFactory,
    UserFactory,
)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Personas:
    """Alice & co. adapted to our roles, around two hankkeet (own and other)."""

    project: object
    other_project: object
    programme_admin: object
    ministry_viewer: object
    steering_member: object
    project_manager: object
    project_worker: object
    outsider: object


@pytest.fixture
def personas(db) -> Personas:
    return personas_build()


def personas_build() -> Personas:
    """The personas' rows; for a module-scoped world, call it inside `module_world`."""
    project = ProjectFactory()
    other_project = ProjectFactory()
    admin = ProgrammeRoleFactory(user=UserFactory(username="admin"), role="admin").user
    viewer = ProgrammeRoleFactory(user=UserFactory(username="viewer"), role="viewer").user
    steering = MembershipFactory(
        user=UserFactory(username="steering"), project=project, role="steering"
    ).user
    manager = MembershipFactory(
        user=UserFactory(username="manager"), project=project, role="manager"
    ).user
    worker = MembershipFactory(
        user=UserFactory(username="worker"), project=project, role="worker"
    ).user
    outsider = MembershipFactory(
        user=UserFactory(username="outsider"), project=other_project, role="manager"
    ).user
    return Personas(project, other_project, admin, viewer, steering, manager, worker, outsider)


@contextmanager
def module_world(django_db_blocker):
    """Rows built once for a whole module, as Django's TestCase.setUpTestData does.

    Inside an outer transaction that is rolled back when the module ends; each test (with the
    `db` fixture) then runs in a savepoint of its own, so what a test writes is undone before
    the next one. Tests must read the world's rows by primary key, not trust the instances.
    """
    fast = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def _demo_data_for_module(django_db_setup, django_db_blocker):
    # Loading all four plans takes seconds, so it happens once per module inside an outer
    # transaction (as Django's TestCase.setUpTestData does); each test then runs in a
    # savepoint of its own and the whole set is rolled back when the module ends.
    with django_db_blocker.unblock(), transaction.atomic():
        report = demo_load(data_dir=settings.DEMO_DATA_DIR)
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(_demo_data_for_module, db):
    """The full demo data set, loaded through the same service as `manage.py load_demo`.

    Use it only in modules whose other tests do not expect an empty database.
    """
    return _demo_data_for_module


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    wants = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    return bool(wants) or bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush, which also empties the rows the migrations
    wrote (the HT catalogue); Django reloads them only at the start of the next test that
    asks for a serialized rollback. Tests run in groups over two processes (xdist), so a
    plain `db` test may come next in the same process: once every fixture of the test is
    torn down (the flush included), put those rows back."""
    result = yield
    if nextitem is None:  # the last test: the test database itself is gone by now
        return result
    if _is_transactional(item) and blocking_manager_key in item.config.stash:
        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker(request):
    """Tasks run inline in tests, except in `worker` tests, which use Redis and a real worker.

    Without this, every save in a test would leave a message in the local Redis queue.
    """
    if request.node.get_closest_marker("worker"):
        yield
        return
    from portal.celery import app

    # The app reads Django's CELERY_-prefixed names, so overrides use them too.
    saved = {
        "CELERY_TASK_ALWAYS_EAGER": app.conf.task_always_eager,
        "CELERY_TASK_EAGER_PROPAGATES": app.conf.task_eager_propagates,
    }
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True, CELERY_TASK_EAGER_PROPAGATES=True)
    yield
    app.conf.update(saved)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.2 s per user; the personas alone would make every test seconds slower.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (`make test` runs `-n 2 --dist loadgroup`), one process runs a whole
    module, so a module's world and demo data are built once, not once per process; and the
    tests that start a real Celery worker all run in one process, because the workers share
    one Redis queue (a task sent by one process must not be taken by another's worker)."""
    for item in items:
        if item.get_closest_marker("worker"):
            group = "celery-worker"
        else:
            group = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
