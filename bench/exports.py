"""Benchmark exporting 10 000 actions: the national extract and a hanke's regional report.

Usage (from the repository root, against a dedicated, migrated database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        .venv/bin/python bench/exports.py --layout national
    DATABASE_URL=… .venv/bin/python bench/exports.py --layout regional

`--layout national` generates 20 synthetic hankkeet of 500 actions each (and
`--indicators` indicators per hanke with `--measurements` values each), opens a reporting
round with its cut-off at 2025-06-30, and times the national extract as an export job
(`reporting.exports.services.export_job_run`: read, write, store the file in the job row) as
XLSX and as the CSV of each table. `--layout regional` generates one hanke of 10 000
actions and times its regional report the same way (XLSX, CSV of actions). The data set is
generated with `reporting.demo.scale.scale_generate` unless the database already holds it, and
lights are recomputed once (the regional report reads the stored ones). Every export runs
`--runs` times; the script prints one row per run: wall seconds, this process's CPU
seconds (a steadier figure on a shared machine), queries, rows and file size.
The target (issue #7): every export of 10 000 actions under 20 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import date

from bench_setup import print_machine
from bench_setup import setup_django

# A script, not a module: Django is set up before the models below are imported (E402).
setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from measures.models import Indicator  # noqa: E402
from measures.models import Measurement  # noqa: E402
from measures.status_engine import status_recompute_projects  # noqa: E402
from objectives.models import Action  # noqa: E402
from objectives.models import ReportingPeriod  # noqa: E402
from portal.models import Job  # noqa: E402
from projects.models import Programme  # noqa: E402
from projects.models import ProgrammeRole  # noqa: E402
from projects.models import Project  # noqa: E402
from reporting.demo.scale import PROGRAMME_NAME  # noqa: E402
from reporting.demo.scale import scale_generate  # noqa: E402
from reporting.demo.scale import synthetic_regions  # noqa: E402
from reporting.exports.services import ExportOptions  # noqa: E402
from reporting.exports.services import export_job_run  # noqa: E402

CUT_OFF = date(2025, 6, 30)
LAYOUTS = {"national": (20, 500), "regional": (1, 10_000)}  # regions, actions per region
BENCH_USER = "bench_export_viewer"


@dataclass
class RunResult:
    export: str
    run: int
    seconds: float
    cpu: float  # this process only (the database's own work is not in it)
    queries: int
    rows: int
    kilobytes: float


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--indicators", type=int, default=10, help="indicators per hanke")
    parser.add_argument("--measurements", type=int, default=12, help="values per indicator")
    return parser.parse_args(argv)


def ensure_data(args: argparse.Namespace) -> str:
    """Reuse a synthetic set of the layout's shape, or generate one (replacing another)."""
    regions, actions = LAYOUTS[args.layout]
    found = synthetic_regions().count()
    synthetic_actions = Action.objects.filter(project__region__in=synthetic_regions()).count()
    if found == regions and synthetic_actions == regions * actions:
        return f"reusing {found} synthetic regions with {synthetic_actions} actions"
    started = time.perf_counter()
    counts = scale_generate(
        regions=regions,
        seed=args.seed,
        actions_per_region=actions,
        indicators_per_region=args.indicators,
        measurements_per_indicator=args.measurements,
        users=0,
        replace=found > 0,
    )
    ids = list(Project.objects.filter(region__in=synthetic_regions()).values_list("pk", flat=True))
    status_recompute_projects(project_ids=ids, today=CUT_OFF)
    elapsed = time.perf_counter() - started
    return f"generated {sum(counts.values())} rows and their lights in {elapsed:.1f} s"


def _viewer():
    user, _created = get_user_model().objects.get_or_create(username=BENCH_USER)
    ProgrammeRole.objects.get_or_create(user=user, role="viewer")
    return get_user_model().objects.get(pk=user.pk)


def _period():
    programme = Programme.objects.get(name_fi=PROGRAMME_NAME)
    period, _created = ReportingPeriod.objects.get_or_create(
        programme=programme,
        name="Benchmark 6/2025",
        defaults={"cut_off": CUT_OFF, "due_date": date(2025, 7, 31)},
    )
    return period


def exports(layout: str) -> list[tuple[str, dict]]:
    """(label, the job's kind, subject and options) for each export of the layout."""
    if layout == "national":
        period = _period()
        return [
            (label, {"kind": "national", "period": period, "options": options})
            for label, options in (
                ("national XLSX (3 sheets)", ExportOptions(format="xlsx")),
                ("national CSV actions", ExportOptions(format="csv", table="actions")),
                ("national CSV measurements", ExportOptions(format="csv", table="measurements")),
            )
        ]
    project = Project.objects.select_related("region").get(region__in=synthetic_regions())
    return [
        (label, {"kind": "regional", "project": project, "options": options})
        for label, options in (
            ("regional XLSX (5 sheets)", ExportOptions(format="xlsx")),
            (
                "regional CSV actions (;)",
                ExportOptions(format="csv", table="actions", semicolon=True, bom=True),
            ),
        )
    ]


def time_runs(layout: str, runs: int) -> list[RunResult]:
    user = _viewer()
    results = []
    for label, keywords in exports(layout):
        for run in range(1, runs + 1):
            # The row as export_job_start writes it, without queueing: the run is timed here.
            period = keywords.get("period")
            job = Job.objects.create(
                owner=user,
                kind=keywords["kind"],
                project=keywords.get("project"),
                parameters={
                    **keywords["options"].as_json(),
                    **({"period": period.pk} if period else {}),
                },
                language="en",
            )
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                summary = export_job_run(job_id=job.pk)
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
            job.refresh_from_db()
            if summary["status"] != "done":
                sys.exit(f"{label}: {job.status} {job.message}")
            results.append(
                RunResult(
                    label,
                    run,
                    seconds,
                    cpu,
                    len(captured.captured_queries),
                    job.progress_total,
                    len(job.content) / 1024,
                )
            )
            Job.objects.filter(pk=job.pk).delete()
    return results


def data_set_summary() -> str:
    models = [Project, Action, Indicator, Measurement]
    return ", ".join(f"{m._meta.label}: {m.objects.count()}" for m in models)


def print_report(results: list[RunResult]) -> None:
    print_machine()
    print(f"data: {data_set_summary()}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load}")
    header = f"{'export':<28} {'run':>3}  {'seconds':>8}  {'cpu s':>6}  {'queries':>7}"
    print(f"{header}  {'rows':>7}  {'kB':>8}")
    for r in results:
        print(
            f"{r.export:<28} {r.run:>3}  {r.seconds:>8.2f}  {r.cpu:>6.2f}  {r.queries:>7}"
            f"  {r.rows:>7}  {r.kilobytes:>8.0f}"
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(ensure_data(args))
    print_report(time_runs(args.layout, args.runs))


if __name__ == "__main__":
    main()
