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
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


MAX_UPLOAD_BYTES = 1_000_000  # a Sotkanet file for one indicator is a few kilobytes


class SotkanetFileForm(forms.Form):
    """A Sotkanet json or ;-csv file, for use without a network connection."""

    file = forms.FileField(
        label=_("Sotkanet file"),
        help_text=_("The JSON or CSV (;-separated) file downloaded from Sotkanet, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".json", ".csv")):
            raise forms.ValidationError(_("Choose a .json or .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            upload.text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        return upload
