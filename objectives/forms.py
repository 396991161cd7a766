from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ActionStatus


class ActionStatusForm(forms.Form):
    """Input only; action_status_update re-checks permission and the invariants."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    status_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the action is marked done or cancelled."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
