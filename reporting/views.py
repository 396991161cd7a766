"""The programme overview: regions × benefit targets from the stored lights (thin view)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@login_required
@require_GET
def overview(request):
    sort = selectors.parse_sort(request.GET.get("sort"))
    ht = selectors.parse_ht(request.GET.get("ht"))
    data = selectors.overview_rows(user=request.user, sort=sort, ht=ht)
    context = {
        "overview": data,
        "ht_numbers": selectors.HT_NUMBERS,
    }
    return render(request, "reporting/overview.html", context)
