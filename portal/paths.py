"""The address of an object's page by URL name and id, for lists that link every row.

`reverse()` walks the URL resolver each time (about a hundred Python calls); a list of
25 rows with two links each, or a dashboard's reasons naming 400 items, pays that per link.
For a URL whose only argument is an integer id, the address is the same text around the
id, so it is reversed once per URL configuration, script prefix and name, and the id is
put in as digits (an int needs no escaping). Anything else goes through `reverse()`.
"""

from __future__ import annotations

from django.urls import get_script_prefix
from django.urls import get_urlconf
from django.urls import reverse

_SENTINEL = 987654321  # an id no URL pattern treats specially, cut out of the reversed text
_parts: dict[tuple, tuple[str, str]] = {}


def path_parts(name: str) -> tuple[str, str]:
    """The text before and after the id in the address of URL `name` (one integer id), for
    a list that links many items of one kind: `f"{before}{pk}{after}"`."""
    key = (get_urlconf(), get_script_prefix(), name)
    parts = _parts.get(key)
    if parts is None:
        before, _, after = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
        parts = _parts[key] = (before, after)
    return parts


def object_path(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a URL that takes one integer id."""
    if not isinstance(pk, int) or isinstance(pk, bool):
        return reverse(name, args=[pk])
    before, after = path_parts(name)
    return f"{before}{pk}{after}"
