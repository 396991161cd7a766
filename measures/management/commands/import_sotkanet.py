"""`python manage.py import_sotkanet --indicator PK --years 2021 2022 [--file data.json|.csv]`.

Runs the import synchronously (no Celery) and prints the counts. The operator is the
permission check; `--user` names the person recorded as having entered the values.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from measures.models import Indicator
from measures.sotkanet import ImportResult
from measures.sotkanet import SotkanetError
from measures.sotkanet import sotkanet_file_import
from measures.sotkanet import sotkanet_import


class Command(BaseCommand):
    help = "Import an indicator's yearly values from Sotkanet (THL), or from a Sotkanet file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--indicator", type=int, required=True, help="indicator id (pk)")
        parser.add_argument("--years", type=int, nargs="+", help="years, e.g. 2021 2022 2023")
        parser.add_argument(
            "--file", type=Path, help="a Sotkanet .json or ;-separated .csv file instead of the API"
        )
        parser.add_argument("--user", help="username recorded as the one who imported")

    def handle(self, *args, indicator: int, years, file: Path | None, user, **options) -> None:
        target = _indicator(indicator)
        actor = _actor(user)
        if file is None and not years:
            raise CommandError(_("Give --years (e.g. --years 2021 2022 2023) or --file."))
        try:
            if file is None:
                result = sotkanet_import(indicator=target, years=years, actor=actor)
            else:
                result = sotkanet_file_import(
                    indicator=target,
                    uploaded_text=_read(file),
                    filename=file.name,
                    actor=actor,
                    years=years,
                )
        except SotkanetError as exc:
            raise CommandError(str(exc)) from None
        self._report(target, result)

    def _report(self, indicator: Indicator, result: ImportResult) -> None:
        if result.errors:
            raise CommandError("\n".join([result.summary(), *result.errors]))
        self.stdout.write(f"{indicator.code}: {result.summary()}")


def _indicator(pk: int) -> Indicator:
    indicator = (
        Indicator.objects.select_related("project__region", "project__programme")
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise CommandError(_("No indicator with id %(id)s.") % {"id": pk})
    return indicator


def _actor(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user named %(name)s.") % {"name": username})
    return user


def _read(path: Path) -> bytes:
    """The file's bytes; measures.sotkanet reads them as any upload (portal.uploads)."""
    try:
        with path.open("rb") as file:
            return file.read(settings.SOTKANET_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from None
