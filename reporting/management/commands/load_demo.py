"""`python manage.py load_demo`: load (or refresh) the demo regions, hankkeet and users."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import transaction

from measures.services import generated_values_remove
from reporting.demo.loader import DemoDataError
from reporting.demo.loader import demo_load
from reporting.demo.loader import generated_values_wanted


class Command(BaseCommand):
    help = "Load the demo data from the seed plans (idempotent: a rerun changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data-dir", type=Path, default=settings.DEMO_DATA_DIR)
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Do not create the demo users (they share a published password).",
        )
        generated = parser.add_mutually_exclusive_group()
        generated.add_argument(
            "--without-generated",
            dest="with_generated",
            action="store_false",
            default=None,
            help="Load only the plans' own figures: generate no indicator values, and delete "
            "the generated ones (source 'demo') an earlier load stored. "
            "Default: the setting DEMO_GENERATED_VALUES (env var, 1).",
        )
        generated.add_argument(
            "--with-generated",
            dest="with_generated",
            action="store_true",
            help="Generate values for the indicators the plans give none for (source 'demo', "
            "marked 'demo, generated' wherever shown), whatever DEMO_GENERATED_VALUES says.",
        )

    def handle(
        self, *args, data_dir: Path, no_users: bool, with_generated: bool | None, **options
    ) -> None:
        with_users = not no_users
        if with_users and not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo users with a published password while DEBUG is off; "
                "use --no-users."
            )
        with_generated = generated_values_wanted(with_generated)
        try:
            with transaction.atomic():
                report = demo_load(
                    data_dir=data_dir, with_users=with_users, with_generated=with_generated
                )
                removed = None if with_generated else generated_values_remove(actor=None)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(report.summary())
        if removed is not None:
            self.stdout.write(
                f"Without generated values: {removed.measurements} generated values removed "
                f"from {len(removed.project_ids)} hankkeet."
            )
