"""Forms for people management, expenses and risks: input only; the services in
`services.py` re-check the rules (permission, own membership, duplicates, versions)."""

from __future__ import annotations

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import DayField
from portal.people import display_name

from .choices import BudgetCategory
from .choices import MembershipRole
from .choices import ProgrammeRoleKind
from .choices import RiskStatus
from .money import MoneyRejected
from .money import parse_money


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


class ExpenditureForm(forms.Form):
    """One expense; the amount is typed as people write money ("1 304 000,50 €")."""

    date = DayField(label=_("Date"))
    amount = forms.CharField(
        label=_("Amount (€)"),
        max_length=40,
        help_text=_("In euros, e.g. 12 500 or 12 500,50"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        label=_("Cost category"),
        choices=[(v, label) for v, label in BudgetCategory.choices if v != BudgetCategory.TOTAL],
    )
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=None, required=False, empty_label=_("None")
    )
    description = forms.CharField(label=_("Description"), max_length=300)

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines
        self.fields["budget_line"].label_from_instance = lambda line: str(line)[:120]

    def clean_amount(self):
        try:
            return parse_money(self.cleaned_data["amount"], allow_zero=False)
        except MoneyRejected as exc:
            raise forms.ValidationError(str(exc)) from None


_RATING = [("", _("Not rated"))] + [(str(n), str(n)) for n in range(1, 6)]


# A 1–5 rating of a risk, or none (left unrated).
_rating = partial(
    forms.TypedChoiceField, choices=_RATING, coerce=int, empty_value=None, required=False
)


class RiskForm(forms.Form):
    """A risk of the register; likelihood and impact 1–5, or left unrated."""

    title = forms.CharField(label=_("Risk"), max_length=400)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cause = forms.CharField(
        label=_("Cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    likelihood = _rating(
        label=_("Likelihood (1–5)"), help_text=_("1 = very unlikely, 5 = almost certain")
    )
    impact = _rating(label=_("Impact (1–5)"), help_text=_("1 = negligible, 5 = severe"))
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    owner_text = forms.CharField(
        label=_("Owner as written"),
        max_length=200,
        required=False,
        help_text=_("A role or group when the owner is not one person with an account"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices)
    next_review = DayField(label=_("Next review"), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = display_name


class MeetingForm(forms.Form):
    """A steering group meeting: its date, who attended and notes."""

    date = DayField(label=_("Date"))
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names and organisations, one per line"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecisionForm(forms.Form):
    """A decision or follow-up item with an owner, a due date and, optionally, an action."""

    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_date = DayField(label=_("Due date"), required=False)
    action = forms.ModelChoiceField(
        label=_("Action of the plan"),
        queryset=None,
        required=False,
        help_text=_("When the follow-up item is an action of the plan"),
    )

    def __init__(self, *args, people=None, actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = display_name
        self.fields["action"].queryset = actions
        self.fields["action"].label_from_instance = lambda a: str(a)[:120]


class FinanceImportForm(forms.Form):
    """The finance system's CSV of periodic totals per budget line (docs/finance-import.md)."""

    file = forms.FileField(
        label=_("CSV file from the finance system"),
        help_text=_("UTF-8 or Finnish Excel's CSV (semicolon), at most 2 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
