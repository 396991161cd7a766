"""A view's call of a write service for a valid form, and what came of it.

Services raise ValidationError for a refused write (its messages belong on the form) and
an app's ConflictError, carrying the row as saved meanwhile (`.current`, None when it was
deleted meanwhile), for a stale `expected_version`. Views showed both the same way, so
they share this one call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404

from .forms import add_service_errors

T = TypeVar("T")


def form_save(
    form, save: Callable[[], T], conflict: type[Exception] | tuple[()] = ()
) -> tuple[T | None, Any]:
    """Run `save()`: (its result, None) when it saved; (None, None) when it was refused
    (the ValidationError's messages are on `form`); (None, the current row) when it raised
    `conflict`, someone having changed the row since the form was read; 404 when someone
    deleted it."""
    try:
        return save(), None
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, None
    except conflict as exc:
        if exc.current is None:
            raise Http404 from None
        return None, exc.current
