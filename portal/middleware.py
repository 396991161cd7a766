"""Language choice: Finnish unless the user has picked another language with the switch."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .views import database_unavailable
from .views import unavailable_response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language.

    Many Finnish users run English-language browsers; the portal must still open in
    Finnish. The language switch stores the choice in the language cookie, which wins.
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class DatabaseUnavailableMiddleware:
    """A view that meets a database it cannot reach (OperationalError, InterfaceError)
    answers 503 "temporarily unavailable" in the portal's layout instead of a 500, and the
    outage is logged once (portal.outage), not with a traceback per request. Errors raised
    in other middleware reach portal.views.server_error, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None
