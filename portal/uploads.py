"""One reader for every file a user uploads: bulk import, finance import, Sotkanet file.

Contract (the limits and the memory bound are in docs/uploads.md):
- `read_csv(content, limits)` and `read_xlsx(content, limits, sheet_score=)` turn the bytes
  into a `Table` of text cells, `read_json(content, limits)` into Python data. Anything they
  cannot or must not read raises `UploadRejected` with a message in the active language
  (already rendered, never lazy) and a `code` callers may present differently.
- Limits (`Limits.from_settings`, settings `UPLOAD_*` and each upload's own size and rows):
  the file's size, rows (as the file lists them, blank ones included), columns, characters
  in one cell, and for an XLSX the unpacked size and compression ratio of its zip members,
  checked from the zip's directory before anything is unpacked. Rows and cells are checked
  while streaming, so reading stops at the first one over a limit.
- NUL characters are refused anywhere (PostgreSQL's jsonb refuses them), JSON nested deeper
  than `max_json_depth` is refused before it is parsed (no RecursionError).
- CSV text is UTF-8 (with or without a BOM), else Windows-1252 (what Excel writes in
  Finland, with a note saying so); the separator is the most frequent of `,` `;` and tab on
  the first non-blank line.
- `SpaceAwareUploadHandler` (settings.FILE_UPLOAD_HANDLERS) drops a file Django cannot write
  to its temporary directory (disk full) instead of failing the request, and
  `upload_failure(request)` gives the message the upload form shows.
Pure of the domain: nothing here imports an app above `portal`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

logger = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"
SEPARATORS = ",;\t"
BINARY_PROBE = 4096  # a NUL byte this early means a binary file, not text with a stray NUL
SMALL_MEMBER = 1_000_000  # zip members below this are not judged by their compression ratio


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
        limits = cls(
            max_bytes=max_bytes,
            max_rows=max_rows,
            max_columns=settings.UPLOAD_MAX_COLUMNS,
            max_cells=settings.UPLOAD_MAX_CELLS,
            max_cell_chars=settings.UPLOAD_MAX_CELL_CHARS,
            max_unpacked_bytes=settings.UPLOAD_MAX_UNPACKED_BYTES,
            max_compression_ratio=settings.UPLOAD_MAX_COMPRESSION_RATIO,
            max_json_depth=settings.UPLOAD_MAX_JSON_DEPTH,
        )
        return replace(limits, **overrides)


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


def _too_many_rows(limits: Limits) -> UploadRejected:
    return UploadRejected(
        _("The file has more than %(count)s rows.") % {"count": limits.max_rows}, "rows"
    )


def _check_width(count: int, number: int, limits: Limits) -> None:
    if count > limits.max_columns:
        raise UploadRejected(
            _("The file has more than %(count)s columns (row %(row)s has %(found)s).")
            % {"count": limits.max_columns, "row": number, "found": count},
            "columns",
        )


def _check_cells(count: int, limits: Limits) -> None:
    if count > limits.max_cells:
        raise UploadRejected(
            _("The file has more than %(count)s cells; split it into smaller files.")
            % {"count": limits.max_cells},
            "cells",
        )


def _check_row(cells: Sequence[str], number: int, limits: Limits) -> None:
    _check_width(len(cells), number, limits)
    if cells and max(map(len, cells)) > limits.max_cell_chars:
        raise _cell_too_long(number, limits)


def _cell_too_long(row: int, limits: Limits) -> UploadRejected:
    return UploadRejected(
        _("Row %(row)s has a cell longer than %(count)s characters.")
        % {"row": row, "count": limits.max_cell_chars},
        "cell",
    )


def _collect(records: Iterator[list[str]], limits: Limits) -> Table:
    """Records checked one at a time, stopping at the first over a limit."""
    rows: list[list[str]] = []
    total = 0
    for number, cells in enumerate(records, start=1):
        if number > limits.max_rows + 1:  # the header and max_rows rows
            raise _too_many_rows(limits)
        _check_row(cells, number, limits)
        total += len(cells)
        _check_cells(total, limits)
        rows.append(cells)
    return Table(rows=rows, numbers=list(range(1, len(rows) + 1)))


# --- CSV -------------------------------------------------------------------------------------


def read_csv(content: bytes, limits: Limits, *, separators: str = SEPARATORS) -> Table:
    check_size(content, limits)
    check_no_nul(content)
    text, notes = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text, separators))
    try:
        table = _collect(reader, limits)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own cap, 131 072 characters
            raise _cell_too_long(reader.line_num, limits) from None
        raise UploadRejected(
            _("The CSV file is malformed: %(error)s") % {"error": exc}, "malformed"
        ) from None
    table.notes = notes
    return table


# --- XLSX ------------------------------------------------------------------------------------


class _Formula(str):
    """A formula cell's text (a text cell that starts with "=" is not one)."""


