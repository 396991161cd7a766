"""The one preview of every upload: each row is new, changed (field by field), unchanged or
rejected (column and reason), before anything is written.

A planner (one per kind of file) makes a `RowPlan` per file row and a `Plan` of them; the
confirmation plans again and writes only when nothing differs. Messages are lazy or already
rendered strings with their parameters: `RowError.text` renders them in the active language,
so a preview computed for a request reads in the user's language, and one stored as JSON
(`RowPlan.as_json`) in the language it was computed in. Pure: no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
OUTCOMES = (NEW, CHANGED, UNCHANGED, REJECTED)


@dataclass(frozen=True)
class RowError:
    column: str  # the column as the file names it ('' for the row as a whole)
    message: Any  # a (lazy) string, %-formatted with `params` when shown
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if not self.params:
            return str(self.message)
        return str(self.message) % {key: str(value) for key, value in self.params.items()}


@dataclass
class RowPlan:
    number: int  # the row's number in the file (the header is row 1)
    key: str = ""  # how the row names its object, for the preview
    outcome: str = UNCHANGED
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old, new
    errors: list[RowError] = field(default_factory=list)
    note: str = ""
    target: tuple[int, int] | None = None  # (id, version) of the object it changes
    payload: Any = None  # what the confirmation writes (not stored)

    @property
    def status(self) -> str:
        return self.outcome

    @property
    def rejected(self) -> bool:
        return self.outcome == REJECTED

    def reject(self, column: str, message: Any, **params: Any) -> None:
        self.errors.append(RowError(column, message, params))
        self.outcome = REJECTED

    def change(self, column: str, old: str, new: str) -> None:
        self.changes.append((column, old, new))

    def settle(self, *, exists: bool) -> None:
        """New, or changed or unchanged by its changes; a rejected row stays rejected."""
        if self.rejected:
            return
        self.outcome = CHANGED if exists and self.changes else UNCHANGED if exists else NEW

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "key": self.key,
            "outcome": self.outcome,
            "changes": [list(c) for c in self.changes],
            "errors": [[e.column, e.text] for e in self.errors],
            "note": str(self.note),
        }


@dataclass
class Plan:
    rows: list[Any]  # RowPlan or a kind's subclass

    def of(self, outcome: str) -> list[Any]:
        return [row for row in self.rows if row.outcome == outcome]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def can_confirm(self) -> bool:
        """All or nothing: one rejected row blocks the file, so does a file of nothing."""
        return bool(self.rows) and not self.of(REJECTED)

    def fingerprint(self) -> list:
        """What the confirmation must find again: each row's outcome and target version."""
        return [[r.number, r.outcome, list(r.target) if r.target else None] for r in self.rows]
