from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from portal import page_cache

from . import selectors
from .access import Perm, access_key, can


@login_required
@require_GET
def home(request):
    """The first page after login: the regions and hankkeet the user may see, with counts."""
    from .access import roles_for

    context = {
        "can_manage_programme": can(request.user, Perm.MANAGE_PROGRAMME),
        "has_programme_role": roles_for(request.user).programme is not None,
        "can_compare": can(request.user, Perm.VIEW_PROGRAMME),
    }
    return page_cache.render(
        request,
        "projects/home.html",
        page="home",
        access=access_key(request.user),
        build=lambda: {"regions": selectors.region_overview_for_user(user=request.user)},
        context=context,
    )
