"""Benchmark a status save in one very large hanke, and the worker's recomputation after it.

Usage (from the repository root, against a dedicated database; Redis for the broker):

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE portal_savebench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_savebench \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/status_save.py --actions 20000 --saves 40

Migrates the database and generates one synthetic hanke of `--actions` actions
(`reporting.demo.scale.scale_generate`, regions=1) when it is not there, computes its lights once,
then posts `--saves` status updates through the action page's real form (Django's test
client in this process, CSRF checks on, a project manager of the hanke logged in), the way
the browser does: each save commits, refreshes the action's own light and queues the
hanke's recomputation on the broker (no worker runs here, so the request never waits for
it). It prints p50/p95/max of the save requests, then times the worker's part (one
`status_recompute_projects` of the hanke) separately.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date

from bench_setup import setup_django

# A script, not a module: Django is set up before the models below are imported (E402).
setup_django(
    database="portal_savebench",
    redis_because="without it Celery runs eagerly and the save would recompute.",
)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.status_engine import status_recompute_projects  # noqa: E402
from objectives.models import Action  # noqa: E402
from projects.models import Membership  # noqa: E402
from projects.models import Project  # noqa: E402
from reporting.demo.scale import scale_generate  # noqa: E402
from reporting.demo.scale import synthetic_regions  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def ensure_hanke(args: argparse.Namespace):
    call_command("migrate", verbosity=0)
    project = Project.objects.filter(region__in=synthetic_regions()).first()
    if project is None or Action.objects.filter(project=project).count() != args.actions:
        started = time.perf_counter()
        scale_generate(
            regions=1,
            seed=args.seed,
            actions_per_region=args.actions,
            indicators_per_region=args.indicators,
            measurements_per_indicator=24,
            users=5,
            replace=project is not None,
        )
        print(f"generated the hanke in {time.perf_counter() - started:.1f} s")
        project = Project.objects.get(region__in=synthetic_regions())
    return project


def manager_of(project):
    user, _ = get_user_model().objects.get_or_create(username="bench_manager")
    Membership.objects.get_or_create(user=user, project=project, defaults={"role": "manager"})
    return user


def time_saves(project, user, saves: int) -> list[float]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    actions = list(
        Action.objects.filter(project=project)
        .exclude(status__in=["done", "cancelled"])
        .order_by("pk")
        .values_list("pk", "version")[:saves]
    )
    timings = []
    for pk, version in actions:
        url = reverse("objectives:action-detail", args=[pk])
        page = client.get(url)
        token = page.cookies["csrftoken"].value
        data = {
            "status": "done",
            "comment": "Valmis (bench)",
            "status_date": date.today().isoformat(),
            "expected_version": version,
            "csrfmiddlewaretoken": token,
        }
        started = time.perf_counter()
        response = client.post(url, data)
        timings.append(time.perf_counter() - started)
        if response.status_code != 302:
            sys.exit(f"save of action {pk} answered {response.status_code}")
    return timings


def time_worker(project) -> float:
    started = time.perf_counter()
    status_recompute_projects(project_ids=[project.pk], today=timezone.localdate())
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    project = ensure_hanke(args)
    print(f"hanke {project.pk}: {Action.objects.filter(project=project).count()} actions")
    print(f"first computation of its lights: {time_worker(project):.2f} s")
    timings = sorted(time_saves(project, manager_of(project), args.saves))
    ms = [t * 1000 for t in timings]
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(
        f"{len(ms)} status saves: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {ms[-1]:.0f} ms"
    )
    print(f"the worker's recomputation after them: {time_worker(project):.2f} s")


if __name__ == "__main__":
    main()
