"""Shared fixtures: personas for every role of design README §2, and a demo-loaded database."""

from __future__ import annotations

import copy
import fcntl
import hashlib
import os
import pickle
import re
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError
from django.db import connection
from django.db import connections
from django.db import transaction
from django.db.backends.postgresql.creation import DatabaseCreation as PostgresCreation
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key

from portal import celery_app
from reporting.demo.loader import demo_load
from reporting.demo.loader import generated_values_wanted

from .factories import ProgrammeRoleFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .factories import member

pytest_plugins = ["tests.fixtures_shared"]

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
    steering = member("steering", project, "steering")
    manager = member("manager", project, "manager")
    worker = member("worker", project, "worker")
    outsider = member("outsider", other_project, "manager")
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


# One demo load per test run
# ---------------------------
# Loading all four plans is seconds of Python (the loader's parsing, validation and history
# rows). The first test of the run that wants the demo loads it once, in a transaction that
# is rolled back, after copying every table out (PostgreSQL COPY, ~1 MB); the copy goes to a
# directory the xdist processes share, so the other process reads it instead of loading
# again. Each later use puts those rows back in a fraction of a second: every table emptied
# and copied in, the sequences set as the load left them. The result is the database a load
# on the freshly migrated test database gives, row for row (the tables the demo does not
# touch hold their migrated rows, which the copy holds too).


@dataclass
class DemoSnapshot:
    report: object  # reporting.demo.loader.LoadReport of the one real load
    tables: dict[str, bytes]  # table -> COPY ... (FORMAT BINARY) contents
    sequences: list[tuple[str, int | None, bool]]  # name, last_value, is_called


_demo_snapshots: dict[tuple, DemoSnapshot] = {}

SHARED_DIR_ENV = "PORTAL_TESTS_SHARED_DIR"


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.option.loadscopereorder = False  # groups in the order _LongestGroupsFirst made
        config.pluginmanager.register(_LongestGroupsFirst(), "portal-longest-groups-first")
    # The controller (or the only process) makes a directory for this run; the xdist
    # processes it starts afterwards inherit its path through the environment.
    if not hasattr(config, "workerinput") and SHARED_DIR_ENV not in os.environ:
        shared = tempfile.mkdtemp(prefix="portal-tests-")
        os.environ[SHARED_DIR_ENV] = shared

        def remove():
            shutil.rmtree(shared, ignore_errors=True)
            os.environ.pop(SHARED_DIR_ENV, None)

        config.add_cleanup(remove)


def _snapshot_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> 'django_migrations' ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _snapshot_take(report) -> DemoSnapshot:
    tables = {}
    with connection.cursor() as cursor:
        for table in _snapshot_tables(cursor):
            with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy_out:
                tables[table] = b"".join(bytes(block) for block in copy_out)
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        )
        sequences = [(name, last, last is not None) for name, last in cursor.fetchall()]
    return DemoSnapshot(report=report, tables=tables, sequences=sequences)


def _snapshot_put(snapshot: DemoSnapshot, *, sequences: bool) -> None:
    # Every foreign key Django makes is DEFERRABLE INITIALLY DEFERRED: inside one
    # transaction the tables can be emptied and filled in any order.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot.tables:
            cursor.execute(f'DELETE FROM "{table}"')
        for table, contents in snapshot.tables.items():
            if contents:
                with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy_in:
                    copy_in.write(contents)
        for name, last_value, is_called in snapshot.sequences if sequences else ():
            cursor.execute("SELECT setval(%s, %s, %s)", [name, last_value or 1, is_called])


def _demo_load_and_snapshot(options: dict) -> DemoSnapshot:
    # Rolled back: the process's database stays as it was; only the copy is kept.
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        report = demo_load(data_dir=settings.DEMO_DATA_DIR, **options)
        snapshot = _snapshot_take(report)
        transaction.set_rollback(True)
    return snapshot


