"""Tables sorted by a column, server-side, the choice kept in the URL (`?jarjestys=tila`,
`?jarjestys=-tila` for the reverse): one parameter for every sortable table."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case
from django.db.models import F
from django.db.models import IntegerField
from django.db.models import OrderBy
from django.db.models import Value
from django.db.models import When

from .lights import Light

SORT_PARAM = "jarjestys"

# Worst first when a table is sorted by its lights.
LIGHT_ORDER = (Light.RED, Light.ORANGE, Light.YELLOW, Light.GREEN, Light.GREY)


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort_of(raw: str | None, keys: Sequence[str], default: str) -> Sort:
    """The sort a URL asks for; an unknown or missing key gives the default, ascending."""
    text = (raw or "").strip()
    key = text.removeprefix("-")
    if key not in keys:
        return Sort(default)
    return Sort(key, descending=text.startswith("-"))


def order_by(sort: Sort, columns: Mapping[str, Sequence[str]]) -> list[OrderBy]:
    """ORDER BY for `sort`: the column's fields in its direction, empty values last."""
    return [
        F(name).desc(nulls_last=True) if sort.descending else F(name).asc(nulls_last=True)
        for name in columns[sort.key]
    ]


def light_rank(field: str) -> Case:
    """An integer per stored light value, worst first (for `annotate`)."""
    whens = [
        When(**{field: light.value}, then=Value(rank)) for rank, light in enumerate(LIGHT_ORDER)
    ]
    return Case(*whens, default=Value(len(LIGHT_ORDER)), output_field=IntegerField())
