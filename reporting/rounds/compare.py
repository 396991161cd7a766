"""What changed between two reporting rounds: pure diff logic, no ORM (tested without a DB).

Each round's state is a mapping from a key (kind, object id) to an `Entry`: a label to show
and the object's light in that round (an `Assessment`, or None when it had none). Where the
states come from (a frozen snapshot, or the rollups stored at the cut-off) is the caller's
business (`reporting.as_of.states`). `compare_rounds(a, b)` answers three questions:

- *changed colour*: present in both, with a different light (no light counts as grey);
- *new*: present in b, not in a;
- *dropped*: present in a, not in b.

Lists come in a stable order: by kind (hanke, HT, work package, goal, action, indicator),
then by the entry's sort key, so the page reads the same on every load.
"""

from __future__ import annotations

from collections.abc import Hashable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from portal.lights import Assessment
from portal.lights import Light

# The order kinds are listed in; unknown kinds go last.
KIND_ORDER = ("project", "project_ht", "work_package", "goal", "action", "indicator")

Key = tuple[str, Hashable]


@dataclass(frozen=True)
class Entry:
    """One object as it stood in a round."""

    kind: str
    label: str
    light: Assessment | None
    sort: Any = ""  # e.g. the number or code; ties broken by the label
    extra: Mapping[str, Any] = field(default_factory=dict)  # what the page needs (project, url)

    @property
    def colour(self) -> Light:
        return self.light.light if self.light is not None else Light.GREY


@dataclass(frozen=True)
class Change:
    key: Key
    before: Entry
    after: Entry

    @property
    def label(self) -> str:
        """The newer label, unless the object has since left the plan (then only its id)."""
        return self.before.label if self.after.extra.get("removed") else self.after.label

    @property
    def direction(self) -> str:
        """ "better", "worse" or "" (a move to or from grey, or between equal ranks)."""
        old, new = self.before.colour.rank, self.after.colour.rank
        if old is None or new is None or old == new:
            return ""
        return "better" if new > old else "worse"


@dataclass(frozen=True)
class Comparison:
    changed: list[Change]
    new: list[tuple[Key, Entry]]
    dropped: list[tuple[Key, Entry]]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "changed": len(self.changed),
            "better": sum(c.direction == "better" for c in self.changed),
            "worse": sum(c.direction == "worse" for c in self.changed),
            "new": len(self.new),
            "dropped": len(self.dropped),
        }

    @property
    def empty(self) -> bool:
        return not (self.changed or self.new or self.dropped)


def _order(key: Key, entry: Entry) -> tuple:
    kind = entry.kind
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return (rank, str(entry.sort), entry.label, str(key))


def compare_rounds(a: Mapping[Key, Entry], b: Mapping[Key, Entry]) -> Comparison:
    """The changes from round `a` to round `b` (both mappings of key → Entry)."""
    changed = [
        Change(key, a[key], b[key]) for key in a.keys() & b.keys() if a[key].colour != b[key].colour
    ]
    changed.sort(key=lambda c: _order(c.key, c.after))
    new = sorted(((k, b[k]) for k in b.keys() - a.keys()), key=lambda kv: _order(*kv))
    dropped = sorted(((k, a[k]) for k in a.keys() - b.keys()), key=lambda kv: _order(*kv))
    return Comparison(changed, new, dropped)
