"""Forms of the reporting rounds: they validate input only; the services re-check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from objectives.models import ReportingPeriod
from portal.forms import DayField
from projects.models import Programme

MAX_TEXT = 5000


class PeriodForm(forms.ModelForm):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.order_by("start_date"), empty_label=None
    )

    class Meta:
        model = ReportingPeriod
        fields = ["programme", "name", "cut_off", "due_date"]
        field_classes = {"cut_off": DayField, "due_date": DayField}
        help_texts = {"name": _("For example “Väliarviointi 4/2024”.")}


class AssessmentForm(forms.Form):
    """One summary per work package and two narrative texts per indicator.

    Field names carry the row ids (`wp-12`, `ind-7-behind`, `ind-7-next`); `summaries()` and
    `narratives()` give them back keyed by id for the service.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.package_fields = []
        for section in page.packages:
            name = f"wp-{section.package.pk}"
            self.fields[name] = forms.CharField(
                label=_("Summary of the work package"),
                required=False,
                max_length=MAX_TEXT,
                initial=section.summary,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            section.field = self[name]
        for section in page.indicators:
            for suffix, label, initial in (
                ("behind", _("What lies behind the trend"), section.behind_trend),
                ("next", _("What will be done"), section.next_steps),
            ):
                name = f"ind-{section.indicator.pk}-{suffix}"
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=MAX_TEXT,
                    initial=initial,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                setattr(section, f"{suffix}_field", self[name])
        self.fields["expected_version"].initial = page.version

    def summaries(self) -> dict[int, str]:
        return {
            int(name[3:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("wp-")
        }

    def narratives(self) -> dict[int, tuple[str, str]]:
        ids = {int(name.split("-")[1]) for name in self.cleaned_data if name.startswith("ind-")}
        return {
            pk: (self.cleaned_data[f"ind-{pk}-behind"], self.cleaned_data[f"ind-{pk}-next"])
            for pk in ids
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for returning"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning; the project manager sees it."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for returning the self-assessment."))
        return data