def check_zip(content: bytes, limits: Limits) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before anything is unpacked.

    zipfile stops every member at its declared size (and fails its CRC check beyond it), so
    a member cannot unpack to more than the directory says."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise UploadRejected(_("The file is not an Excel workbook (XLSX)."), "format")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged() from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise UploadRejected(
            _("The workbook unpacks to more than %(size)s MB, more than a sheet can hold here.")
            % {"size": megabytes(limits.max_unpacked_bytes)},
            "unpacked",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > SMALL_MEMBER and ratio > limits.max_compression_ratio:
            raise UploadRejected(
                _(
                    "The workbook is packed %(ratio)s times smaller than its contents, which "
                    "a real spreadsheet never is; it was not opened."
                )
                % {"ratio": int(ratio)},
                "ratio",
            )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in members:
                if member.filename.startswith("xl/worksheets/"):
                    _prescan_sheet(archive, member, limits)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise _damaged() from None


_ROW_TAG = re.compile(rb"<(?:\w+:)?row(?=[\s>/])([^>]*)")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)""")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c(?=[\s>/])")
_TAIL = 4096  # longer than any row tag with its attributes; kept for the next chunk


def _prescan_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    """Count a sheet's rows and each row's cells in its XML, a megabyte at a time, at the
    speed of a regular expression: what openpyxl would take seconds to find out."""
    state, pending = [0, 0, 0], b""  # the current row's number, its cells, all cells so far
    with archive.open(member) as source:
        while chunk := source.read(1 << 20):
            data = pending + chunk
            end = max(len(data) - _TAIL, 0)
            _scan(data, end, state, limits)
            pending = data[end:]
    _scan(pending, len(pending), state, limits)
    _check_width(state[1], state[0], limits)  # the last row
    _check_cells(state[1] + state[2], limits)


def _scan(data: bytes, end: int, state: list[int], limits: Limits) -> None:
    """Rows and cells that start before `end` (the rest is read again with the next chunk)."""
    row, cells, total = state
    position = 0
    for match in _ROW_TAG.finditer(data):
        if match.start() >= end:
            break
        cells += len(_CELL_TAG.findall(data, position, match.start()))
        _check_width(cells, row, limits)
        total += cells
        _check_cells(total, limits)
        number = _ROW_NUMBER.search(match.group(1))
        row = int(number.group(1)) if number else row + 1
        if row > limits.max_rows + 1:
            raise _too_many_rows(limits)
        cells, position = 0, match.start()
    cells += len(_CELL_TAG.findall(data, position, end))
    state[:] = [row, cells, total]


def _damaged() -> UploadRejected:
    return UploadRejected(_("The Excel file cannot be read; is it damaged?"), "damaged")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else ""
    return str(value)


def _row_values(row: Sequence[Any]) -> list[Any]:
    values = [
        _Formula(cell.value) if getattr(cell, "data_type", None) == "f" else cell.value
        for cell in row
    ]
    while values and values[-1] in (None, ""):  # styled but empty cells at the end
        values.pop()
    return values


def _sheet_rows(ws) -> Iterator[list[Any]]:
    ws.reset_dimensions()  # never pad rows to the width a (hostile) <dimension> declares
    for row in ws.iter_rows():
        yield _row_values(row)


def _formula_error(cells: list[str]) -> UploadRejected:
    shown = ", ".join(cells[:5]) + (" …" if len(cells) > 5 else "")
    return UploadRejected(
        _(
            "The sheet contains formulas (cells %(cells)s). Their results cannot be "
            "checked: copy the cells and paste them as values, then upload again."
        )
        % {"cells": shown},
        "formulas",
    )


def _stream_sheet(ws, limits: Limits) -> Table:
    rows: list[list[str]] = []
    formulas: list[str] = []
    total = 0
    for number, values in enumerate(_sheet_rows(ws), start=1):
        if number > limits.max_rows + 1:
            raise _too_many_rows(limits)
        _check_width(len(values), number, limits)
        for column, value in enumerate(values, start=1):
            if isinstance(value, _Formula):
                formulas.append(f"{get_column_letter(column)}{number}")
        if len(formulas) > 5:
            break  # enough to name them; the file is refused anyway
        cells = [_cell_text(value) for value in values]
        _check_row(cells, number, limits)
        total += len(cells)
        _check_cells(total, limits)
        rows.append(cells)
    if formulas:
        raise _formula_error(formulas)
    return Table(rows=rows, numbers=list(range(1, len(rows) + 1)))


def read_xlsx(
    content: bytes, limits: Limits, *, sheet_score: Callable[[list[str]], int] | None = None
) -> Table:
    """The cells of the sheet whose header row `sheet_score` rates highest (the first one on
    a tie, or without a score), streamed in read-only mode."""
    check_size(content, limits)
    check_zip(content, limits)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _damaged() from None
    try:
        return _read_book(book, limits, sheet_score)
    except UploadRejected:
        raise
    except Exception:  # noqa: BLE001 - a damaged part shows only while it is streamed
        raise _damaged() from None
    finally:
        book.close()


def _read_book(book, limits: Limits, sheet_score) -> Table:
    sheets = book.worksheets
    if not sheets:
        raise UploadRejected(_("The file is empty."), "empty")
    chosen = sheets[0]
    if sheet_score is not None and len(sheets) > 1:
        chosen = max(sheets, key=lambda ws: sheet_score(_first_row(ws, limits)))
    table = _stream_sheet(chosen, limits)
    if len(sheets) > 1:
        table.notes.append(
            _("The workbook has %(count)s sheets; the sheet “%(sheet)s” was read.")
            % {"count": len(sheets), "sheet": chosen.title}
        )
    return table


def _first_row(ws, limits: Limits) -> list[str]:
    for values in _sheet_rows(ws):
        cells = [_cell_text(value) for value in values[: limits.max_columns]]
        return [cell[: limits.max_cell_chars] for cell in cells]
    return []


# --- JSON ------------------------------------------------------------------------------------

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


# --- Receiving the upload --------------------------------------------------------------------

UPLOAD_FAILED = "_upload_failed"


class SpaceAwareUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler that drops the file, rather than failing the whole
    request with a 500, when its temporary directory cannot take it (disk full, quota)."""

    def new_file(self, *args, **kwargs) -> None:
        try:
            super().new_file(*args, **kwargs)
        except OSError as exc:
            self._drop(exc)

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError as exc:
            self._drop(exc)

    def file_complete(self, file_size):
        if getattr(self.request, UPLOAD_FAILED, False):
            return None
        try:
            return super().file_complete(file_size)
        except OSError as exc:
            self._discard(exc)
            return None

    def _discard(self, exc: OSError) -> None:
        logger.error("upload %s not stored in %s: %s", self.file_name, _temp_dir(), exc)
        setattr(self.request, UPLOAD_FAILED, True)
        file = getattr(self, "file", None)
        if file is not None:
            try:
                file.close()  # a NamedTemporaryFile deletes itself on close
            except OSError:
                pass

    def _drop(self, exc: OSError):
        self._discard(exc)
        raise SkipFile from None


def _temp_dir() -> str:
    return settings.FILE_UPLOAD_TEMP_DIR or "the system's temporary directory"


def upload_failure(request) -> str | None:
    """The message for an upload the server could not store, or None."""
    if not getattr(request, UPLOAD_FAILED, False):
        return None
    return _(
        "The server could not receive the file because its storage for uploads is full. "
        "Nothing was saved: try again in a while, and tell the programme office if this "
        "happens again."
    )


def show_upload_failure(request, form, field_name: str = "file") -> None:
    """Put the message of an upload the server could not store on `form`'s file field."""
    message = upload_failure(request)
    if message:
        form.errors[field_name] = form.error_class([message])
