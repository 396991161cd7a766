"""PDF documents from Django templates, with WeasyPrint.

`render_pdf(template, context, language=…)` renders the template to HTML in the reader's
language (`translation.override`) and lays it out as A4 pages with WeasyPrint, with the
print stylesheet `static/css/pdf.css` (page size, margins, the running footer with the page
number "n / N", tables whose header row repeats on every page).

Nothing is fetched from the network: WeasyPrint asks `StaticFilesFetcher` for every URL a
document or stylesheet names, and it serves only our own static files (found through the
staticfiles finders, as the development server does) under the portal's own static URL
(`<request's host>/static/`, read from disk, never over HTTP). Any other URL (another host,
a file: path, a data: URL, a path outside the static files) is refused, and WeasyPrint
leaves that resource out. Charts are inline SVG built server-side
(chart_images.py beside this: Plotly drew them in headless Chromium), so no script runs
either.

Templates extend `reporting/pdf_base.html`, which links the stylesheet and sets the footer's
texts (`string-set`), so the page furniture is translated with the rest.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from . import hyphenation

logger = logging.getLogger(__name__)

# The base URL when no request gives one: a host that can never resolve (RFC 2606).
DEFAULT_BASE_URL = "https://portal.invalid/"
STYLESHEET = "css/pdf.css"
LIGHTS_STYLESHEET = "css/lights.css"  # the lights' colours (portal/lights.py COLOURS)
PDF_CONTENT_TYPE = "application/pdf"


Context = dict | Callable[[], dict]


class FetchRefused(ValueError):
    """A document asked for a resource that is not one of our static files."""


def _static_prefix(base_url: str) -> str:
    return base_url.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"


def static_url(path: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The URL under which a document names one of our static files (e.g. css/pdf.css)."""
    return _static_prefix(base_url) + path.lstrip("/")


class StaticFilesFetcher(URLFetcher):
    """Serves our static files to WeasyPrint and refuses everything else (no network).

    `base_url` is the portal's own address (the request's), so links in the PDF lead to the
    portal; resources under its static URL are read from disk through the finders.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        # fail_on_errors=False: a refused resource is left out (logged), not a failed document.
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        self.prefix = _static_prefix(base_url)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self.static_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": content_type})

    def static_path(self, url: str) -> Path:
        """The file of a static URL; FetchRefused for any other URL."""
        if not url.startswith(self.prefix) or urlsplit(url).netloc != urlsplit(self.prefix).netloc:
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise FetchRefused(f"not one of the portal's static files: {url[:200]}")
        relative = unquote(urlsplit(url).path[len(urlsplit(self.prefix).path) :])
        # finders.find joins with safe_join: ".." out of the static folders raises.
        try:
            found = finders.find(relative)
        except Exception as exc:  # SuspiciousFileOperation and the like
            raise FetchRefused(f"refused static path: {relative[:200]}") from exc
        if not found:
            raise FetchRefused(f"no such static file: {relative[:200]}")
        return Path(found)


def render_html(
    template: str, context: Context, *, language: str, base_url: str = DEFAULT_BASE_URL
) -> str:
    """The document's HTML in `language` (what `render_pdf` lays out).

    `context` may be a callable: it is called inside the language override, so charts and
    other texts built in Python are in the reader's language too.
    """
    with translation.override(language):
        values = context() if callable(context) else context
        return render_to_string(
            template,
            {
                **values,
                "pdf_stylesheet": static_url(STYLESHEET, base_url),
                "lights_stylesheet": static_url(LIGHTS_STYLESHEET, base_url),
                "language": language,
                "generated_at": timezone.localtime(),
            },
        )


def render_pdf(
    template: str, context: Context, *, language: str, base_url: str = DEFAULT_BASE_URL
) -> bytes:
    """The template as A4 PDF bytes, in `language`; resources only from our static files.

    `base_url` is the portal's address (`request.build_absolute_uri("/")`): links in the
    PDF lead there. Takes about a second for a small hanke, a few for the largest.
    """
    html = render_html(template, context, language=language, base_url=base_url)
    hyphenation.register()  # Finnish words break at syllables ("Työpa-ketti"), not anywhere
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url))
    return document.write_pdf()
