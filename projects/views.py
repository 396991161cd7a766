from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .access import Perm, can, roles_for


@login_required
@require_GET
def home(request):
    """The first page after login: the regions and hankkeet the user may see, with counts."""
    context = {
        "regions": selectors.region_overview_for_user(user=request.user),
        "can_manage_programme": can(request.user, Perm.MANAGE_PROGRAMME),
        "has_programme_role": roles_for(request.user).programme is not None,
        "can_compare": can(request.user, Perm.VIEW_PROGRAMME),
    }
    return render(request, "projects/home.html", context)
