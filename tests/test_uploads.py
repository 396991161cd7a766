"""One reader for every upload (portal.uploads): limits that hold before the work starts.

Hostile files are built here with zlib and a few lines of zip, so a 1 GB cell or five
million rows cost a megabyte and a second to make. Each refusal must come within a second,
with the reason in the user's language, and within a stated memory bound (tracemalloc's
peak of Python allocations; docs/uploads.md)."""

from __future__ import annotations

import io
import json
import resource
import signal
import struct
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from measures.models import Measurement
from portal.models import Job
from portal.uploads import Limits
from portal.uploads import UploadRejected
from portal.uploads import check_zip
from portal.uploads import json_depth_exceeds
from portal.uploads import read_csv
from portal.uploads import read_json
from portal.uploads import read_xlsx as _read_xlsx
from projects.finance_import import FileRejected
from projects.finance_import import read_file
from reporting.imports.services import import_job_create

MEMORY_BOUND = 40_000_000  # bytes of Python allocations while refusing any hostile file
READING_BOUND = 100_000_000  # ... while reading the largest file the limits let through
SECOND = 1.0  # of CPU for refusing a hostile file

LIMITS = Limits(
    max_bytes=10_000_000,
    max_rows=20_000,
    max_columns=200,
    max_cells=1_000_000,
    max_cell_chars=10_000,
    max_unpacked_bytes=50_000_000,
    max_compression_ratio=100,
    max_json_depth=20,
)


def read_xlsx(content: bytes, limits: Limits = LIMITS):
    return _read_xlsx(content, limits)


# --- Building hostile workbooks ----------------------------------------------------------------


def _deflate(*parts: bytes | tuple[bytes, int]) -> tuple[bytes, int, int]:
    """Raw deflate of the parts, a (chunk, times) part compressed once and repeated: blocks
    ended by a full flush do not refer back, so copies of one are a valid stream. Returns
    the compressed bytes, the CRC-32 and the size of what they unpack to."""
    out, crc, size = [], 0, 0
    for part in parts:
        chunk, times = part if isinstance(part, tuple) else (part, 1)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
        out.append(block * times)
        for _ in range(times):
            crc = zlib.crc32(chunk, crc)
        size += len(chunk) * times
    out.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))
    return b"".join(out), crc, size


