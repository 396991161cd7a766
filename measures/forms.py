from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import DayField

from .choices import MeasurementSource

ENTRY_SOURCES = [
    (MeasurementSource.MANUAL, MeasurementSource.MANUAL.label),
    (MeasurementSource.PLAN, MeasurementSource.PLAN.label),
]


class MeasurementForm(forms.Form):
    """Input only; measurement_save re-checks unit, period and uniqueness."""

    period = DayField(
        label=_("Period"),
        help_text=_("Any day of the period; the value is stored for the period's last day."),
    )
    value = forms.CharField(
        label=_("Value"), max_length=50, help_text=_("E.g. 42, 84,6 or a fraction 698/788.")
    )
    source = forms.ChoiceField(label=_("Source"), choices=ENTRY_SOURCES, initial="manual")
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,  # measurement_save asks for it when the period already has a value
        max_length=100,
        help_text=_("Needed when the period already has a value: why the value is corrected."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


class SotkanetFileForm(forms.Form):
    """A Sotkanet json or ;-csv file, for use without a network connection."""

    file = forms.FileField(
        label=_("Sotkanet file"),
        help_text=_("The JSON or CSV (;-separated) file downloaded from Sotkanet, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )

    def clean_file(self):
        """The type only: portal.uploads reads the file within its limits
        (SOTKANET_FILE_MAX_BYTES, a Sotkanet file for one indicator is a few kilobytes)."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".json", ".csv")):
            raise forms.ValidationError(_("Choose a .json or .csv file."))
        return upload
