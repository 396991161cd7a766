"""What every upload is checked for, whatever its format: the limits, the refusal with its
message, NUL bytes, decoding and the separator (portal.uploads describes the whole)."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace

from django.conf import settings
from django.utils.translation import gettext as _

BOM = b"\xef\xbb\xbf"
SEPARATORS = ",;\t"
BINARY_PROBE = 4096  # a NUL byte this early means a binary file, not text with a stray NUL


class UploadRejected(ValueError):
    """The file cannot be read; the message is for the person who uploaded it."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.code = code

    @property
    def message(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int  # records after the header
    max_columns: int
    max_cells: int  # rows × columns as the rows list them: what bounds a worker's memory
    max_cell_chars: int
    max_unpacked_bytes: int
    max_compression_ratio: int
    max_json_depth: int

    @classmethod
    def from_settings(cls, *, max_bytes: int, max_rows: int, **overrides: int) -> Limits:
        """The upload's own size and rows; every other limit is its setting `UPLOAD_<NAME>`
        (`max_cells`: UPLOAD_MAX_CELLS) unless `overrides` gives it."""
        own = {"max_bytes": max_bytes, "max_rows": max_rows}
        shared = {
            f.name: getattr(settings, f"UPLOAD_{f.name.upper()}")
            for f in fields(cls)
            if f.name not in own
        }
        return replace(cls(**own, **shared), **overrides)


@dataclass
class Table:
    rows: list[list[str]]  # every record of the file, header included, cells as text
    numbers: list[int]  # each record's row number in the file (the first row is 1)
    notes: list[str] = field(default_factory=list)  # what the reader decided, for the preview


def megabytes(size: int) -> int:
    return max(size // 1_000_000, 1)


# --- Checks shared by every format -----------------------------------------------------------


def check_size(content: bytes, limits: Limits) -> None:
    if len(content) > limits.max_bytes:
        raise UploadRejected(
            _("The file is larger than %(size)s MB.") % {"size": megabytes(limits.max_bytes)},
            "size",
        )
    if not content.removeprefix(BOM).strip():  # nothing, or only a BOM and blank lines
        raise UploadRejected(_("The file is empty."), "empty")


def check_no_nul(content: bytes) -> None:
    position = content.find(b"\x00")
    if position < 0:
        return
    if position < BINARY_PROBE:
        raise UploadRejected(_("The file is not a CSV text file."), "binary")
    row = content.count(b"\n", 0, position) + 1
    raise UploadRejected(
        _(
            "The file contains a NUL character (byte 0) on row %(row)s, which text never "
            "has: save it again as CSV text."
        )
        % {"row": row},
        "nul",
    )


def decode(content: bytes) -> tuple[str, list[str]]:
    """The text and a note when it was not UTF-8."""
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise UploadRejected(
            _("The file's character encoding is not recognised: save it as CSV (UTF-8)."),
            "encoding",
        ) from None
    return text, [_("The file was read as Windows-1252 text (not UTF-8).")]


def sniff_separator(text: str, candidates: str = SEPARATORS) -> str:
    """The most frequent candidate on the first non-blank line (the first one on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(candidates, key=first.count)


def too_many_rows(limits: Limits) -> UploadRejected:
    return UploadRejected(
        _("The file has more than %(count)s rows.") % {"count": limits.max_rows}, "rows"
    )


def check_width(count: int, number: int, limits: Limits) -> None:
    if count > limits.max_columns:
        raise UploadRejected(
            _("The file has more than %(count)s columns (row %(row)s has %(found)s).")
            % {"count": limits.max_columns, "row": number, "found": count},
            "columns",
        )


def check_cells(count: int, limits: Limits) -> None:
    if count > limits.max_cells:
        raise UploadRejected(
            _("The file has more than %(count)s cells; split it into smaller files.")
            % {"count": limits.max_cells},
            "cells",
        )


def check_row(cells: Sequence[str], number: int, limits: Limits) -> None:
    check_width(len(cells), number, limits)
    if cells and max(map(len, cells)) > limits.max_cell_chars:
        raise cell_too_long(number, limits)


def cell_too_long(row: int, limits: Limits) -> UploadRejected:
    return UploadRejected(
        _("Row %(row)s has a cell longer than %(count)s characters.")
        % {"row": row, "count": limits.max_cell_chars},
        "cell",
    )


def collect(records: Iterator[list[str]], limits: Limits) -> Table:
    """Records checked one at a time, stopping at the first over a limit."""
    rows: list[list[str]] = []
    total = 0
    for number, cells in enumerate(records, start=1):
        if number > limits.max_rows + 1:  # the header and max_rows rows
            raise too_many_rows(limits)
        check_row(cells, number, limits)
        total += len(cells)
        check_cells(total, limits)
        rows.append(cells)
    return Table(rows=rows, numbers=list(range(1, len(rows) + 1)))
