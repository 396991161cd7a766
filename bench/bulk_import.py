"""Benchmark export and import of 10 000 actions of one hanke (the regional report's CSV).

Usage (from the repository root, against a dedicated database; it is migrated first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        .venv/bin/python bench/bulk_import.py --actions 10000

Steps, each timed with `time.perf_counter()` (setup is not timed):
1. setup: a hanke of its own (short name "bench-import", replaced on every run) with 20
   work packages and `--actions` actions (bulk-created; mixed statuses and dates) and a
   project manager;
2. export: `project_report` + `report_csv(…, "actions")` (the existing exporter), and the
   whole XLSX workbook for comparison;
3. import of new rows: the actions are deleted, then the exported CSV is imported through
   the real path (`import_job_create` → `import_job_map` (dry run) → `import_job_confirm`,
   i.e. `objectives.services.actions_import` with permission checks and history): every row
   is new;
4. import of the same file again: every row unchanged (the dry run only);
5. import of changed rows: every title edited in the file: every row changed.
The dry run and the confirmed import run inline here (IMPORT_SYNC_ROWS is raised), so the
figures are the work itself, not a Celery queue's latency; the lights' recomputation that
an import queues is not run (a worker does it afterwards, as after any edit).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from datetime import timedelta
from pathlib import Path

import bench_setup
from bench_setup import print_machine

# Python puts this script's folder first on sys.path, where this file's name would shadow the
# django-import-export package (`import_export`): take it out. A script, not a module: Django
# is set up before the models below are imported (E402).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
bench_setup.setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from objectives.models import Action  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from projects.models import Membership  # noqa: E402
from projects.models import Organisation  # noqa: E402
from projects.models import Programme  # noqa: E402
from projects.models import Project  # noqa: E402
from projects.models import Region  # noqa: E402
from projects.models import WorkPackage  # noqa: E402
from reporting.exports.tables import project_report  # noqa: E402
from reporting.exports.tables import report_csv  # noqa: E402
from reporting.exports.tables import report_xlsx  # noqa: E402
from reporting.imports.services import import_job_confirm  # noqa: E402
from reporting.imports.services import import_job_create  # noqa: E402
from reporting.imports.services import import_job_map  # noqa: E402

SHORT_NAME = "bench-import"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--packages", type=int, default=20)
    return parser.parse_args(argv)


def prepare() -> None:
    """Migrate, run the dry run and the import inline, and leave the lights' recomputation
    queued (not timed): in production a worker does it after the import, as after any edit."""
    call_command("migrate", verbosity=0)
    settings.IMPORT_SYNC_ROWS = 10**9
    # No REDIS_URL: the in-memory broker takes the task and nothing runs it.
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False)
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, 10**6)
    settings.IMPORT_MAX_UPLOAD_BYTES = max(settings.IMPORT_MAX_UPLOAD_BYTES, 10**9)


def build_hanke(actions: int, packages: int):
    """A fresh hanke with `actions` actions and its manager (bulk-created: not timed)."""
    Project.objects.filter(short_name=SHORT_NAME).delete()
    programme, _created = Programme.objects.get_or_create(
        name_fi="Benchmark-ohjelma",
        defaults={"start_date": date(2020, 1, 1), "end_date": date(2025, 12, 31)},
    )
    region, _created = Region.objects.get_or_create(code="B01", defaults={"name_fi": "Benchland"})
    organisation, _created = Organisation.objects.get_or_create(
        name_fi="Benchmark-organisaatio", defaults={"kind": "wellbeing_county"}
    )
    project = Project.objects.create(
        programme=programme,
        region=region,
        name_fi="Tuonnin benchmark-hanke",
        short_name=SHORT_NAME,
        coordinator=organisation,
        start_date=date(2022, 1, 1),
        end_date=date(2025, 12, 31),
    )
    manager, _created = get_user_model().objects.get_or_create(username="bench.import.manager")
    Membership.objects.filter(user=manager).delete()
    Membership.objects.create(user=manager, project=project, role="manager")
    wps = WorkPackage.objects.bulk_create(
        WorkPackage(project=project, code=f"TP{n}", name_fi=f"Työpaketti {n}", order=n)
        for n in range(1, packages + 1)
    )
    statuses = ["not_started", "starting", "in_progress", "done"]
    start = date(2022, 1, 1)
    Action.objects.bulk_create(
        (
            Action(
                project=project,
                work_package=wps[n % packages],
                number=f"{n % packages + 1}.{n // packages + 1}",
                title_fi=f"Toimenpide {n}: palveluketjun kehittäminen ja käyttöönotto",
                schedule_text=f"{n % 12 + 1}/2022–12/2024",
                planned_start=start + timedelta(days=n % 365),
                planned_end=start + timedelta(days=365 + n % 700),
                status=statuses[n % len(statuses)],
                order=n,
            )
            for n in range(actions)
        ),
        batch_size=2000,
    )
    return project, manager


def timed(label: str, results: list, function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    results.append((label, time.perf_counter() - started))
    return value


def run_import(project, manager, content: bytes, results: list, label: str):
    started = time.perf_counter()
    job = import_job_create(
        project=project, actor=manager, kind="actions", name="bench.csv", content=content
    )
    job = import_job_map(job=job, actor=manager, mapping=job.upload.mapping)
    checked = time.perf_counter()
    counts = job.upload.preview["counts"]
    if counts["new"] or counts["changed"]:
        job = import_job_confirm(job=job, actor=manager)
        if job.status != "done":
            sys.exit(f"import failed: {job.status} {job.message}")
    done = time.perf_counter()
    results.append((f"{label}: read + dry run", checked - started))
    results.append((f"{label}: confirmed import", done - checked))
    results.append((f"{label}: total", done - started))
    return counts


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    prepare()
    translation.activate("fi")
    project, manager = build_hanke(args.actions, args.packages)
    results: list[tuple[str, float]] = []

    def export_csv() -> bytes:
        return report_csv(project_report(project=project, user=manager), "actions")

    def export_xlsx() -> bytes:
        return report_xlsx(project_report(project=project, user=manager))

    content = timed("export: actions CSV", results, export_csv)
    timed("export: whole XLSX workbook", results, export_xlsx)
    Action.objects.filter(project=project).delete()
    counts = [run_import(project, manager, content, results, "import, all rows new")]
    counts.append(run_import(project, manager, content, results, "import, all unchanged"))
    changed = content.replace(b"palveluketjun kehitt", b"palveluketjujen kehitt")
    counts.append(run_import(project, manager, changed, results, "import, all rows changed"))

    print_machine()
    print(f"actions: {args.actions} in {args.packages} work packages; CSV {len(content)} bytes")
    print("previews:", "; ".join(str(c) for c in counts))
    print(f"| {'step':<45} | {'seconds':>7} |")
    print(f"|{'-' * 47}|{'-' * 8}:|")
    for label, seconds in results:
        print(f"| {label:<45} | {seconds:>7.2f} |")


if __name__ == "__main__":
    main()
