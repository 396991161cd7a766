"""XLSX uploads: the zip checked from its directory, each sheet pre-scanned, then streamed
with openpyxl in read-only mode (portal.uploads describes the whole)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .checks import Limits
from .checks import Table
from .checks import UploadRejected
from .checks import check_cells
from .checks import check_row
from .checks import check_size
from .checks import check_width
from .checks import megabytes
from .checks import too_many_rows

SMALL_MEMBER = 1_000_000  # zip members below this are not judged by their compression ratio


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
# A cell with content; a self-closing <c r="Z5" s="3"/> is a styled empty cell, which the
# streaming drops at a row's end too.
_CELL_TAG = re.compile(rb"<(?:\w+:)?c(?=[\s>/])[^>]*(?<!/)>")
_TAIL = 4096  # longer than any row tag with its attributes; kept for the next chunk


def _prescan_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    """Count a sheet's rows and each row's cells in its XML, a megabyte at a time, at the
    speed of a regular expression: what openpyxl would take seconds to find out."""
    state, pending = [0, 0, 0], b""  # the current row's number, its cells, all cells so far
    with archive.open(member) as source:
        while chunk := source.read(1 << 20):
            data = pending + chunk
            # Cut just before a "<": no tag crosses the cut (XML escapes "<" in values).
            end = max(len(data) - _TAIL, 0)
            cut = data.rfind(b"<", 0, end)
            end = cut if cut > 0 else end
            _scan(data, end, state, limits)
            pending = data[end:]
    _scan(pending, len(pending), state, limits)
    check_width(state[1], state[0], limits)  # the last row
    check_cells(state[1] + state[2], limits)


def _scan(data: bytes, end: int, state: list[int], limits: Limits) -> None:
    """Rows and cells that start before `end` (the rest is read again with the next chunk)."""
    row, cells, total = state
    position = 0
    for match in _ROW_TAG.finditer(data):
        if match.start() >= end:
            break
        cells += len(_CELL_TAG.findall(data, position, match.start()))
        check_width(cells, row, limits)
        total += cells
        check_cells(total, limits)
        number = _ROW_NUMBER.search(match.group(1))
        row = int(number.group(1)) if number else row + 1
        if row > limits.max_rows + 1:
            raise too_many_rows(limits)
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
            raise too_many_rows(limits)
        check_width(len(values), number, limits)
        for column, value in enumerate(values, start=1):
            if isinstance(value, _Formula):
                formulas.append(f"{get_column_letter(column)}{number}")
        if len(formulas) > 5:
            break  # enough to name them; the file is refused anyway
        cells = [_cell_text(value) for value in values]
        check_row(cells, number, limits)
        total += len(cells)
        check_cells(total, limits)
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
