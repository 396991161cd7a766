"""The WSGI application (gunicorn: `portal.wsgi:application`).

What the process builds at start (apps and models, the URL configuration and the views it
imports, every language's translations) lives as long as the process. Left to the garbage
collector, each full collection scanned ~150 000 such objects: ~75 ms, landing on whichever
request was running (docs/performance.md, "Fifth session"). They are built here once and
frozen (`gc.freeze`, CPython's advice for a server that forks its workers): a full collection
then scans only what requests made, and a forked worker keeps sharing those memory pages.
"""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()


def _build_what_lives_as_long_as_the_process() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration and its views
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("")  # loads the language's catalogue


_build_what_lives_as_long_as_the_process()
gc.freeze()
