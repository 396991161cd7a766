"""Long lists come in pages: one size and one query parameter for every page that has them."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

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
