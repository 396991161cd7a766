"""Indicator pages: the hanke's indicators with their lights, one indicator with its values
and the form to enter or correct a value (thin views: selectors read, services write)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods

from portal.forms import add_service_errors
from portal.paging import PARAM
from portal.paging import page_of
from portal.periods import period_end_for
from portal.uploads import show_upload_failure
from projects.access import can_enter_measurements
from projects.access import require
from projects.table_views import project_table

from . import selectors
from .charts import indicator_figure
from .forms import MeasurementForm
from .forms import SotkanetFileForm
from .services import ConflictError
from .services import PeriodTakenError
from .services import measurement_save
from .sotkanet import SotkanetError
from .sotkanet import sotkanet_file_import


@login_required
@require_GET
def indicator_list(request, project_pk: int):
    """The hanke's indicators with their lights, a page at a time (?sivu=)."""
    rows, sorts = selectors.indicator_list, selectors.INDICATOR_SORTS
    return project_table(request, project_pk, rows, sorts, "measures/indicator_list.html")


def _edit_form(indicator, period: str | None) -> MeasurementForm:
    """The form, filled in for the period being corrected (?period=YYYY-MM-DD)."""
    existing = selectors.measurement_for_period(indicator, period) if period else None
    if existing is None:
        return MeasurementForm()
    return MeasurementForm(
        initial={
            "period": existing.period,
            "value": existing.value_as_written or existing.value.normalize(),
            "source": existing.source if existing.source in ("manual", "plan") else "manual",
            "note": existing.note,
            "expected_version": existing.version,
        }
    )


def _existing_correction(indicator, form):
    """The value a refused correction would replace, so the old → new stays on screen."""
    if form.cleaned_data.get("expected_version"):
        period = period_end_for(form.cleaned_data["period"], indicator.frequency)
        return selectors.measurement_for_period(indicator, period)
    return None


def _correcting(form, correction) -> bool:
    """Whether the form replaces a stored value (then it asks for a reason)."""
    return correction is not None or str(form["expected_version"].value() or "0") != "0"


@login_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request, pk: int):
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    can_edit = can_enter_measurements(request.user, indicator.project)
    conflict = correction = None
    if request.method == "POST":
        require(can_edit)
        form = MeasurementForm(request.POST)
        if form.is_valid():
            try:
                saved = measurement_save(
                    indicator=indicator,
                    period=form.cleaned_data["period"],
                    raw_value=form.cleaned_data["value"],
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["expected_version"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                correction = _existing_correction(indicator, form)
            except PeriodTakenError as exc:
                # Not someone else's edit: the period has a value, so saving corrects it.
                correction = exc.current
                if not form.cleaned_data["reason"].strip():
                    form.add_error("reason", _("Give the reason for correcting the value."))
            except ConflictError as exc:
                conflict = exc.current
            else:
                text = (
                    _("Value saved.")
                    if saved.created
                    else _("Value corrected; the earlier value is kept in the history.")
                )
                messages.success(request, text)
                if not request.htmx:
                    return redirect("measures:indicator-detail", pk=pk)
                indicator = selectors.indicator_get(user=request.user, pk=pk)
                form = MeasurementForm()
    else:
        form = _edit_form(indicator, request.GET.get("period"))
    partial = request.htmx and not request.htmx.boosted  # the values section only
    chart = None if partial or not indicator.measurements.all() else indicator_figure(indicator)
    context = {
        "indicator": indicator,
        "form": form,
        "can_edit": can_edit,
        "conflict": conflict,
        "correction": correction,
        "correcting": _correcting(form, correction),
        "upload_form": SotkanetFileForm() if indicator.source_system == "sotkanet" else None,
        "chart": chart,
        # The table pages (the chart above it draws every value): a monthly indicator adds
        # a row a month for as long as the portal runs.
        "values_page": page_of(list(indicator.measurements.all()), request.GET.get(PARAM)),
    }
    template = "measures/indicator_detail.html" + ("#values" if partial else "")
    return render(request, template, context)


@login_required
@require_http_methods(["POST"])
def indicator_sotkanet_upload(request, pk: int):
    """Import a downloaded Sotkanet file into this indicator (all rows or none)."""
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    require(can_enter_measurements(request.user, indicator.project))
    form = SotkanetFileForm(request.POST, request.FILES)
    if not form.is_valid():
        show_upload_failure(request, form)
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("measures:indicator-detail", pk=pk)
    upload = form.cleaned_data["file"]
    content = upload.read(settings.SOTKANET_FILE_MAX_BYTES + 1)  # the reader refuses more
    try:
        result = sotkanet_file_import(
            indicator=indicator, uploaded_text=content, filename=upload.name, actor=request.user
        )
    except SotkanetError as exc:
        messages.error(request, str(exc))
        return redirect("measures:indicator-detail", pk=pk)
    if result.errors:
        messages.error(request, _("Nothing was imported. Fix these rows and try again:"))
        for error in result.errors[:20]:
            messages.error(request, error)
    else:
        messages.success(request, result.summary())
    return redirect("measures:indicator-detail", pk=pk)
