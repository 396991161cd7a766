"""Forms of the portal app: a person's own preferences."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import UserPreferences


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = UserPreferences
        fields = ["language", "digest_enabled"]
        labels = {
            "language": _("Language of e-mail"),
            "digest_enabled": _("Send me the weekly digest"),
        }
        help_texts = {
            "digest_enabled": _(
                "On Monday mornings: the actions you own that are late and the risks you own "
                "whose review date has passed. Nothing is sent in a week with nothing to report."
            ),
        }
