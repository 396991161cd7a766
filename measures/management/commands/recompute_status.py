"""`python manage.py recompute_status [--region CODE] [--date YYYY-MM-DD]`."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone

from measures.status_engine import status_recompute_all
from projects.models import Region


class Command(BaseCommand):
    help = "Recompute every traffic light now (what the nightly task does), optionally one region."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region", help="region code, e.g. 13 for Keski-Suomi")
        parser.add_argument("--date", type=date.fromisoformat, help="compute as of this day")

    def handle(self, *args, region: str | None, date: date | None, **options) -> None:
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"No region with code {region!r}.")
        started = time.perf_counter()
        report = status_recompute_all(today=date or timezone.localdate(), region_code=region)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Recomputed {report.projects} hankkeet, {report.indicators} indicators, "
            f"{report.rollups} lights in {elapsed:.1f} s; hanke lights: {report.lights}"
        )
