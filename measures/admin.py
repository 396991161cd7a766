from django.contrib import admin
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import SOURCE_FIELDS
from portal.admin import EditedInThePortal
from portal.admin import PlanRowAdmin
from portal.admin import ReadOnly
from portal.admin import RowsInline
from portal.admin import ViewOnly
from portal.admin import plan_row_url
from portal.admin import portal_fieldset
from portal.models_common import in_all_languages

from .models import CurrentLight
from .models import DayLight
from .models import Indicator
from .models import IndicatorProgress
from .models import Measurement
from .models import Target
from .sotkanet import sotkanet_default_years
from .sotkanet import sotkanet_import_blocker
from .sotkanet import sotkanet_import_start


class TargetInline(ReadOnly, RowsInline):
    model = Target


class MeasurementInline(ReadOnly, RowsInline):
    model = Measurement
    fields = ("period", "value", "numerator", "denominator", "value_as_written", "source", "note")
    ordering = ("-period",)


@admin.register(Indicator)
class IndicatorAdmin(PlanRowAdmin, SimpleHistoryAdmin):
    list_display = (
        "code",
        "short_name",
        "project",
        "unit",
        "direction",
        "source_system",
        "frequency",
    )
    list_filter = ("project__region", "unit", "direction", "source_system", "frequency")
    search_fields = ("code", "name_fi", "name_sv", "name_en", "source_id")
    list_select_related = ("project",)
    filter_horizontal = ("goals", "actions", "benefit_targets")
    inlines = [TargetInline, MeasurementInline]
    actions = ["import_from_sotkanet"]
    plan_row = "indicator"
    fieldsets = (
        portal_fieldset(
            "code",
            *in_all_languages("name"),
            "unit",
            "direction",
            "frequency",
            "retired_on",
            "order",
        ),
        (_("Data source"), {"fields": ("source_system", "source_id")}),
        (
            _("Baseline"),
            {
                "fields": (
                    "baseline_value",
                    "baseline_as_written",
                    "baseline_numerator",
                    "baseline_denominator",
                    "baseline_date",
                )
            },
        ),
        (_("Links"), {"fields": ("goals", "actions", "benefit_targets")}),
        SOURCE_FIELDS,
    )

    @admin.display(description=_("name"))
    def short_name(self, obj: Indicator) -> str:
        return obj.name_fi[:90]

    # The import writes through measurement_save (history, lights), so viewing suffices.
    @admin.action(description=_("Import from Sotkanet (last 5 years)"), permissions=["view"])
    def import_from_sotkanet(self, request, queryset) -> None:
        today, queued, skipped = timezone.localdate(), 0, []
        for indicator in queryset.select_related("project__region", "project__programme"):
            years = sotkanet_default_years(indicator, today=today)
            problem = sotkanet_import_blocker(indicator) or (
                None if years else _("none of the last five years falls within the hanke")
            )
            if problem:
                skipped.append(f"{indicator.code}: {problem}")
                continue
            sotkanet_import_start(indicator=indicator, years=years, actor=request.user)
            queued += 1
        if queued:
            message = ngettext(
                "%(count)d Sotkanet import was queued; its job shows the result.",
                "%(count)d Sotkanet imports were queued; their jobs show the results.",
                queued,
            )
            self.message_user(request, message % {"count": queued}, messages.SUCCESS)
        if skipped:
            message = _("Skipped %(count)d: %(reasons)s") % {
                "count": len(skipped),
                "reasons": " ".join(skipped),
            }
            self.message_user(request, message, messages.WARNING)


@admin.register(Measurement)
class MeasurementAdmin(EditedInThePortal, SimpleHistoryAdmin):
    list_display = ("indicator", "period", "value", "source", "entered_by", "portal_link")
    list_filter = ("source", "indicator__project__region")
    search_fields = ("indicator__code", "indicator__name_fi", "note")
    date_hierarchy = "period"
    list_select_related = ("indicator", "entered_by")
    portal_link_text = _("Correct on the indicator page")

    def portal_url(self, obj: Measurement) -> str:
        url = reverse("measures:indicator-detail", args=[obj.indicator_id])
        return f"{url}?period={obj.period:%Y-%m-%d}#measurement-form"


@admin.register(Target)
class TargetAdmin(EditedInThePortal, SimpleHistoryAdmin):
    list_display = ("indicator", "target_date", "value", "value_as_written", "strict")
    list_filter = ("indicator__project__region",)
    list_select_related = ("indicator",)

    def portal_url(self, obj: Target) -> str:
        return plan_row_url("indicator", obj.indicator)


@admin.register(IndicatorProgress)
class IndicatorProgressAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("indicator", "light", "progress", "expected_progress", "trend", "computed_at")
    list_filter = ("light", "indicator__project__region")
    # Computed by the status engine: people read these rows, they never type them.
    readonly_fields = [f.name for f in IndicatorProgress._meta.fields]


@admin.register(CurrentLight)
class CurrentLightAdmin(ViewOnly, admin.ModelAdmin):
    list_display = (
        "kind",
        "object_id",
        "ht",
        "project",
        "as_of",
        "light",
        "behind_share",
        "reason_code",
    )
    list_filter = ("kind", "light", "region")
    # Computed by the status engine; an edit here would be overwritten by the next run.
    readonly_fields = [f.name for f in CurrentLight._meta.fields]


@admin.register(DayLight)
class DayLightAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("day", "kind", "object_id", "ht", "project", "light", "reason_code")
    list_filter = ("day", "kind", "light")
    # Computed from the recorded history: a day that is over cannot change.
    readonly_fields = [f.name for f in DayLight._meta.fields]
