"""The programme overview and the region comparison, from the stored lights (thin views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.access import Perm
from projects.access import can
from projects.access import require
from reporting.as_of import views as as_of_views

from . import charts
from . import compare
from . import selectors
from .forms import CompareForm


@login_required
@require_GET
def overview(request):
    if as_of_views.wants_round(request):  # ?kierros=…: a past round, its own read path
        return as_of_views.overview_as_of(request)
    sort = selectors.parse_sort(request.GET.get("sort"))
    ht = selectors.parse_ht(request.GET.get("ht"))
    context = {
        "overview": selectors.overview_rows(user=request.user, sort=sort, ht=ht),
        "ht_numbers": selectors.HT_NUMBERS,
        "can_compare": can(request.user, Perm.VIEW_PROGRAMME),
    }
    return render(request, "reporting/overview.html", context)


@login_required
@require_GET
def compare_regions(request):
    """Hankkeet side by side on one HT or one shared indicator (programme-level roles only).

    403 for hanke roles: the comparison is of every region, which they do not see.
    """
    require(can(request.user, Perm.VIEW_PROGRAMME))
    return render(request, "reporting/compare.html", _comparison(request))


def _comparison(request) -> dict:
    form = CompareForm(request.GET or None, shared=compare.shared_indicator_list(user=request.user))
    by_ht = by_indicator = chart = None
    if not form.is_bound or form.is_valid():
        key = form.indicator_key if form.is_bound else None
        if key is not None:
            by_indicator = compare.compare_by_indicator(user=request.user, key=key)
            if by_indicator.has_measurements:
                chart = charts.indicator_comparison_figure(
                    by_indicator.rows, by_indicator.unit_label
                )
        else:
            ht = form.ht_number if form.is_bound else None
            by_ht = compare.compare_by_ht(user=request.user, ht=ht)
            chart = charts.ht_comparison_figure(by_ht.rows) if by_ht.rows else None
    return {"form": form, "by_ht": by_ht, "by_indicator": by_indicator, "chart": chart}