def _zip(members: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip archive of already deflated members (name → data, CRC, unpacked size)."""
    body, directory = io.BytesIO(), []
    for name, (data, crc, size) in members.items():
        encoded, offset = name.encode(), body.tell()
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data),
                               size, len(encoded), 0) + encoded + data)  # fmt: skip
        directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                                     len(data), size, len(encoded), 0, 0, 0, 0, 0, offset)
                         + encoded)  # fmt: skip
    start = body.tell()
    central = b"".join(directory)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(central), start, 0)  # fmt: skip
    return body.getvalue() + central + end


def _skeleton() -> dict[str, bytes]:
    """The parts of a real one-sheet workbook saved by openpyxl."""
    book = Workbook()
    book.active.append(["Work package", "Action number", "Action"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


SHEET_START = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"


def _workbook(*sheet: bytes | tuple[bytes, int], dimension: bytes = b"", strings=None) -> bytes:
    parts = {name: _deflate(data) for name, data in _skeleton().items()}
    parts["xl/worksheets/sheet1.xml"] = _deflate(SHEET_START % dimension, *sheet, SHEET_END)
    if strings is not None:
        parts["xl/sharedStrings.xml"] = _deflate(*strings)
        types = parts["[Content_Types].xml"]
        rels = parts["xl/_rels/workbook.xml.rels"]
        parts["[Content_Types].xml"] = _deflate(
            zlib.decompress(types[0], -15).replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        )
        parts["xl/_rels/workbook.xml.rels"] = _deflate(
            zlib.decompress(rels[0], -15).replace(
                b"</Relationships>",
                b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/sharedStrings" '
                b'Target="sharedStrings.xml"/></Relationships>',
            )
        )
    return _zip(parts)


HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Work package</t></is></c></row>'


def _rows(first: int, count: int) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
                    for n in range(first, first + count))  # fmt: skip


@pytest.fixture(scope="module")
def five_million_rows() -> bytes:
    return _workbook(HEADER, (b"<row><c><v>1</v></c></row>" * 40_000, 125))


@pytest.fixture(scope="module")
def one_gigabyte_cell() -> bytes:
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>',
        (b"a" * 1_048_576, 1024),
        b"</t></si></sst>",
    )
    return _workbook(HEADER, b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', strings=strings)


def _refusal(read, *args) -> tuple[UploadRejected, float, int]:
    """The refusal, the work it took and the peak of Python memory while reading (measured
    in a second run: tracemalloc slows every allocation down). The work is the thread's CPU
    seconds, which a quiet machine's wall clock would show: on a busy one the wall clock
    adds the time spent waiting for a core (1.19 s against 1 s at load 6, once)."""
    started = time.thread_time()
    with pytest.raises(UploadRejected) as refused:
        read(*args)
    took = time.thread_time() - started
    tracemalloc.start()
    try:
        with pytest.raises(UploadRejected):
            read(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return refused.value, took, peak


def _assert_refused_fast_and_small(read, *args, code: str) -> str:
    error, took, peak = _refusal(read, *args)
    assert error.code == code, error.message
    assert took < SECOND, f"{took:.2f} s"
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.1f} MB"
    return error.message


# --- XLSX --------------------------------------------------------------------------------------


def test_the_hostile_files_are_small_and_real(five_million_rows, one_gigabyte_cell):
    # given the two workbooks of the report: about a megabyte each
    assert len(five_million_rows) < 1_500_000 and len(one_gigabyte_cell) < 1_500_000
    # then they are real zips whose members unpack to what they declare
    with zipfile.ZipFile(io.BytesIO(one_gigabyte_cell)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 1_073_000_000
        with archive.open("xl/sharedStrings.xml") as member:
            assert member.read(200).endswith(b"a" * 50)
    with zipfile.ZipFile(io.BytesIO(five_million_rows)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 5_000_000 * 26


def test_five_million_rows_are_refused_from_the_zip_directory(five_million_rows):
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_xlsx, five_million_rows, code="unpacked")
    assert message == "The workbook unpacks to more than 50 MB, more than a sheet can hold here."


def test_a_one_gigabyte_cell_is_refused_before_anything_is_unpacked(one_gigabyte_cell):
    _assert_refused_fast_and_small(read_xlsx, one_gigabyte_cell, code="unpacked")


def test_a_zip_bomb_under_the_unpacked_limit_is_refused_by_its_ratio():
    # given 40 MB of rows packed into a few tens of kilobytes
    content = _workbook(HEADER, (b"<row><c><v>1</v></c></row>" * 40_000, 40))
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_xlsx, content, code="ratio")
    assert message.startswith("The workbook is packed ")


def test_rows_are_streamed_and_reading_stops_at_the_row_limit():
    # given 60 000 rows, under the unpacked and ratio limits
    content = _workbook(HEADER, _rows(2, 60_000))
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_xlsx, content, code="rows")
    assert message == "The file has more than 20000 rows."


def test_a_row_far_down_the_sheet_is_not_padded_into_a_million_rows():
    # a single cell on the last row of Excel: openpyxl fills the rows between with empty ones
    content = _workbook(HEADER, b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    _assert_refused_fast_and_small(read_xlsx, content, code="rows")


def test_a_declared_dimension_of_the_whole_sheet_does_not_pad_every_row():
    # given a sheet that claims all 16 384 columns and a million rows but holds three rows
    content = _workbook(
        HEADER, _rows(2, 2), dimension=b'<dimension ref="A1:XFD1048576"/>'
    )  # fmt: skip
    started = time.thread_time()  # the work, as in _refusal
    table = read_xlsx(content)
    assert time.thread_time() - started < SECOND
    assert table.rows == [["Work package"], ["2"], ["3"]]


def test_too_many_columns_in_a_workbook_are_refused():
    cells = b"".join(
        b'<c r="%s1"><v>%d</v></c>' % (get_column_letter(n).encode(), n * 7919 % 100_003)
        for n in range(1, 16_385)
    )
    content = _workbook(b'<row r="1">' + cells + b"</row>")
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_xlsx, content, code="columns")
    assert message == "The file has more than 200 columns (row 1 has 16384)."


def test_a_long_cell_in_a_workbook_is_refused():
    cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 10_001 + b"</t></is></c></row>"
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_xlsx, _workbook(HEADER, cell), code="cell")
    assert message == "Row 2 has a cell longer than 10000 characters."


def test_a_member_larger_than_its_declared_size_is_cut_and_refused_as_damaged():
    # given a sheet that declares 1 000 bytes but holds more (a lying directory)
    data, crc, _size = _deflate(SHEET_START % b"", HEADER, _rows(2, 5000), SHEET_END)
    parts = {name: _deflate(value) for name, value in _skeleton().items()}
    parts["xl/worksheets/sheet1.xml"] = (data, crc, 1000)
    _assert_refused_fast_and_small(read_xlsx, _zip(parts), code="damaged")


def test_a_real_workbook_still_reads():
    book = Workbook()
    book.active.append(["Work package", "Action number", "Action"])
    book.active.append(["TP1", 1.5, "x" * 10_000])
    out = io.BytesIO()
    book.save(out)
    assert read_xlsx(out.getvalue()).rows[1] == ["TP1", "1.5", "x" * 10_000]


# --- CSV ---------------------------------------------------------------------------------------


def test_a_csv_of_a_hundred_thousand_columns_is_refused():
    content = b"a" + b",a" * 99_999 + b"\n" + b"1" + b",1" * 99_999 + b"\n"
    assert len(content) < 1_000_000
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_csv, content, LIMITS, code="columns")
    assert message == "The file has more than 200 columns (row 1 has 100000)."


def test_a_csv_nul_byte_after_the_first_4_kb_is_refused_with_its_row():
    content = b"a;b\n" + b"1;2\n" * 2000 + b"3;\x004\n"
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_csv, content, LIMITS, code="nul")
    assert message.startswith("The file contains a NUL character (byte 0) on row 2002")


@pytest.mark.parametrize("length", [10_001, 200_000])
def test_a_long_csv_cell_is_refused(length):
    content = b"a;b\n1;" + b"9" * length + b"\n"
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_csv, content, LIMITS, code="cell")
    assert message == "Row 2 has a cell longer than 10000 characters."


def test_csv_rows_are_counted_while_reading():
    content = b"a\n" + b"1\n" * 20_001
    _assert_refused_fast_and_small(read_csv, content, LIMITS, code="rows")
    assert len(read_csv(b"a\n" + b"1\n" * 20_000, LIMITS).rows) == 20_001


def test_the_separator_is_sniffed_and_windows_1252_noted():
    table = read_csv("Kausi;Summa\n3/2022;1 234,50\n".encode("cp1252"), LIMITS)
    assert table.rows == [["Kausi", "Summa"], ["3/2022", "1 234,50"]]
    with translation.override("en"):
        table = read_csv("a\tb\nPäivä\t€\n".encode("cp1252"), LIMITS)
    assert table.rows[1] == ["Päivä", "€"]
    assert table.notes == ["The file was read as Windows-1252 text (not UTF-8)."]


def _peak(read, *args) -> int:
    tracemalloc.start()
    try:
        try:
            read(*args)
        except UploadRejected:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "content",
    [
        (",".join(["12"] * 50) + "\n").encode() * 20_001,  # a million cells, accepted
        (",".join(["12"] * 200) + "\n").encode() * 9000,  # over a million, refused at it
        ("x" * 490 + "€\n").encode() * 20_001,  # 10 MB of text that is not Latin-1
    ],
    ids=["widest-accepted", "widest-refused", "longest-accepted"],
)
def test_reading_the_largest_files_the_limits_allow_stays_within_the_memory_bound(content):
    assert _peak(read_csv, content, LIMITS) < READING_BOUND


# --- JSON --------------------------------------------------------------------------------------


def test_json_nested_200_000_deep_is_refused_without_recursion():
    content = b"[" * 200_000 + b"]" * 200_000
    with translation.override("en"):
        message = _assert_refused_fast_and_small(read_json, content, LIMITS, code="depth")
    assert message == "The JSON file is nested more than 20 levels deep."


def test_brackets_inside_json_strings_do_not_count():
    text = json.dumps([{"note": '[[[[[[[[[[[[[[[[[[[[[[[[[[ \\" {{{{{{{{{{{{{{{{{{{{{{{'}])
    assert not json_depth_exceeds(text, 3)
    assert read_json(text, LIMITS) == json.loads(text)
    assert json_depth_exceeds("[[[[]]]]", 3)


@pytest.mark.parametrize("content", [b'[{"gender": "total\\u0000"}]', b'[{"a": "\x00"}]'])
def test_a_nul_character_in_json_is_refused(content):
    _assert_refused_fast_and_small(read_json, content, LIMITS, code="nul")


# --- Through the pages: a message in the user's language, never a 500 --------------------------

NESTED = "[" * 200_000 + "]" * 200_000
NUL_CSV = "Work package,Action number,Action\n" + "TP1,1.1,x\n" * 500 + "TP1,1.2,\x00\n"
MESSAGES = {
    "fi": "Tiedoston rivillä 502 on NUL-merkki",
    "sv": "Filen har ett NUL-tecken (byte 0) på rad 502",
    "en": "The file contains a NUL character (byte 0) on row 502",
}


def _login(client, user, language):
    client.force_login(user)
    client.cookies["django_language"] = language


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_bulk_import_csv_with_a_late_nul_is_refused_on_the_form(client, personas, language):
    _login(client, personas.project_manager, language)
    url = reverse("reporting:import-start", args=[personas.project.pk])
    upload = SimpleUploadedFile("tuonti.csv", NUL_CSV.encode())
    response = client.post(url, {"kind": "actions", "file": upload})
    assert response.status_code == 200
    assert MESSAGES[language] in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (NESTED, "JSON-tiedosto on sisäkkäinen yli 20 tason syvyydeltä."),
        ('[{"indicator": 1234, "gender": "total\\u0000"}]', "Tiedostossa on NUL-merkki"),
    ],
    ids=["nested-200000-deep", "nul-escape"],
)
def test_a_hostile_sotkanet_file_gets_a_message_not_a_500(
    client, personas, sotkanet_indicator, content, message
):
    _login(client, personas.project_worker, "fi")
    url = reverse("measures:indicator-sotkanet-upload", args=[sotkanet_indicator.pk])
    upload = SimpleUploadedFile("sotkanet.json", content.encode())
    response = client.post(url, {"file": upload}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_finance_csv_with_too_many_columns_is_refused_on_the_form(client, personas):
    _login(client, personas.project_manager, "en")
    url = reverse("project-budget-import", args=[personas.project.pk])
    upload = SimpleUploadedFile("kp.csv", b"period" + b";amount" * 300 + b"\n3/2022;1\n")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "The file has more than 200 columns (row 1 has 301)." in response.content.decode()


@pytest.fixture
def small_file_size_limit():
    """Writes past 1 MB fail in this process, as on a full disk (EFBIG, not ENOSPC: the
    kernel refuses the write either way)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["temp dir missing", "temp file cannot grow"])
