"""The audit trail pages: one object's history and the programme-wide change log.

Read-only by design: history cannot be edited in the UI, so both views answer GET only
(405 for anything else) and nothing here writes. The selectors beside them do the reads and
the permission checks.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal.forms import CompactSelect
from portal.forms import DayField
from projects.access import Perm
from projects.access import can
from projects.access import require
from projects.models import Project

from . import selectors as audit


class ChangeLogFilterForm(forms.Form):
    """GET filters of the change log; every field is optional."""

    # A text search, not a select: the programme's people would make a select (and the page)
    # grow with every account.
    user = forms.CharField(
        label=_("Changed by (name or username)"), required=False, max_length=150, strip=True
    )
    project = forms.ModelChoiceField(
        label=_("Hanke"),
        queryset=Project.objects.order_by("name_fi"),
        required=False,
        empty_label=_("All hankkeet"),
        widget=CompactSelect,
    )
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned


@login_required
@require_GET
def object_history_view(request, model_key: str, pk: int):
    """Who changed what and when in one object (404 unless the user may see the object)."""
    history = audit.object_history(user=request.user, model_key=model_key, pk=pk)
    return render(request, "portal/object_history.html", {"history": history})


@login_required
@require_GET
def change_log_view(request):
    """All changes across the programme for the programme admin (403 for everyone else)."""
    # Refuse before building the form: its select lists every hanke.
    require(can(request.user, Perm.VIEW_CHANGE_LOG))
    return render(request, "portal/change_log.html", _change_log(request))


def _change_log(request) -> dict:
    form = ChangeLogFilterForm(request.GET or None)
    page = None  # invalid filters: show the errors, not an unfiltered log
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        page = audit.change_log(
            user=request.user,
            who=data.get("user", ""),
            project_id=data["project"].pk if data.get("project") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            page=request.GET.get("page", 1),
        )
    return {"form": form, "page": page}
