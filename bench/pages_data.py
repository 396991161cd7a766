"""The database side of the page benchmark (bench/pages.py): the data prepared, the objects
the URLs point at, the bench users, what the data hold, the SQL statements of one request per
page and the database server's version.

A module of its own because it imports the portal's models: `bench/pages.py` reads the
database's address from its command line and imports this once Django is set up from it;
tests import it under pytest-django. The rest of the benchmark (the server, the timing, the
report) needs no model and imports nothing of the portal.
"""

from __future__ import annotations

import argparse
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.test import Client
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.pages import PERSONAS
from bench.pages import SERVER_URLCONF
from bench.pages import Page
from bench.pages import World
from measures.models import CurrentLight
from measures.models import Indicator
from measures.models import Measurement
from measures.models import RollupKind
from measures.status_engine import status_recompute_all
from objectives.models import Action
from objectives.models import ProcessGoal
from projects.models import Membership
from projects.models import Project
from projects.models import WorkPackage
from projects.services import member_invite
from projects.services import programme_role_set
from reporting.demo.loader import demo_load
from reporting.demo.scale import scale_generate
from reporting.demo.scale import synthetic_regions


def prepare(args: argparse.Namespace) -> list[str]:
    """Migrate, load the demo, generate the scale data and recompute: each only if needed."""
    done = []
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
        done.append("migrated")
    if not Project.objects.exclude(region__in=synthetic_regions()).exists():
        demo_load(data_dir=settings.DEMO_DATA_DIR, with_users=False)
        done.append("loaded the demo data (without demo users)")
    found = synthetic_regions().count()
    if found != args.regions:
        started = time.perf_counter()
        scale_generate(regions=args.regions, seed=args.seed, replace=found > 0)
        done.append(f"generated {args.regions} regions in {time.perf_counter() - started:.0f} s")
    lit = CurrentLight.objects.filter(kind=RollupKind.PROJECT).values("object_id")
    if Project.objects.exclude(pk__in=lit).exists():
        report = status_recompute_all(today=timezone.localdate())
        done.append(f"recomputed the lights ({report.rollups} rollups)")
    # Fresh planner statistics, as autovacuum would leave them some time after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return done or ["database already prepared"]


def find_world() -> World:
    hanke = Project.objects.annotate(n=Count("actions")).order_by("-n", "pk").first()
    action = (
        Action.objects.filter(project=hanke).order_by("work_package__order", "order", "pk").first()
    )
    indicator = (
        Indicator.objects.filter(project=hanke)
        .annotate(n=Count("measurements"))
        .order_by("-n", "order", "pk")
        .first()
    )
    parent_of = dict(WorkPackage.objects.filter(project=hanke).values_list("pk", "parent_id"))
    per_top: dict[int, int] = {}
    action_packages = Action.objects.filter(project=hanke).values_list("work_package_id")
    for (package_id,) in action_packages:
        while parent_of.get(package_id):  # up to the top-level package
            package_id = parent_of[package_id]
        per_top[package_id] = per_top.get(package_id, 0) + 1
    package = max(per_top, key=lambda pk: (per_top[pk], -pk), default=None)
    goal = (
        ProcessGoal.objects.filter(project=hanke)
        .annotate(n=Count("actions"))
        .order_by("-n", "order", "pk")
        .first()
    )
    if None in (hanke, action, indicator, package, goal):
        sys.exit("The database holds no hanke with actions and indicators; prepare it first.")
    return World(
        hanke=hanke.pk,
        action=action.pk,
        indicator=indicator.pk,
        package=package,
        goal=goal.pk,
    )


def ensure_users(world: World, password: str) -> None:
    """Create the bench users (once) and give them `password` and their roles (every run)."""
    project = Project.objects.get(pk=world.hanke)
    for key, persona in PERSONAS.items():
        if persona is None:
            continue
        user, _created = get_user_model().objects.get_or_create(
            username=persona.username,
            defaults={
                "email": f"{persona.username}@example.invalid",
                "first_name": "Bench",
                "last_name": key.capitalize(),
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if persona.programme_role:
            programme_role_set(user=user, actor=None, role=persona.programme_role)
        in_hanke = Membership.objects.active().filter(user=user, project=project).exists()
        if persona.project_role and not in_hanke:
            member_invite(
                project=project,
                actor=None,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                role=persona.project_role,
            )


def data_summary() -> str:
    models = [Project, ProcessGoal, Action, Indicator, Measurement, CurrentLight]
    return ", ".join(f"{m.objects.count()} {m._meta.model_name}" for m in models)


def count_queries(pages: list[Page], world: World) -> dict[str, int]:
    """SQL statements of one request per page, through the same views in this process."""
    counts = {}
    with override_settings(ROOT_URLCONF=SERVER_URLCONF):
        for page in pages:
            client = Client()
            persona = PERSONAS[page.persona]
            if persona is not None:
                client.force_login(get_user_model().objects.get(username=persona.username))
            connection.queries_log.clear()  # a full log (9 000) would hide the count
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path(world), headers=page.headers)
            if response.status_code != 200:
                sys.exit(f"{page.key}: the test client got {response.status_code}")
            counts[page.key] = len(captured.captured_queries)
    return counts


def postgres_version() -> str:
    """The database server's version, for the report's header."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]
