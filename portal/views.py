"""Cross-cutting views: the health check and the error pages."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError
from django.db import OperationalError
from django.http import HttpResponse
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import public_summary
from .health import run_checks
from .outage import outages


@never_cache
@require_GET
def healthz(request):
    """Public: "ok" or "failing" for the database, cache and broker, 200 when all are up,
    else 503, within about two seconds. What failed and why goes to the log, once."""
    body = public_summary(run_checks())
    response = JsonResponse(body, status=200 if body["status"] == "ok" else 503)
    response._has_been_logged = True  # the outage is logged once by run_checks
    return response


# --- Error pages: the portal's layout, the user's language, no database --------------------
# Rendered without the context processors (they read the user and the session from the
# database, which may be what failed): the layout shows no user menu or navigation, only
# the header, the language switch and the message.

ERROR_TEMPLATES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html"}


def error_page(request, template: str, status: int, **context) -> HttpResponse:
    context = {
        "request": request,
        "csrf_token": get_token(request),
        "SITE_NAME": settings.SITE_NAME,
        **context,
    }
    return HttpResponse(render_to_string(template, context), status=status)


def bad_request(request, exception=None):
    return error_page(request, ERROR_TEMPLATES[400], 400)


def permission_denied(request, exception=None):
    return error_page(request, ERROR_TEMPLATES[403], 403)


def page_not_found(request, exception=None):
    return error_page(request, ERROR_TEMPLATES[404], 404)


def server_error(request):
    """500, or 503 when what failed is the database (handler500 runs inside the `except`
    that caught the error, also one raised in a middleware)."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        return unavailable_response(request, exc)
    return error_page(request, "errors/500.html", 500)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: the form was open too long, or cookies are off."""
    return error_page(request, "errors/403_csrf.html", 403)


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request, exc: BaseException) -> HttpResponse:
    """503 "temporarily unavailable", one log line per outage (portal.outage)."""
    outages.failed("database", exc)
    response = error_page(request, "errors/503.html", 503)
    response["Retry-After"] = "60"
    # Logged above, once per outage: Django's own "Service Unavailable: <path>" line for
    # every request would bury it (django.utils.log.log_response honours this flag).
    response._has_been_logged = True
    return response
