"""Forms of the plan pages: input only; the services (projects.plan_services and the apps'
`*_save`) re-check the rules, the version and the permission."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.models import Indicator
from measures.services import INDICATOR_FIELDS
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from objectives.services import ACTION_FIELDS
from objectives.services import GOAL_FIELDS
from portal.forms import DayField
from portal.people import display_name
from projects.choices import PlanChange
from projects.models import Organisation
from projects.models import Project
from projects.models import WorkPackage
from projects.plan_services import NO_MARK
from projects.plan_services import WORK_PACKAGE_FIELDS

AUTO = "auto"
MARK_CHOICES = [
    (AUTO, _("Automatic: new or changed in the current plan version")),
    (PlanChange.NEW, PlanChange.NEW.label),
    (PlanChange.CHANGED, PlanChange.CHANGED.label),
    ("none", PlanChange.NONE.label),
]


class _PlanRowForm(forms.ModelForm):
    """The fields of one plan row, a reason, the version the user saw and the plan mark."""

    mark = forms.ChoiceField(
        label=_("Mark in the plan version"), choices=MARK_CHOICES, initial=AUTO, required=False
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,  # the service asks for it on an edit; a new row may go without
        help_text=_("Kept in the history with your name. Needed when you change a row."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["reason"].help_text = _("Kept in the history with your name.")
        live = {"project": project, "retired_on__isnull": True}
        if "work_package" in self.fields:
            self.fields["work_package"].queryset = WorkPackage.objects.filter(**live).order_by(
                "order", "code"
            )
        if "goals" in self.fields:
            self.fields["goals"].queryset = ProcessGoal.objects.filter(**live).order_by(
                "work_package__order", "order", "id"
            )
            self.fields["goals"].label_from_instance = lambda g: str(g)[:120]
        if "benefit_targets" in self.fields:
            self.fields["benefit_targets"].queryset = BenefitTarget.objects.all()
            self.fields["benefit_targets"].label_from_instance = lambda t: t.code
            self.fields["benefit_targets"].widget = forms.CheckboxSelectMultiple(
                choices=self.fields["benefit_targets"].choices
            )

    @property
    def plan_fields(self) -> tuple[str, ...]:
        """The row's own fields: the form's, without its many-to-many links."""
        model = self._meta.model._meta
        return tuple(n for n in self._meta.fields if not model.get_field(n).many_to_many)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.plan_fields}

    def chosen_mark(self):
        mark = self.cleaned_data.get("mark") or AUTO
        return NO_MARK if mark == AUTO else ("" if mark == "none" else mark)

    def yours(self) -> list[tuple[str, str, str]]:
        """(label, saved meanwhile, your input) for the conflict view, plan fields only."""
        return []


class WorkPackageForm(_PlanRowForm):
    class Meta:
        model = WorkPackage
        fields = WORK_PACKAGE_FIELDS

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        parents = WorkPackage.objects.filter(
            project=project, parent__isnull=True, retired_on__isnull=True
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("order", "code")


def _in_three_languages(field: str) -> dict[str, forms.Widget]:
    """Two-line text areas for a text the plan gives in Finnish, Swedish and English."""
    return {f"{field}_{code}": forms.Textarea(attrs={"rows": 2}) for code in ("fi", "sv", "en")}


class GoalForm(_PlanRowForm):
    class Meta:
        model = ProcessGoal
        fields = (*GOAL_FIELDS, "benefit_targets")
        field_classes = {"target_date": DayField}
        widgets = _in_three_languages("title")


class ActionForm(_PlanRowForm):
    class Meta:
        model = Action
        fields = (*ACTION_FIELDS, "goals", "benefit_targets")
        field_classes = {"planned_start": DayField, "planned_end": DayField}
        widgets = {**_in_three_languages("title"), "goals": forms.SelectMultiple(attrs={"size": 6})}
        help_texts = {
            "schedule_text": _(
                "As the plan writes it, e.g. 1-6/2023; empty dates are read from it."
            )
        }

    def __init__(self, *args, project: Project, people=None, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = display_name
        region_orgs = Organisation.objects.filter(region_id=project.region_id)
        self.fields["responsible_organisation"].queryset = (
            region_orgs | Organisation.objects.filter(pk=project.coordinator_id)
        ).order_by("name_fi")


class IndicatorForm(_PlanRowForm):
    class Meta:
        model = Indicator
        fields = (*INDICATOR_FIELDS, "goals")
        field_classes = {"baseline_date": DayField}
        widgets = {**_in_three_languages("name"), "goals": forms.SelectMultiple(attrs={"size": 6})}
        help_texts = {
            "source_id": _("E.g. the Sotkanet indicator number"),
            "goals": _("The goals this indicator follows"),
        }


def target_years(project: Project) -> list[int]:
    """The years a hanke's yearly targets are asked for: its own span, else the programme's."""
    start = project.start_date or project.programme.start_date
    end = project.end_date or project.programme.end_date
    return list(range(start.year, end.year + 1))


class TargetsForm(forms.Form):
    """One target per year (stored for 31 December; the last year's is the final target)."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("Kept in the history with your name."),
    )

    def __init__(self, *args, indicator: Indicator, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        current = {t.target_date: t.value for t in indicator.targets.all()}
        self.years = years
        for year in years:
            label = _("Target %(year)s") % {"year": year}
            if year == years[-1]:
                label = _("Target %(year)s (final)") % {"year": year}
            value = current.get(date(year, 12, 31))
            self.fields[f"target_{year}"] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=14,
                decimal_places=4,
                initial=value.normalize() if value is not None else None,
                localize=True,
            )
        self.order_fields([*(f"target_{y}" for y in years), "reason"])

    def targets(self) -> dict[date, object]:
        return {date(y, 12, 31): self.cleaned_data.get(f"target_{y}") for y in self.years}


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for retiring"),
        max_length=100,
        help_text=_("The row leaves the plan today and stays in the history and in past rounds."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PlanVersionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("E.g. 2023–2025 plan"))
    issued_on = DayField(label=_("Issued on"))
