"""The database side of the load benchmark (bench/load.py): who plays which part, their
passwords, the check that every write answered "saved" is stored, the wait for the lights and
what one request costs alone.

A module of its own because it imports the portal's models: `bench/load.py` reads the
database's address from its command line and imports this once Django is set up from it;
tests import it under pytest-django. The rest of the benchmark (the stack, locust, the report)
needs no Django and imports nothing of the portal.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test import override_settings
from django.utils import timezone

from bench.load import BARE
from bench.load import SAMPLE
from bench.load import VIEWER
from bench.load import WEIGHTS
from measures.models import Indicator
from measures.models import Measurement
from measures.status_engine import status_recompute_projects
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.models import StatusUpdate
from portal.celery import app
from projects.models import Membership
from projects.models import Project
from projects.services import programme_role_set
from reporting.demo.scale import USERNAME_PREFIX
from reporting.demo.scale import synthetic_regions


def postgres_version() -> str:
    """The database server's version, for the report's header."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def purge_queue() -> None:
    """Drop the messages of an earlier, interrupted run from the broker."""
    app.control.purge()


def build_plan(password: str, wait: list[float], sample: int = SAMPLE) -> dict:
    """Personas per kind from the scale data's users and memberships (see the locustfile).

    Readers: every active member; status writers: project managers; value writers: workers
    and managers (both may enter values); ministry: the programme viewer `bench.viewer`.
    """
    hankkeet = list(
        Project.objects.filter(region__in=synthetic_regions())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    memberships = (
        Membership.objects.active()
        .filter(user__username__startswith=USERNAME_PREFIX, project__in=hankkeet)
        .select_related("user")
        .order_by("user__username")
    )
    objects = {pk: _objects_of(pk, sample) for pk in hankkeet}
    last = Measurement.objects.aggregate(last=Max("period"))["last"]
    personas: dict[str, list[dict]] = defaultdict(list)
    for membership in memberships:
        mine = objects[membership.project_id]
        persona = {"username": membership.user.username, "hanke": membership.project_id, **mine}
        personas["reader"].append(persona)
        if membership.role == "manager":
            personas["status"].append(persona)
        if membership.role in ("manager", "worker") and mine["values"]:
            personas["value"].append(persona)
    personas["ministry"] = [{"username": VIEWER}]
    missing = [kind for kind in ("reader", "status", "value") if not personas[kind]]
    if missing:
        sys.exit(f"The scale data give no users for {missing}; generate them with users.")
    return {
        "password": password,
        "wait": wait,
        "weights": dict(WEIGHTS),
        "hankkeet": hankkeet,
        "last_period": last.isoformat() if last else None,
        "personas": dict(personas),
    }


def _objects_of(project_id: int, sample: int) -> dict:
    """Goals, actions and indicators of a hanke to read, and (indicator, period) to correct."""

    def ids(model) -> list[int]:
        return list(
            model.objects.filter(project_id=project_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:sample]
        )

    indicators = ids(Indicator)
    values = (
        Measurement.objects.filter(indicator_id__in=indicators)
        .order_by("-period", "indicator_id")
        .values_list("indicator_id", "period")[: sample * 3]
    )
    return {
        "goals": ids(ProcessGoal),
        "actions": list(
            Action.objects.filter(project_id=project_id)
            .exclude(status="not_reported")
            .order_by("pk")
            .values_list("pk", flat=True)[:sample]
        ),
        "indicators": indicators,
        "values": [[pk, period.isoformat()] for pk, period in values],
    }


def set_passwords(plan: dict) -> None:
    """One fresh password for every persona of the plan (hashed once), and the viewer's role."""
    User = get_user_model()
    viewer, _created = User.objects.get_or_create(
        username=VIEWER,
        defaults={
            "email": f"{VIEWER}@example.invalid",
            "first_name": "Bench",
            "last_name": "Viewer",
        },
    )
    programme_role_set(user=viewer, actor=None, role="viewer")
    names = {p["username"] for pool in plan["personas"].values() for p in pool}
    User.objects.filter(username__in=names).update(password=make_password(plan["password"]))


@dataclass
class WriteCheck:
    saved: int = 0  # answered "saved"
    found: int = 0  # of those, in the database
    lost: list[dict] = field(default_factory=list)
    unacknowledged: int = 0  # not answered "saved" (conflict, refused, no answer) ...
    unacknowledged_in_db: int = 0  # ... yet in the database


def check_writes(writes: list[dict]) -> WriteCheck:
    """Every write answered "saved" must be in the database, with what was sent."""
    tokens = [w["token"] for w in writes]
    stored = set()
    for update in StatusUpdate.objects.filter(comment__contains="(load-").values(
        "action_id", "status", "comment"
    ):
        stored.add(("status", update["action_id"], update["status"], _token(update["comment"])))
    history = Measurement.history.model.objects.filter(note__contains="(load-")
    for row in history.values("indicator_id", "period", "note"):
        period = row["period"].isoformat()
        stored.add(("value", row["indicator_id"], period, _token(row["note"])))
    check = WriteCheck()
    for write, token in zip(writes, tokens, strict=True):
        if write["kind"] == "status":
            key = ("status", write["action"], write["to"], token)
        else:
            key = ("value", write["indicator"], write["period"], token)
        if write["answer"] == "saved":
            check.saved += 1
            if key in stored:
                check.found += 1
            else:
                check.lost.append(write)
        else:
            check.unacknowledged += 1
            check.unacknowledged_in_db += key in stored
    return check


def _token(text: str) -> str:
    return text[text.rfind("(load-") + 1 : text.rfind(")")]


def wait_for_lights(limit: float = 180.0) -> tuple[int, float]:
    """Wait until the worker has recomputed every dirty hanke; (still dirty, seconds)."""
    started = time.monotonic()
    while True:
        dirty = Project.objects.filter(status_dirty_at__isnull=False).count()
        elapsed = time.monotonic() - started
        if dirty == 0 or elapsed >= limit:
            return dirty, elapsed
        time.sleep(1)


# --- What one request costs alone --------------------------------------------------------------


def request_costs(plan: dict, repeat: int = 10) -> list[str]:
    """Each request type of the scenario alone, in this process through Django's test client
    (the server's URLs, one project manager of the plan): median wall and Python CPU ms; and
    the worker's recomputation of that hanke. Under load, time above this is waiting."""
    me = plan["personas"]["status"][0]
    indicator, period = me["values"][0]  # a manager may enter values too
    client = Client()
    client.force_login(get_user_model().objects.get(username=me["username"]))
    action = f"/toimenpiteet/{me['actions'][0]}/"
    gets = {
        BARE: "/bench/bare/",
        "overview": "/ohjelma/",
        "hanke": f"/hankkeet/{me['hanke']}/",
        "goal": f"/tavoitteet/{me['goals'][0]}/",
        "action": action,
        "indicator": f"/mittarit/{indicator}/?period={period}",
    }
    rows = []
    with override_settings(ROOT_URLCONF="bench.server_urls"):
        for name, path in gets.items():
            rows.append((name, _cost(repeat, lambda path=path: client.get(path), 200)))
        rows.append(("action save", _cost(repeat, lambda: _post_status(client, action), 302)))
        rows.append(
            ("indicator save", _cost(repeat, lambda: _post_value(client, indicator, period), 302))
        )
    today = timezone.localdate()
    recompute = _cost(3, lambda: status_recompute_projects(project_ids=[me["hanke"]], today=today))
    lines = [
        "### One request alone (test client in this process, no other load from this run)",
        "",
        "| request | wall ms (median) | Python CPU ms (median) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {wall:.0f} | {cpu:.0f} |" for name, (wall, cpu) in rows]
    lines.append(f"| worker: the hanke's recomputation | {recompute[0]:.0f} | {recompute[1]:.0f} |")
    return [*lines, ""]


def _cost(repeat: int, call, expected: int | None = None) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if expected is not None and answer.status_code != expected:
            raise RuntimeError(f"answered {answer.status_code}, not {expected}")
    return statistics.median(walls), statistics.median(cpus)


def _post_status(client, path: str):
    action = Action.objects.get(pk=int(path.strip("/").split("/")[-1]))
    data = {
        "status": "in_progress" if action.status != "in_progress" else "starting",
        "status_date": datetime.now().date().isoformat(),
        "comment": "Kustannusmittaus (bench/load.py)",
        "expected_version": action.version,
    }
    return client.post(path, data)


def _post_value(client, indicator: int, period: str):
    current = Measurement.objects.get(indicator_id=indicator, period=period)
    data = {
        "period": period,
        "value": current.value_as_written or str(current.value),
        "source": "manual",
        "note": "Kustannusmittaus (bench/load.py)",
        "reason": "Kustannusmittaus",  # a correction of a taken period needs its reason
        "expected_version": current.version,
    }
    return client.post(f"/mittarit/{indicator}/", data)
