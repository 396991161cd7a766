"""The one header-alias scheme of every upload: a declarative column spec per kind of file.

A `ColumnSpec` lists the `Column`s a kind reads: its canonical `key`, the `label` the portal
shows and exports (a lazy string: its Finnish, Swedish and English translations are all
accepted as headers), further `aliases` people write in any language, whether the column is
`required` (the file must have it) or `required_for_new` (a row that creates an object needs
a value), and the `parse` function that reads one of its cells.

A file's header is matched after `norm` (case, blanks and underscores do not matter), so
"Planned start", "planned_start", "SUUNNITELTU ALKU" and "Planerad start" name one column.
Pure apart from translation: no ORM, no request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGES = ("fi", "sv", "en")


def norm(text: Any) -> str:
    """A header or a name as compared: no BOM, blanks and underscores as one space, casefolded."""
    return re.sub(r"[\s_]+", " ", str(text).replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True)
class Column:
    key: str
    label: Any = None  # lazy: shown, exported, and accepted in every language
    aliases: tuple[str, ...] = ()
    required: bool = False
    required_for_new: bool = False
    parse: Callable[[Any], Any] | None = None  # reads one cell (a Sotkanet row: the row)

    def shown(self) -> str:
        """The column's name in the active language (its key when it has no label)."""
        return str(self.label) if self.label is not None else self.key

    def names(self) -> set[str]:
        """Every normalised header that names this column."""
        names = {norm(self.key), *map(norm, self.aliases)}
        if self.label is not None:
            for language in LANGUAGES:
                with translation.override(language):
                    names.add(norm(self.label))
        return names


class ColumnSpec:
    """The columns of one kind of file, in the order the portal shows them."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns = tuple(columns)
        self.by_key = {column.key: column for column in self.columns}
        self._aliases: dict[str, str] | None = None

    def __iter__(self):
        return iter(self.columns)

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def label(self, key: str) -> str:
        return self.by_key[key].shown()

    def aliases(self) -> dict[str, str]:
        """Normalised header → key. A name two columns share goes to the first one."""
        if self._aliases is None:
            aliases: dict[str, str] = {}
            for column in self.columns:
                for name in sorted(column.names()):
                    aliases.setdefault(name, column.key)
            self._aliases = aliases
        return self._aliases

    def resolve(self, header: str) -> str | None:
        """The key of the column `header` names, or None."""
        return self.aliases().get(norm(header)) if str(header).strip() else None

    def score(self, headers: Iterable[str]) -> int:
        """How many of `headers` name a column (which sheet of a workbook to read)."""
        return sum(1 for header in headers if self.resolve(header))

    def suggest(self, headers: list[str], remembered: dict | None = None) -> dict[str, str]:
        """File header → key ('' = ignore): a remembered choice first, then the names; a key
        is chosen for one header only."""
        remembered = remembered or {}
        mapping: dict[str, str] = {}
        used: set[str] = set()
        for header in headers:
            choice = remembered.get(header)
            if choice not in self.by_key or choice in used:
                choice = self.resolve(header) or ""
                if choice in used:
                    choice = ""
            mapping[header] = choice
            if choice:
                used.add(choice)
        return mapping

    def problems(self, mapping: dict[str, str]) -> list[str]:
        """Messages for a mapping that cannot work: a required column unmapped or mapped twice."""
        chosen = [key for key in mapping.values() if key]
        problems = []
        for column in self.columns:
            if chosen.count(column.key) > 1:
                problems.append(
                    _("The field “%(field)s” is chosen for more than one column.")
                    % {"field": column.shown()}
                )
            if column.required and column.key not in chosen:
                problems.append(
                    _("The file has no column for “%(field)s”: choose one.")
                    % {"field": column.shown()}
                )
        return problems

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The required keys not among `keys`."""
        present = set(keys)
        return [
            column.key for column in self.columns if column.required and column.key not in present
        ]


def choice_lookup(choices) -> dict[str, str]:
    """Normalised label (every language) or value → value, for a TextChoices class."""
    lookup: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(norm(label), value)
    for value in choices.values:
        lookup.setdefault(norm(value), value)
    return lookup


def first_filled(rows: list[list[str]]) -> int | None:
    """The index of the first row with any text (a file's header row), or None."""
    return next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None)


def filled_rows(numbers: Iterable[int], rows: Iterable[list[str]]) -> list[tuple[int, list[str]]]:
    """(row number, cells) of the rows with any text: blank lines are not rows."""
    return [(n, row) for n, row in zip(numbers, rows, strict=True) if any(c.strip() for c in row)]
