"""Forms for people management: input only; the services in `services.py` re-check the
rules (permission, own membership, duplicates, versions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MembershipRole, ProgrammeRoleKind


class InviteForm(forms.Form):
    """Invite a person to a hanke by e-mail; the names are used only for a new account."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("An existing account with this address is reused."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.WORKER
    )


class RoleForm(forms.Form):
    """Change the role of one membership; `expected_version` detects a concurrent change."""

    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ProgrammeRoleForm(forms.Form):
    """A user's programme-wide role; empty means none."""

    programme_role = forms.ChoiceField(
        label=_("Programme role"),
        choices=[("", _("No programme role")), *ProgrammeRoleKind.choices],
        required=False,
    )