def _demo_snapshot(options: dict) -> DemoSnapshot:
    key = tuple(sorted(options.items()))
    if key in _demo_snapshots:
        return _demo_snapshots[key]
    shared = os.environ.get(SHARED_DIR_ENV)
    if not shared:
        snapshot = _demo_load_and_snapshot(options)
    else:
        name = "demo-" + "-".join(f"{k}={v}" for k, v in key)
        path = Path(shared) / f"{name}.pickle"
        with open(Path(shared) / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the other process may be loading it now
            if path.exists():
                snapshot = pickle.loads(path.read_bytes())
            else:
                snapshot = _demo_load_and_snapshot(options)
                partial = path.with_suffix(".partial")
                partial.write_bytes(pickle.dumps(snapshot))
                partial.rename(path)
    _demo_snapshots[key] = snapshot
    return snapshot


def demo_restore(**options):
    """Make the test database hold the demo data exactly as `demo_load(data_dir=
    settings.DEMO_DATA_DIR, **options)` leaves a freshly migrated one; return its report.

    Inside a test's transaction (the `db` fixture, `module_world`) the rows go with the
    rollback; in a transactional test they are committed (and flushed at its end). Needs
    PostgreSQL; elsewhere it simply loads the demo."""
    options = {
        "with_users": options.get("with_users", True),
        "with_generated": generated_values_wanted(options.get("with_generated")),
    }
    if connection.vendor != "postgresql":
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            return demo_load(data_dir=settings.DEMO_DATA_DIR, **options)
    snapshot = _demo_snapshot(options)
    _snapshot_put(snapshot, sequences=True)
    ContentType.objects.clear_cache()  # the same rows, but ids as the copy has them
    return copy.deepcopy(snapshot.report)


@pytest.fixture(scope="module")
def _demo_data_for_module(django_db_setup, django_db_blocker):
    # Once per module inside an outer transaction (as Django's TestCase.setUpTestData
    # does); each test then runs in a savepoint of its own and the whole set is rolled back
    # when the module ends.
    with django_db_blocker.unblock(), transaction.atomic():
        report = demo_restore()
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(_demo_data_for_module, db):
    """The full demo data set, as the same service as `manage.py load_demo` loads it (the
    run's one load, copied in: `demo_restore`).

    Use it only in modules whose other tests do not expect an empty database.
    """
    return _demo_data_for_module


# One browser per run of browser tests
# -----------------------------------
# Chromium starts once for consecutive tests that ask for `chromium` (the browser tests are
# one xdist group, so once per run) and stops after the last of them; each test gets a
# fresh context of it (no cookies, storage or cache of the test before). While Playwright's
# sync API is started, its event loop counts as running in the main thread, so Django's
# guard against ORM calls from async code is lifted for exactly that stretch of tests (and
# the thread's connections are kept, see `_Chromium.start`).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class _Chromium:
    playwright = None
    browser = None

    def start(self):
        # Here, not at the top: Playwright costs ~0.3 s to import, and conftest is loaded by
        # every run, most of which start no browser.
        from playwright.sync_api import sync_playwright

        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        # Django keeps a thread's database connections in a thread-local, but once an event
        # loop runs in the thread (Playwright's, from here on) it looks them up in a context
        # variable instead and would open new ones: no test transaction, no serialized rows.
        # Hand the thread's own connections over to that lookup as well.
        own = {alias: connections[alias] for alias in connections}
        self.playwright = sync_playwright().start()
        for alias, wrapper in own.items():
            connections[alias] = wrapper
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def stop(self):
        try:
            self.browser.close()
            self.playwright.stop()
        finally:
            self.browser = self.playwright = None
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


_chromium = _Chromium()


@pytest.fixture
def chromium():
    """Headless Debian Chromium (Playwright Browser), shared by consecutive browser tests."""
    if _chromium.browser is None:
        _chromium.start()
    return _chromium.browser


# Transactional tests, cheaper
# ----------------------------
# A transactional test (live server, real commits) ends with Django's flush and, with
# `serialized_rollback`, starts by reloading the rows the migrations wrote from their JSON
# serialization, object by object (our teardown hook below reloads them after every
# transactional test). On PostgreSQL both are done here with the same end state, faster:
# - the flush deletes the rows of every table in one transaction instead of a TRUNCATE of
#   90 tables, which makes and syncs new files for each (seconds on a busy machine, against
#   a tenth of a second);
# - the migrated rows are copied back (COPY, as the demo above) from a copy taken right
#   after the test database was created, instead of hundreds of ORM saves.
_migrated_rows: list[DemoSnapshot] = []
_sql_flush = PostgresOperations.sql_flush
_deserialize_db_from_string = PostgresCreation.deserialize_db_from_string


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_keepdb, django_db_blocker, request):
    """pytest-django's test database, plus a copy of the rows the migrations left in it (and,
    when the migrations built it, a template of it for the next runs: below)."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            if not django_db_keepdb and _template_wanted(request.config):
                _template_save(replace=request.config.getvalue("create_db"))
            with transaction.atomic():
                _migrated_rows.append(_snapshot_take(report=None))
    yield
    _migrated_rows.clear()


# Test databases from a template
# ------------------------------
# Every xdist process has a test database of its own, and building one runs every migration
# (~17 s of CPU, mostly Django rendering model states, 30-90 s on a busy machine). On
# PostgreSQL a run that built one keeps a copy of it, freshly migrated, as a template named
# after a hash of the migration files (and of our modules they import, and Django's
# version); the next runs create each process's database from it (`CREATE DATABASE …
# TEMPLATE`, about a second) and pytest-django uses it as an existing database, whose
# `migrate` finds nothing to do; it is dropped at the end as a created one would be. A
# changed migration changes the name, so a stale template is never used (and old ones are
# dropped). `--create-db` builds from the migrations and replaces the template; `--reuse-db`
# and `--no-migrations` work as pytest-django has them.
_LOCAL_IMPORT = re.compile(r"^(?:from|import)\s+([\w.]+)", re.MULTILINE)


def _migrations_hash() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    local = set()
    for app in apps.get_app_configs():
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            text = path.read_bytes()
            digest.update(f"{app.label}/{path.name}:".encode() + text)
            local.update(_LOCAL_IMPORT.findall(text.decode("utf-8", "replace")))
    for module in sorted(local):  # e.g. portal.models_common: field classes the schema uses
        path = Path(settings.BASE_DIR, *module.split(".")).with_suffix(".py")
        if path.is_file():
            digest.update(f"{module}:".encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class _TemplateNames:
    prefix: str  # of every template of the project's database name
    template: str  # the template of these migrations
    target: str  # this process's test database


_template_names: list[_TemplateNames] = []  # set before the test database is made


def _template_names_take() -> _TemplateNames:
    prefix = f"{connection.settings_dict['NAME']}_tmpl_"[:50]
    names = _TemplateNames(
        prefix, prefix + _migrations_hash(), connection.creation._get_test_db_name()
    )
    _template_names[:] = [names]
    return names


def _template_wanted(config) -> bool:
    return (
        connection.vendor == "postgresql"
        and not config.getvalue("reuse_db")
        and not config.getvalue("nomigrations")
    )


@contextmanager
def _template_lock(names: _TemplateNames):
    """The server's own cursor (no database), holding a lock per project database name:
    xdist processes and other runs on the same name take turns at the templates."""
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [names.prefix])
        try:
            yield cursor
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [names.prefix])


def _test_db_from_template(names: _TemplateNames) -> bool:
    """This process's test database copied from the template; False if there is none (or
    the copy fails: the migrations build it then)."""
    quote = connection.ops.quote_name
    with _template_lock(names) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [names.template])
        if cursor.fetchone() is None:
            return False
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(names.target)} WITH (FORCE)")
        try:
            cursor.execute(
                f"CREATE DATABASE {quote(names.target)} TEMPLATE {quote(names.template)}"
            )
        except DatabaseError as error:
            warnings.warn(f"test database not copied from the template: {error}", stacklevel=1)
            return False
    return True


def _test_db_drop(names: _TemplateNames) -> None:
    connection.close()
    with connection._nodb_cursor() as cursor:
        name = connection.ops.quote_name(names.target)
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _template_save(*, replace: bool) -> None:
    """A copy of this process's test database, just migrated, as the template."""
    if not _template_names:
        return
    names = _template_names[0]
    quote = connection.ops.quote_name
    template = names.template
    connection.close()  # CREATE DATABASE … TEMPLATE copies a database nobody is connected to
    with _template_lock(names) as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [names.prefix.replace("_", r"\_") + "%"],
        )
        existing = {name for (name,) in cursor.fetchall()}
        if template in existing and not (replace and not _saved_in_this_run()):
            existing.discard(template)
            template = None
        for old in existing:
            cursor.execute(f"DROP DATABASE {quote(old)} WITH (FORCE)")
        if template:
            try:
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(names.target)}")
            except DatabaseError as error:  # the next run builds from migrations again
                warnings.warn(f"no test database template kept: {error}", stacklevel=1)
            else:
                _saved_in_this_run(mark=True)


