"""The compare page's GET form: what to compare, kept in the URL so a view can be shared."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reporting.exports.national import NATIONAL_TABLES

from .compare import ALL_HTS
from .compare import HT_NUMBERS
from .compare import IndicatorKey
from .compare import SharedIndicator


def _ht_choices() -> list[tuple[str, str]]:
    return [(ALL_HTS, _("All benefit targets (overall light)"))] + [
        (str(n), _("HT%(number)s") % {"number": n}) for n in HT_NUMBERS
    ]


class CompareForm(forms.Form):
    """Either a benefit target (`ht`: 1–5 or "all") or a shared indicator (`indicator`).

    Without either, the page compares the hankkeet's overall lights. The indicator choices
    are the keys shared by hankkeet the user sees (`compare.shared_indicator_list`), so a
    URL naming any other indicator is refused as an invalid choice.
    """

    ht = forms.ChoiceField(
        label=_("Benefit target"), required=False, choices=_ht_choices, initial=ALL_HTS
    )
    indicator = forms.ChoiceField(label=_("Shared indicator"), required=False)

    def __init__(self, *args, shared: list[SharedIndicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ht"].widget.attrs["id"] = "compare-ht"
        self.fields["indicator"].widget.attrs["id"] = "compare-indicator"
        self.fields["indicator"].choices = [("", _("Choose an indicator"))] + [
            (
                s.key.value,
                ngettext(
                    "%(name)s (%(source)s, %(count)s hanke)",
                    "%(name)s (%(source)s, %(count)s hankkeet)",
                    s.hankkeet,
                )
                % {"name": s.name, "source": s.source_label, "count": s.hankkeet},
            )
            for s in shared
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ht") and cleaned.get("indicator"):
            raise forms.ValidationError(
                _("Choose either a benefit target or an indicator, not both."), code="both"
            )
        return cleaned

    @property
    def indicator_key(self) -> IndicatorKey | None:
        """The chosen indicator (valid form only)."""
        return IndicatorKey.parse(self.cleaned_data.get("indicator"))

    @property
    def ht_number(self) -> int | None:
        """The chosen HT, None for all (valid form only)."""
        value = self.cleaned_data.get("ht")
        return int(value) if value and value != ALL_HTS else None


class NationalExtractForm(forms.Form):
    """The national extract's options: the round, and the workbook or one CSV table."""

    FORMATS = [("xlsx", _("Excel workbook (XLSX), every table")), ("csv", _("CSV, one table"))]
    SEPARATORS = [
        ("comma", _("Comma, ISO dates, decimal point (for programs)")),
        ("semicolon", _("Semicolon, Finnish dates and decimal comma (for Finnish Excel)")),
    ]

    period = forms.ModelChoiceField(label=_("Reporting round"), queryset=None, empty_label=None)
    format = forms.ChoiceField(
        label=_("Format"), choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    # The CSV options are ignored for the workbook, so they may be left out.
    table = forms.ChoiceField(label=_("CSV table"), choices=(), initial="actions", required=False)
    sep = forms.ChoiceField(
        label=_("CSV separator"),
        choices=SEPARATORS,
        initial="comma",
        widget=forms.RadioSelect,
        required=False,
    )
    bom = forms.BooleanField(
        label=_("Add a byte order mark (Excel then reads UTF-8 correctly)"), required=False
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["table"].choices = [(t.key, t.title) for t in NATIONAL_TABLES.values()]

    def clean(self):
        data = super().clean()
        if data.get("format") == "csv" and not data.get("table"):
            self.add_error("table", _("Choose the table to export as CSV."))
        return data
