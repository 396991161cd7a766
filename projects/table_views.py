"""A hanke's sortable table page (its actions, its indicators): one view body for each of them."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from django.core.paginator import Page
from django.shortcuts import render

from portal.paging import PARAM
from portal.sorting import SORT_PARAM
from portal.sorting import sort_of

from .selectors import project_get


def project_table(
    request, project_pk: int, rows: Callable[..., Page], sorts: Iterable[str], template: str
):
    """The hanke's rows, a page at a time (?sivu=), sorted by a column (?jarjestys=, one of
    `sorts`; the first, plan order, when it is missing or unknown). `rows(user=, project=,
    page=, sort=)` reads them; the template gets the page's `rows`, `page`, `sort` and the
    `project`."""
    project = project_get(user=request.user, pk=project_pk)
    keys = list(sorts)
    sort = sort_of(request.GET.get(SORT_PARAM), keys, keys[0])
    page = rows(user=request.user, project=project, page=request.GET.get(PARAM), sort=sort)
    context = {"project": project, "page": page, "rows": page.object_list, "sort": sort}
    return render(request, template, context)