def _saved_in_this_run(*, mark: bool = False) -> bool:
    """Whether a process of this run (xdist) saved the template already."""
    shared = os.environ.get(SHARED_DIR_ENV)
    marker = Path(shared, "template-saved") if shared else None
    if mark and marker:
        marker.touch()
    return bool(marker and marker.exists())


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings, django_db_blocker):
    """pytest-django's own (`--reuse-db`), or True when this process's test database was
    copied from the template: Django then uses it as it is, and it is dropped here at the
    end (pytest-django keeps a kept database)."""
    from_template = False
    if _template_wanted(request.config):
        names = _template_names_take()
        if not request.config.getvalue("create_db"):
            with django_db_blocker.unblock():
                from_template = _test_db_from_template(names)
    yield from_template or bool(request.config.getvalue("reuse_db"))
    if from_template:
        with django_db_blocker.unblock():
            _test_db_drop(names)
    _template_names.clear()


def _migrated_rows_put(creation, data):
    own = getattr(creation.connection, "_test_serialized_contents", None)
    if _migrated_rows and creation.connection.alias == "default" and data is own:
        _snapshot_put(_migrated_rows[0], sequences=False)
        ContentType.objects.clear_cache()
    else:
        _deserialize_db_from_string(creation, data)


def _sql_flush_by_delete(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables:  # TRUNCATE ... RESTART IDENTITY is the way to reset
        return _sql_flush(
            ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    delete = style.SQL_KEYWORD("DELETE FROM")
    return [f"{delete} {style.SQL_FIELD(ops.quote_name(table))};" for table in tables]


@pytest.fixture(scope="session", autouse=True)
def _faster_transactional_tests():
    PostgresOperations.sql_flush = _sql_flush_by_delete
    PostgresCreation.deserialize_db_from_string = _migrated_rows_put
    yield
    PostgresOperations.sql_flush = _sql_flush
    PostgresCreation.deserialize_db_from_string = _deserialize_db_from_string


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
    if _chromium.browser is not None and (
        nextitem is None or "chromium" not in nextitem.fixturenames
    ):
        _chromium.stop()
    if nextitem is None:  # the last test: the test database itself is gone by now
        return result
    if _is_transactional(item) and blocking_manager_key in item.config.stash:
        with item.config.stash[blocking_manager_key].unblock():
            _migrated_rows_reload()
    return result


def _migrated_rows_reload() -> None:
    """Put back the rows the migrations wrote: from the copy taken when the test database
    was set up (a database made from a template, or kept, has no serialized contents: a
    module run alone, `pytest tests/test_imports.py`, lost its HT catalogue after its
    transactional test), else from Django's serialization of them."""
    if _migrated_rows:
        _snapshot_put(_migrated_rows[0], sequences=False)
        ContentType.objects.clear_cache()
        return
    for each in connections.all():
        contents = getattr(each, "_test_serialized_contents", None)
        if contents:
            each.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker(request):
    """Tasks run inline in tests, except in `worker` tests, which use Redis and a real worker.

    Without this, every save in a test would leave a message in the local Redis queue.
    """
    if request.node.get_closest_marker("worker"):
        yield
        return

    # The app reads Django's CELERY_-prefixed names, so overrides use them too.
    saved = {
        "CELERY_TASK_ALWAYS_EAGER": celery_app.conf.task_always_eager,
        "CELERY_TASK_EAGER_PROPAGATES": celery_app.conf.task_eager_propagates,
    }
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=True, CELERY_TASK_EAGER_PROPAGATES=True)
    yield
    celery_app.conf.update(saved)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.2 s per user; the personas alone would make every test seconds slower.
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _xdist_group(item) -> str:
    if item.get_closest_marker("worker"):
        return "celery-worker"
    if "chromium" in item.fixturenames:
        return "browser"
    return item.nodeid.split("::", 1)[0]


def _expected_seconds(item) -> float:
    """A rough cost of a test on a quiet machine, to start the longest groups first.

    From `--durations` of whole runs (docs/testing.md): most tests take a few hundredths of
    a second; a browser test 3–10 s (pages rendered and drawn, axe-core); a live server,
    a real Celery worker or a transactional test's flush adds its own seconds; a test whose
    cost its fixtures do not show (a real demo load) says so: `expected_seconds(n)`."""
    marker = item.get_closest_marker("expected_seconds")
    if marker is not None:
        return marker.args[0]
    seconds = 0.1
    if "chromium" in item.fixturenames:
        seconds += 6
    elif "live_server" in item.fixturenames:
        seconds += 3
    if item.get_closest_marker("worker"):
        seconds += 8
    if _is_transactional(item):
        seconds += 1
    return seconds


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (`make test` runs `-n 2 --dist loadgroup`), one process runs a whole
    group: a module, so a module's world and demo data are built once, not once per process;
    the browser tests, so Chromium starts once; and the tests that start a real Celery worker,
    because the workers share one Redis queue (a task sent by one process must not be taken
    by another's worker)."""
    if not config.pluginmanager.hasplugin("xdist"):  # `-p no:xdist`: no such marker
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_xdist_group(item)))


class _LongestGroupsFirst:
    """xdist hands each process the next group when it is nearly done with its last one, in
    the order of the collection (`make test` turns off xdist's own reordering, which puts
    the groups with the most tests first, not the longest). Longest first, by
    `_expected_seconds`, leaves the short groups to fill the end, so neither process idles
    while the other finishes a long one. Within a group the order stays as collected (and
    as pytest-django sorted it: plain database tests, transactional ones, the rest)."""

    @pytest.hookimpl(trylast=True)  # after pytest-django's and xdist's own hooks
    def pytest_collection_modifyitems(self, config, items):
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(_xdist_group(item), []).append(item)
        ordered = sorted(groups.values(), key=lambda group: -sum(map(_expected_seconds, group)))
        items[:] = [item for group in ordered for item in group]
