"""Long lists come in pages: one size and one query parameter for every page that has them."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.core.paginator import Paginator

# Rows per page of a long list (the hanke's actions and indicators, My work, a filtered hanke
# page, the change log): a screenful or two to scan, and a page whose size does not depend on
# the hanke's. 25, not 50: a hanke-page row carries its light, reason, schedule, owner and
# edit link, and 50 of them made the page render 2 × slower than the rest of the portal
# (docs/performance.md). The change log keeps its own `page` parameter.
PAGE_SIZE = 25
PARAM = "sivu"  # ?sivu=2, beside the other Finnish parameters (?paketti=, ?kierros=)
OPEN_PARAM = "paketti"  # ?paketti=<id>: the one folded section (a work package) opened


def page_of(items, number, *, per_page: int = PAGE_SIZE) -> Page:
    """That page of `items` (a queryset: a count and a slice; or a list); a missing, junk or
    out-of-range number gives the first or the last page, never an error."""
    return Paginator(items, per_page).get_page(number)


# A page number beyond any list a person pages through; a larger one reads as this (an
# offset PostgreSQL can take, never an error).
MAX_PAGE = 100_000


@dataclass(frozen=True)
class OpenPage:
    """A page of a list that is not counted: its rows, its number and whether more follow.

    For a list that grows for as long as the portal runs (the change log: every edit ever
    made): counting it all for "page 3 of 812" would cost more each day in service, so the
    page says "page 3" with links to the newer and the older rows."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def open_page(items, number, *, per_page: int = PAGE_SIZE) -> OpenPage:
    """That page of `items` (a queryset: one slice of `per_page` + 1 rows, no count); a
    missing or junk number gives the first page, a page past the end no rows."""
    try:
        number = min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(items[start : start + per_page + 1])
    return OpenPage(rows[:per_page], number, len(rows) > per_page)
