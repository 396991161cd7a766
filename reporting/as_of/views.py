"""Dashboards as of a past reporting round, and round comparisons (thin views).

The programme overview and the hanke page hand over here when the URL names a round
(`?kierros=<id>`); today's views stay as they are. `?kierros=viimeisin` redirects to the
newest round whose cut-off has passed, so the address in the bar can always be shared.
Reads are in `reporting.as_of.states` and `reporting.as_of.selectors`; the diff rules in
`reporting.rounds.compare`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.paging import OPEN_PARAM
from portal.paging import PARAM as PAGE_PARAM
from portal.paging import page_of
from projects.access import Perm
from projects.access import can
from projects.access import require
from projects.models import Project
from projects.selectors import project_get
from reporting.overview import selectors

from . import selectors as as_of_selectors
from . import states as as_of


def wants_round(request) -> bool:
    """True when the URL names a round: the views' branch to the "as of" path."""
    return bool(request.GET.get(as_of.PARAM, "").strip())


def _round_or_redirect(request, rounds, today_url: str):
    """(period, None), or (None, a redirect) for ?kierros=viimeisin or when none has passed."""
    value = request.GET.get(as_of.PARAM, "").strip()
    if value != as_of.LATEST:
        return as_of.round_pick(rounds, value), None
    if not rounds:
        messages.info(request, _("No reporting round has reached its cut-off yet."))
        return None, redirect(today_url)
    query = request.GET.copy()
    query[as_of.PARAM] = str(rounds[0].pk)
    return None, redirect(f"{request.path}?{query.urlencode()}")


@login_required
@require_GET
def overview_as_of(request):
    """The programme overview as of a past round (from `reporting.overview.views.overview`)."""
    visible = Project.objects.visible_to(request.user)
    rounds = as_of.past_rounds(
        programme_ids=visible.values("programme_id"), today=timezone.localdate()
    )
    today_url = reverse("reporting:overview")
    period, response = _round_or_redirect(request, rounds, today_url)
    if response is not None:
        return response
    data = as_of_selectors.overview_as_of(
        user=request.user,
        period=period,
        sort=selectors.parse_sort(request.GET.get("sort")),
        ht=selectors.parse_ht(request.GET.get("ht")),
    )
    today_query = {k: v for k, v in request.GET.items() if k != as_of.PARAM and v}
    context = {
        "overview": data,
        "period": period,
        "rounds": rounds,
        "ht_numbers": selectors.HT_NUMBERS,
        "today_url": f"{today_url}?{urlencode(today_query)}" if today_query else today_url,
        "can_compare": can(request.user, Perm.VIEW_PROGRAMME),
    }
    return render(request, "reporting/overview_as_of.html", context)


@login_required
@require_GET
def project_as_of(request, project_pk: int):
    """The hanke page as of a past round (from `dashboards.views.project_page`): lights only, no
    editing controls, filters left out. Folded like today's page: the work packages (and
    the indicators, and what has left the plan since) with their lights and counts, one
    opened at a time (?paketti=), its rows a page at a time (?sivu=)."""
    project = project_get(user=request.user, pk=project_pk)
    rounds = as_of.past_rounds(programme_ids=[project.programme_id], today=timezone.localdate())
    today_url = reverse("objectives:hanke", args=[project.pk])
    period, response = _round_or_redirect(request, rounds, today_url)
    if response is not None:
        return response
    page = as_of_selectors.project_as_of(project=project, period=period)
    opened = page.opened_key(request.GET.get(OPEN_PARAM))
    context = {
        "project": project,
        "page": page,
        "opened": opened,
        "rows": page_of(page.rows(opened), request.GET.get(PAGE_PARAM)) if opened else None,
        "indicators_key": as_of_selectors.INDICATORS,
        "removed_key": as_of_selectors.REMOVED,
        "period": period,
        "rounds": rounds,
        "today_url": today_url,
    }
    return render(request, "reporting/hanke_as_of.html", context)


def _pair(request, rounds):
    """Rounds a and b from ?a=&b=; by default the two newest (a the older). 404 if unknown."""
    a, b = request.GET.get("a"), request.GET.get("b")
    if len(rounds) < 2 and not (a and b):
        return None, None
    before = as_of.round_pick(rounds, a) if a else rounds[1]
    after = as_of.round_pick(rounds, b) if b else rounds[0]
    return before, after


@login_required
@require_GET
def project_round_compare(request, project_pk: int):
    """Round a → round b for one hanke: what changed colour, what is new, what was dropped."""
    project = project_get(user=request.user, pk=project_pk)
    rounds = as_of.past_rounds(programme_ids=[project.programme_id], today=timezone.localdate())
    a, b = _pair(request, rounds)
    result = as_of_selectors.compare_hankkeet(projects=[project], a=a, b=b)[0] if a else None
    context = {"project": project, "rounds": rounds, "a": a, "b": b, "result": result}
    return render(request, "reporting/round_compare_hanke.html", context)


@login_required
@require_GET
def programme_round_compare(request):
    """Round a → round b for every hanke (ministry, THL and the programme office)."""
    require(can(request.user, Perm.VIEW_PROGRAMME))
    visible = Project.objects.visible_to(request.user)
    rounds = as_of.past_rounds(
        programme_ids=visible.values("programme_id"), today=timezone.localdate()
    )
    a, b = _pair(request, rounds)
    results = []
    if a:
        projects = list(visible.select_related("region").order_by("region__name_fi", "name_fi"))
        results = as_of_selectors.compare_hankkeet(projects=projects, a=a, b=b)
    context = {
        "rounds": rounds,
        "a": a,
        "b": b,
        "results": results,
        "changed": [r for r in results if not r.comparison.empty],
        "totals": as_of_selectors.total_counts(results),
    }
    return render(request, "reporting/round_compare_programme.html", context)
