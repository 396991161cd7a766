"""How a page answers htmx: the partial a swap asks for, and the reload after a saved form.

Every app's "add a row" form (an expense, a risk, a meeting, a decision) works the same way:
a refused submit over htmx gets the form's partial back with the errors and the input kept
(200, so htmx swaps it); a saved one reloads the page (HX-Redirect), because totals, lights
and charts change with it. Without JavaScript the form posts normally and redirects back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect

from .form_saves import form_save


def htmx_template(request, template: str, partial: str) -> str:
    """`template#partial` for an htmx swap; the whole page otherwise (a boosted link too)."""
    return f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template


def saved_response(request, url: str, text: str) -> HttpResponse:
    """Say `text` on the next page and go to `url` (HX-Redirect for htmx, else a redirect)."""
    messages.success(request, text)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@dataclass(frozen=True)
class Entry:
    """A page's "add a row" form: the page's template, the form's partial in it, and what is
    said on the page reloaded after a saved row."""

    template: str
    partial: str
    saved: str  # a lazy translation: said in the language of the request

    def post(
        self,
        request,
        form,
        save: Callable[..., Any],
        *,
        url: Callable[[Any], str] | None = None,
        **context: Any,
    ) -> HttpResponse | None:
        """Answer the posted `form`; the caller has checked that the user may write.

        `save(**cleaned_data)` calls the service; a ValidationError it raises lands on the
        form. Saved: reload the page (`url(result)` when the row has a page of its own, else
        the page posted to) and say `saved` there. Refused over htmx: the form's partial
        (`context` plus the form). Refused without htmx: None, and the caller renders the
        whole page with the form and its errors.
        """
        if form.is_valid():
            result, _conflict = form_save(form, lambda: save(**form.cleaned_data))
            if result is not None:
                target = url(result) if url else request.path
                return saved_response(request, target, self.saved)
        if request.htmx:
            template = htmx_template(request, self.template, self.partial)
            return render(request, template, {**context, "form": form})
        return None
