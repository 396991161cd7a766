"""A person's own settings (e-mail language, weekly digest) and the digest's unsubscribe link.

Thin views (R11): the preferences page is the signed-in user's own (nobody else's can be
reached, so no 404 case); the unsubscribe page needs no login because the signed token in
its address names the user. It answers GET with a confirmation button (link scanners in
mail systems open links, so GET changes nothing) and POST by turning the digest off; mail
clients that support RFC 8058 POST to it directly, without a CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import mail
from .forms import PreferencesForm


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The signed-in user's e-mail language and weekly digest choice."""
    prefs = mail.preferences_get(user=request.user)
    form = PreferencesForm(instance=prefs)
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=prefs)
        if form.is_valid():
            mail.preferences_save(
                actor=request.user,
                user=request.user,
                language=form.cleaned_data["language"],
                digest_enabled=form.cleaned_data["digest_enabled"],
            )
            messages.success(request, _("Settings saved."))
            return redirect("preferences")
    return render(request, "portal/preferences.html", {"form": form, "prefs": prefs})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token: str):
    """One-click unsubscribe from the weekly digest, by the signed link in the e-mail."""
    user = mail.unsubscribe_user(token)
    if user is None:
        raise Http404
    done = False
    if request.method == "POST":
        mail.digest_unsubscribe(user=user)
        done = True
    return render(request, "portal/unsubscribe.html", {"done": done, "token": token})
