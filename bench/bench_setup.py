"""What the benchmark scripts run from the command line share: Django set up against a
dedicated database, never the SQLite default (`python bench/x.py` puts this folder on
sys.path, so the scripts import this module by its plain name)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, database: str = "portal_bench", redis_because: str = "") -> None:
    """Set Django up on DATABASE_URL (exits naming `database` as the example when it is
    unset); `redis_because` says why REDIS_URL is needed too (exits when it is unset)."""
    if not os.environ.get("DATABASE_URL", "").strip():
        sys.exit(f"Set DATABASE_URL to a dedicated database (e.g. .../{database}), not SQLite.")
    if redis_because and not os.environ.get("REDIS_URL", "").strip():
        sys.exit(f"Set REDIS_URL: {redis_because}")
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def print_machine() -> None:
    """The first line of every report: processor, CPUs, Python and the database measured."""
    import platform

    from django.db import connection

    print(f"machine: processor={platform.processor() or platform.machine()!r}", end=" ")
    print(f"cpu_count={os.cpu_count()} python={platform.python_version()}", end=" ")
    print(f"database={connection.vendor}:{connection.settings_dict['NAME']}")


def options(args, *names: str) -> dict:
    """The command-line options `names` (an argparse namespace's) as keyword arguments of
    the same names, for a function whose parameters the options are named after."""
    return {name: getattr(args, name) for name in names}
