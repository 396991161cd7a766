from __future__ import annotations

from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import CompactSelect
from portal.forms import DayField
from portal.lights import ACTION_LABELS
from portal.lights import Light
from portal.people import display_name

from .choices import ActionStatus


class ActionStatusForm(forms.Form):
    """Input only; action_status_update re-checks permission and the invariants."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    status_date = DayField(label=_("Date"))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the action is closed, moves back or is late."),
    )
    planned_end = DayField(
        label=_("Planned end"),
        required=False,
        help_text=_("Change it only when the schedule changes, and give the reason."),
    )
    planned_end_reason = forms.CharField(
        label=_("Reason for the new planned end"), required=False, max_length=1000
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, people=None, current_status: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if current_status != ActionStatus.NOT_REPORTED:
            # Once a status is recorded the action cannot go back to "not reported"
            # (objectives.status.status_change_problem); offered only while it is current.
            self.fields["status"].choices = [
                c for c in ActionStatus.choices if c[0] != ActionStatus.NOT_REPORTED
            ]
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = display_name


class ProjectFilterForm(forms.Form):
    """The hanke page's filters, sent with GET so a filtered view can be shared as a link."""

    wp = forms.TypedChoiceField(
        label=_("Work package"), required=False, coerce=int, empty_value=None, widget=CompactSelect
    )
    ht = forms.TypedChoiceField(
        label=_("Benefit target (HT)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All"))] + [(n, f"HT{n}") for n in range(1, 6)],
        widget=CompactSelect,
    )
    light = forms.ChoiceField(
        label=_("Light"),
        required=False,
        # Grey holds not started, not reported and cancelled actions alike: no one word.
        choices=[("", _("All"))]
        + [
            (light.value, light.label if light is Light.GREY else label)
            for light, label in ACTION_LABELS.items()
        ],
        widget=CompactSelect,
    )
    late = forms.BooleanField(label=_("Late only"), required=False)
    owner = forms.TypedChoiceField(
        label=_("Owner"), required=False, coerce=int, empty_value=None, widget=CompactSelect
    )
    plan_version = forms.TypedChoiceField(
        label=_("Plan version"), required=False, coerce=int, empty_value=None, widget=CompactSelect
    )
    new = forms.BooleanField(label=_("New in this plan only"), required=False)
    q = forms.CharField(label=_("Search titles"), required=False, max_length=200, strip=True)

    def __init__(self, *args, people=None, plan_versions=None, packages=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Packages and plan versions come as the lists the page has read: no query here.
        # `people` gives the owners as (id, name) when called: read once, only if the select is
        # drawn or an owner is asked for (a package opened in place draws no form).
        self.fields["wp"].choices = [("", _("All"))] + [
            (p.pk, f"{p.code} {p.display_name}"[:80]) for p in packages or ()
        ]
        self.fields["owner"].choices = cache(
            lambda: [("", _("All")), *(people() if people else ())]
        )
        self.fields["plan_version"].choices = [("", _("All"))] + [
            (version.pk, str(version)) for version in plan_versions or ()
        ]
