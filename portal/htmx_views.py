"""How a page answers htmx: the partial a swap asks for, and the reload after a saved form.

Every app's "add a row" form (an expense, a risk, a meeting, a decision) works the same way:
a refused submit over htmx gets the form's partial back with the errors and the input kept
(200, so htmx swaps it); a saved one reloads the page (HX-Redirect), because totals, lights
and charts change with it. Without JavaScript the form posts normally and redirects back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from .forms import add_service_errors


def htmx_template(request, template: str, partial: str) -> str:
    """`template#partial` for an htmx swap; the whole page otherwise (a boosted link too)."""
    return f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template


def saved_response(request, url: str, text: str) -> HttpResponse:
    """Say `text` on the next page and go to `url` (HX-Redirect for htmx, else a redirect)."""
    messages.success(request, text)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def entry_form_post(
    request,
    form,
    save: Callable[[dict[str, Any]], Any],
    *,
    done: Callable[[Any], tuple[str, str]],
    template: str,
    partial: str,
    context: dict[str, Any],
) -> HttpResponse | None:
    """Answer a posted entry form; the caller has checked that the user may write.

    `save(cleaned_data)` calls the service; a ValidationError it raises lands on the form.
    Saved: `done(result)` gives the page to reload and the message to show there. Refused
    over htmx: the form's partial (`context` plus the form). Refused without htmx: None, and
    the caller renders the whole page with the form and its errors.
    """
    if form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return saved_response(request, *done(result))
    if request.htmx:
        return render(request, htmx_template(request, template, partial), {**context, "form": form})
    return None
