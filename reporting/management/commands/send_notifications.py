"""`python manage.py send_notifications [reminders|digest|all] [--date YYYY-MM-DD]`."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from reporting.notifications.services import round_reminders_send
from reporting.notifications.services import weekly_digest_send


class Command(BaseCommand):
    help = (
        "Send the reporting-round reminders and/or the weekly digest now (what Celery beat "
        "runs). Safe to repeat: an e-mail already sent for the same reason is skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "kind", nargs="?", default="all", choices=["reminders", "digest", "all"]
        )
        parser.add_argument("--date", type=date.fromisoformat, help="run as of this day")

    def handle(self, *args, kind: str, date: date | None, **options) -> None:
        today = date or timezone.localdate()
        if kind in ("reminders", "all"):
            report = round_reminders_send(today=today)
            self.stdout.write(f"Round reminders: {report.as_dict()}")
        if kind in ("digest", "all"):
            report = weekly_digest_send(today=today)
            self.stdout.write(f"Weekly digest: {report.as_dict()}")
