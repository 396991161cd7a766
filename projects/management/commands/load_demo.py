"""`python manage.py load_demo`: load (or refresh) the demo regions, hankkeet and users."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.demo import DemoDataError, demo_load


class Command(BaseCommand):
    help = "Load the demo data from the seed plans (idempotent: a rerun changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data-dir", type=Path, default=settings.DEMO_DATA_DIR)
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Do not create the demo users (they share a published password).",
        )

    def handle(self, *args, data_dir: Path, no_users: bool, **options) -> None:
        with_users = not no_users
        if with_users and not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo users with a published password while DEBUG is off; "
                "use --no-users."
            )
        try:
            report = demo_load(data_dir=data_dir, with_users=with_users)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(report.summary())
