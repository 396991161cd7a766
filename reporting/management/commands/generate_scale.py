"""`python manage.py generate_scale --regions 22 --seed 1`: national-scale synthetic data.

Prints the rows created per model and the elapsed seconds. Refuses when synthetic data exist
unless `--replace` is given (see `reporting.demo.scale.scale_generate` for the contract).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from reporting.demo.scale import scale_generate


class Command(BaseCommand):
    help = "Generate deterministic synthetic regions, hankkeet, actions, indicators and users."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--regions", type=int, required=True)
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier synthetic data first."
        )
        parser.add_argument("--actions", type=int, default=500, help="Actions per region.")
        parser.add_argument("--indicators", type=int, default=100, help="Indicators per region.")
        parser.add_argument(
            "--measurements", type=int, default=60, help="Monthly measurements per indicator."
        )
        parser.add_argument("--users", type=int, default=200, help="Users in total.")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            counts = scale_generate(
                regions=options["regions"],
                seed=options["seed"],
                actions_per_region=options["actions"],
                indicators_per_region=options["indicators"],
                measurements_per_indicator=options["measurements"],
                users=options["users"],
                replace=options["replace"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        width = max((len(label) for label in counts), default=0)
        for label, count in counts.items():
            self.stdout.write(f"{label:<{width}}  {count:>9}")
        self.stdout.write(f"{'total':<{width}}  {sum(counts.values()):>9}")
        self.stdout.write(f"Elapsed: {elapsed:.2f} s")
