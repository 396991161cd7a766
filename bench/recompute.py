"""Benchmark the status engine at national scale: `status_recompute_all` run three times.

Usage (from the repository root, against a dedicated, migrated database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        .venv/bin/python bench/recompute.py --regions 22 --seed 1

Generates the synthetic data set with `reporting.demo.scale.scale_generate` when the database does
not hold exactly `--regions` synthetic regions (replacing any other synthetic set), then times
`measures.status_engine.status_recompute_all(today=date(2025, 6, 30))` `--runs` times, counting
the queries of each run with `CaptureQueriesContext`, and prints one table row per run.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from bench_setup import print_machine
from bench_setup import setup_django

# A script, not a module: Django is set up before the models below are imported (E402).
setup_django()

from django.db import connection  # noqa: E402
from django.db import reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from measures.models import CurrentLight  # noqa: E402
from measures.models import Indicator  # noqa: E402
from measures.models import Measurement  # noqa: E402
from measures.status_engine import status_recompute_all  # noqa: E402
from objectives.models import Action  # noqa: E402
from objectives.models import ProcessGoal  # noqa: E402
from projects.models import Project  # noqa: E402
from reporting.demo.scale import scale_generate  # noqa: E402
from reporting.demo.scale import synthetic_regions  # noqa: E402

TODAY = date(2025, 6, 30)


@dataclass
class RunResult:
    run: int
    seconds: float
    queries: int
    result: str


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=22)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--actions", type=int, default=500, help="actions per region")
    parser.add_argument("--indicators", type=int, default=100, help="indicators per region")
    parser.add_argument("--measurements", type=int, default=60, help="per indicator")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--nights",
        type=int,
        default=0,
        help="first run the nightly recomputation this many times, one day apart, ending on "
        "the day before the timed runs (a year of service: 365)",
    )
    return parser.parse_args(argv)


def run_nights(nights: int) -> str:
    """The nightly recomputation `nights` times with the clock moved back (the date option),
    as a portal that has been in service that long would have run it."""

    started = time.perf_counter()
    counts = []
    for back in range(nights, 0, -1):
        status_recompute_all(today=TODAY - timedelta(days=back))
        reset_queries()  # DEBUG's query log would hide the timed runs' queries
        counts.append(CurrentLight.objects.count())
    elapsed = time.perf_counter() - started
    return (
        f"{nights} nightly runs in {elapsed:.0f} s; current-state rows after the first: "
        f"{counts[0]}, after the last: {counts[-1]} (one per object)"
    )


def ensure_data(args: argparse.Namespace) -> str:
    """Reuse a synthetic set of the right size, or generate one (replacing another size)."""
    found = synthetic_regions().count()
    if found == args.regions:
        return f"reusing {found} synthetic regions already in the database"
    started = time.perf_counter()
    counts = scale_generate(
        regions=args.regions,
        seed=args.seed,
        actions_per_region=args.actions,
        indicators_per_region=args.indicators,
        measurements_per_indicator=args.measurements,
        users=args.users,
        replace=found > 0,
    )
    elapsed = time.perf_counter() - started
    return f"generated {sum(counts.values())} rows in {elapsed:.1f} s: {counts}"


def time_runs(runs: int) -> list[RunResult]:
    results = []
    for run in range(1, runs + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = status_recompute_all(today=TODAY)
            seconds = time.perf_counter() - started
        results.append(RunResult(run, seconds, len(captured.captured_queries), repr(result)))
    return results


def data_set_summary() -> str:
    models = [Project, ProcessGoal, Action, Indicator, Measurement]
    return ", ".join(f"{m._meta.label}: {m.objects.count()}" for m in models)


def print_report(results: list[RunResult]) -> None:
    print_machine()
    print(f"data: {data_set_summary()}")
    print(f"status_recompute_all(today={TODAY.isoformat()})")
    print(f"{'run':>3}  {'seconds':>8}  {'queries':>7}  rows written (repr of the result)")
    for row in results:
        capped = "+" if row.queries >= connection.queries_limit else ""
        print(f"{row.run:>3}  {row.seconds:>8.2f}  {row.queries:>6}{capped:1}  {row.result}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(ensure_data(args))
    if args.nights:
        print(run_nights(args.nights))
    print_report(time_runs(args.runs))


if __name__ == "__main__":
    main()
