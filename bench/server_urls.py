"""The portal's URLs plus the benchmark's bare view (loaded only by bench/server_settings.py).

The bare view is the yardstick of `bench/pages.py`: the same server, middleware, session and
login check as every page (two queries: the session and the user), but no template and no
domain query. Keeping it here rather than in portal/urls.py keeps it out of production.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from portal.urls import urlpatterns as portal_urlpatterns


@login_required
@require_GET
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *portal_urlpatterns]
