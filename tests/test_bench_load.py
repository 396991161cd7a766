"""bench/load.py and bench/locustfile.py: the load scenario runs end to end (a small version).

One synthetic hanke from `generate_scale`, gunicorn (1 worker, DEBUG=0; saves queue their
recomputation on Redis when it is configured, but no Celery worker is started: its start-up
would double the test's time, and tests/test_celery_worker.py covers a real worker); locust
drives one user of each kind for a few seconds. Every
page answers, both kinds of write reach the database, and the write check finds each save
that was answered "saved" — and would report one that is missing.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from bench.load import BARE
from bench.load import page_stats
from bench.load import run_locust
from bench.load import running_stack
from bench.load import sign_in_all
from bench.load_data import build_plan
from bench.load_data import check_writes
from bench.load_data import set_passwords
from reporting.demo.scale import scale_generate


@pytest.fixture
def small_scale(django_db_serialized_rollback, transactional_db):
    # serialized rollback: the HT catalogue (a data migration) survives the flush after the test
    scale_generate(
        regions=1,
        seed=2,  # three project managers among the twelve users
        actions_per_region=20,
        indicators_per_region=4,
        measurements_per_indicator=6,
        users=12,
    )


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_the_scenario_runs_and_every_saved_write_is_found(small_scale, tmp_path):
    # given the plan: scale users in every part, signed in through the login form
    plan = build_plan("a-load-test-password-1", wait=[0.2, 0.5], sample=5)
    assert all(plan["personas"][kind] for kind in ("reader", "ministry", "status", "value"))
    plan["weights"] = {"reader": 1, "ministry": 1, "status": 1, "value": 1}  # one user each
    set_passwords(plan)
    stack = running_stack(
        database_url=_database_url(),
        redis_url=os.environ.get("REDIS_URL") or None,
        workers=1,
        timeout=20,
        logs=tmp_path,
        settings="tests.load_server_settings",
        collectstatic=False,
        worker=False,
    )
    with stack as base:
        sign_in_all(base, plan, timeout=20)
        # when four users (one of each kind) run the scenario for a few seconds
        records = run_locust(base, plan, users=4, seconds=6, workdir=tmp_path, spawn_seconds=1)
    # then every page type answered without an error, the bare view among them
    stats = page_stats(records, warmup=0)
    assert {BARE, "overview", "hanke", "action", "action save"} <= set(stats)
    assert not [error for s in stats.values() for error in s.errors]
    # and the saves of statuses and values were answered "saved" and are in the database
    saved = [w for w in records["writes"] if w["answer"] == "saved"]
    assert {w["kind"] for w in saved} == {"status", "value"}
    check = check_writes(records["writes"])
    assert check.saved == len(saved) and check.found == check.saved and not check.lost
    # and a save the database does not hold would be reported as lost
    ghost = {**saved[0], "token": "load-0000"}
    assert check_writes([ghost]).lost == [ghost]
