"""CSV and JSON uploads, read within the limits (portal.uploads describes the whole)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from django.utils.translation import gettext as _

from .checks import SEPARATORS
from .checks import Limits
from .checks import Table
from .checks import UploadRejected
from .checks import cell_too_long
from .checks import check_no_nul
from .checks import check_size
from .checks import collect
from .checks import decode
from .checks import sniff_separator


def read_csv(content: bytes, limits: Limits, *, separators: str = SEPARATORS) -> Table:
    check_size(content, limits)
    check_no_nul(content)
    text, notes = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text, separators))
    try:
        table = collect(reader, limits)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own cap, 131 072 characters
            raise cell_too_long(reader.line_num, limits) from None
        raise UploadRejected(
            _("The CSV file is malformed: %(error)s") % {"error": exc}, "malformed"
        ) from None
    table.notes = notes
    return table


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_JSON_NUL = re.compile(r"\\u0000", re.IGNORECASE)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (no recursion, stops early)."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            return True
    return False


def read_json(content: bytes | str, limits: Limits) -> Any:
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    check_size(content, limits)
    if b"\x00" in content:
        raise UploadRejected(_("The file contains a NUL character (byte 0)."), "nul")
    text, _notes = decode(content)
    if json_depth_exceeds(text, limits.max_json_depth):
        raise UploadRejected(
            _("The JSON file is nested more than %(depth)s levels deep.")
            % {"depth": limits.max_json_depth},
            "depth",
        )
    if _JSON_NUL.search(text):
        raise UploadRejected(_("The file contains a NUL character (\\u0000)."), "nul")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UploadRejected(
            _("The file is not valid JSON (%(error)s).") % {"error": exc}, "malformed"
        ) from None
