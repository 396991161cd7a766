"""Finnish and Swedish are complete: every UI string of the code has a translation.

`makemessages` runs on a copy of the code (so the repository's files stay as they are) and
merges what it finds into a copy of the .po files; then no entry may be left empty or
fuzzy. A string added to a template or a module without its translations fails here,
naming the string and where it is.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = ("manage.py", "portal", "projects", "objectives", "measures", "reporting", "templates")
LANGUAGES = ("fi", "sv")


@dataclass
class Entry:
    msgid: str = ""
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False
    where: str = ""


def read_po(text: str) -> list[Entry]:
    """The entries of a .po file: enough of the format for this check (no obsolete ones)."""
    entries, entry, key = [], Entry(), None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if entry.msgid or entry.msgstrs:
                entries.append(entry)
            entry, key = Entry(), None
        elif line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif line.startswith("#:"):
            entry.where = entry.where or line[2:].strip().split(" ")[0]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key == "msgid":
                entry.msgid += value
            elif key == "msgstr":
                entry.msgstrs[-1] += value
        else:
            name, _, value = line.partition(" ")
            key = "msgstr" if name.startswith("msgstr") else name
            if key == "msgstr":
                entry.msgstrs.append(ast.literal_eval(value))
            elif key == "msgid":
                entry.msgid = ast.literal_eval(value)
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def test_the_po_reader_sees_empty_fuzzy_and_plural_entries():
    text = (
        'msgid ""\nmsgstr "Content-Type: text/plain\\n"\n\n'
        '#: a.py:1\nmsgid "One"\nmsgstr "Yksi"\n\n'
        '#: b.html:2\n#, fuzzy, python-format\nmsgid "Two %(n)s"\nmsgstr "Kaksi"\n\n'
        'msgid "item"\nmsgid_plural "items"\nmsgstr[0] "kohde"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Long "\n"text"\nmsgstr ""\n"Pitkä "\n"teksti"\n'
    )
    entries = read_po(text)
    assert [e.msgid for e in entries] == ["One", "Two %(n)s", "item", "Long text"]
    assert entries[1].fuzzy and entries[1].where == "b.html:2"
    assert entries[2].msgstrs == ["kohde", ""]
    assert entries[3].msgstrs == ["Pitkä teksti"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A copy of the code and the .po files, after `makemessages` merged the code's strings."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: `make test` installs gettext")
    copy = tmp_path_factory.mktemp("i18n")
    for name in CODE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    shutil.copytree(REPO / "locale", copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    env = {**os.environ, "DATABASE_URL": "", "REDIS_URL": ""}
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "-v", "0"]
    for language in LANGUAGES:
        command += ["-l", language]
    subprocess.run(command, cwd=copy, env=env, check=True, timeout=300)
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_code_is_translated(extracted, language):
    text = (extracted / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
    entries = read_po(text)
    assert len(entries) > 1000  # the whole UI, not an empty file
    missing = [
        f"{e.where}: {e.msgid!r}{' (fuzzy)' if e.fuzzy else ''}"
        for e in entries
        if e.fuzzy or not all(e.msgstrs)
    ]
    assert not missing, f"{len(missing)} strings without a {language} translation:\n" + "\n".join(
        missing
    )