def test_an_upload_the_server_cannot_store_gets_a_message_not_a_500(
    client, personas, settings, tmp_path, request, fault
):
    # given a file larger than what Django keeps in memory (it goes to the temp directory)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "missing" if "missing" in fault else tmp_path)
    _login(client, personas.project_manager, "en")
    url = reverse("reporting:import-start", args=[personas.project.pk])
    content = b"Work package,Action number\n" + b"TP1,1\n" * 600_000
    upload = SimpleUploadedFile("tuonti.csv", content)
    if "grow" in fault:
        request.getfixturevalue("small_file_size_limit")
    # when it is uploaded while the directory cannot take it
    response = client.post(url, {"kind": "actions", "file": upload})
    # then the form says so, and nothing is stored
    assert response.status_code == 200
    assert "storage for uploads is full. Nothing was saved" in response.content.decode()
    assert not Job.objects.exists()
    assert list(Path(tmp_path).glob("*.upload*")) == []


@pytest.mark.django_db
def test_a_large_upload_still_goes_through_the_temp_dir(client, personas, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    _login(client, personas.project_manager, "en")
    url = reverse("reporting:import-start", args=[personas.project.pk])
    title = "Toimenpide, jonka otsikko on pitkä " * 5
    content = "Work package;Action number;Action\n" + "".join(
        f"TP1;{n}.1;{title}\n" for n in range(15_000)
    )
    assert len(content.encode()) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(
        url, {"kind": "actions", "file": SimpleUploadedFile("t.csv", content.encode())}
    )
    assert response.status_code == 302
    assert Job.objects.get().progress_total == 15_000
    assert list(Path(tmp_path).iterdir()) == []  # Django removed its temporary file


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["finance", "sotkanet"])
def test_the_other_upload_pages_also_answer_a_full_temp_dir(
    client, personas, settings, tmp_path, sotkanet_indicator, page
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "missing")
    _login(client, personas.project_manager, "en")
    content = b"x" * 3_000_000  # over FILE_UPLOAD_MAX_MEMORY_SIZE: written to the directory
    if page == "finance":
        url = reverse("project-budget-import", args=[personas.project.pk])
        response = client.post(url, {"file": SimpleUploadedFile("kp.csv", content)})
    else:
        url = reverse("measures:indicator-sotkanet-upload", args=[sotkanet_indicator.pk])
        upload = SimpleUploadedFile("sotkanet.json", content)
        response = client.post(url, {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "storage for uploads is full. Nothing was saved" in response.content.decode()
    assert not Measurement.objects.exists()


# --- The finance import reads through the same reader ------------------------------------------


def test_the_finance_import_refuses_a_late_nul_and_long_cells_with_the_shared_limits():
    with translation.override("en"):
        with pytest.raises(FileRejected, match="NUL character"):
            read_file(b"period;line_key;amount\n" + b"3/2022;1;1\n" * 500 + b"4/2022;1;\x00\n")
        with pytest.raises(FileRejected, match="This is not a CSV file.*longer than 10000"):
            read_file(b"period;line_key;amount\n3/2022;1;" + b"9" * 20_000 + b"\n")


# --- The bulk import reads through the same reader ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        ("five_million_rows", "The workbook unpacks to more than 50 MB"),
        ("one_gigabyte_cell", "The workbook unpacks to more than 50 MB"),
        ("hundred_thousand_columns", "The file has more than 200 columns (row 1 has 100000)."),
        ("sixty_thousand_rows", "The file has more than 20000 rows."),
    ],
)
def test_the_bulk_import_refuses_hostile_files_within_a_second(personas, request, hostile, message):
    if hostile == "hundred_thousand_columns":
        name, content = "tuonti.csv", b"a" + b",a" * 99_999 + b"\n" + b"1" + b",1" * 99_999
    elif hostile == "sixty_thousand_rows":  # under every size limit: found while streaming
        name, content = "tuonti.xlsx", _workbook(HEADER, _rows(2, 60_000))
    else:
        name, content = "tuonti.xlsx", request.getfixturevalue(hostile)
    started = time.perf_counter()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_job_create(
            project=personas.project,
            actor=personas.project_worker,
            kind="measurements",
            name=name,
            content=content,
        )
    assert time.perf_counter() - started < SECOND
    assert refused.value.messages[0].startswith(message)
    assert not Job.objects.exists()


def test_styled_empty_cells_at_a_rows_end_do_not_count_as_columns():
    # given a row whose 300 cells after the first three carry only a style (a fill, say)
    styled = b"".join(b'<c r="%s2" s="1"/>' % get_column_letter(n).encode() for n in range(4, 304))
    row = b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c>'
    table = read_xlsx(_workbook(HEADER, row + styled + b"</row>"))
    assert table.rows == [["Work package"], ["1", "2", "3"]]


def test_the_pre_scan_counts_exactly_across_its_megabyte_chunks():
    # given 2.5 MB of sheet XML: rows and cells cross the scan's chunk boundaries
    wide = b"".join(b'<c r="%s1"><v>%d</v></c>' % (get_column_letter(n).encode(), n)
                    for n in range(1, 201))  # fmt: skip
    content = _workbook(b'<row r="1">' + wide + b"</row>", _rows(2, 59_999))
    exact = replace(LIMITS, max_rows=59_999, max_columns=200, max_cells=60_199)
    check_zip(content, exact)  # exactly at every limit: accepted
    for over in ({"max_rows": 59_998}, {"max_columns": 199}, {"max_cells": 60_198}):
        with pytest.raises(UploadRejected):
            check_zip(content, replace(exact, **over))
