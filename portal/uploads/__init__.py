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
Modules: `checks` (limits, refusal, decoding), `text` (CSV, JSON), `workbook` (XLSX),
`receiving` (the upload handler). Nothing here imports an app above `portal`.
"""

from .checks import Limits
from .checks import Table
from .checks import UploadRejected
from .checks import decode
from .checks import sniff_separator
from .receiving import SpaceAwareUploadHandler
from .receiving import show_upload_failure
from .receiving import upload_failure
from .text import json_depth_exceeds
from .text import read_csv
from .text import read_json
from .workbook import check_zip
from .workbook import read_xlsx

__all__ = [
    "Limits",
    "SpaceAwareUploadHandler",
    "Table",
    "UploadRejected",
    "check_zip",
    "decode",
    "json_depth_exceeds",
    "read_csv",
    "read_json",
    "read_xlsx",
    "show_upload_failure",
    "sniff_separator",
    "upload_failure",
]
