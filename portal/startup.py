"""Run Django commands so that bad configuration ends in one readable line, not a traceback.

A new user who mistypes `DATABASE_URL` or starts the portal while PostgreSQL is down should
see what is wrong and what to do, in one line on stderr, and a non-zero exit code.
"""

from __future__ import annotations

import sys


def run_with_clear_errors(argv: list[str]) -> None:
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        _fail(f"Configuration error: {exc}")
    except Exception as exc:  # noqa: BLE001 - only database connection failures are rewritten
        from django.db import OperationalError

        if isinstance(exc, OperationalError):
            _fail(
                f"Database unreachable: {_first_line(exc)} "
                "(check DATABASE_URL and that the server runs)"
            )
        raise


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _fail(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(2)
