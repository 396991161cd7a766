"""Long lists come in pages: one size and one query parameter for every page that has them."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

# Rows per page of a long list (the hanke's actions and indicators, My work, a filtered hanke
# page): a screenful or two to scan, and a page that renders in a few milliseconds whatever
# the hanke's size. The change log keeps its own size and `page` parameter.
PAGE_SIZE = 50
PARAM = "sivu"  # ?sivu=2, beside the other Finnish parameters (?paketti=, ?kierros=)


def page_of(items, number, *, per_page: int = PAGE_SIZE) -> Page:
    """That page of `items` (a queryset: a count and a slice; or a list); a missing, junk or
    out-of-range number gives the first or the last page, never an error."""
    return Paginator(items, per_page).get_page(number)
