from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Indicator, IndicatorProgress, Measurement, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ("period", "value", "numerator", "denominator", "value_as_written", "source", "note")
    ordering = ("-period",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
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
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "project",
                    "code",
                    "name_fi",
                    "name_sv",
                    "name_en",
                    "unit",
                    "direction",
                    "frequency",
                    "order",
                )
            },
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
        (_("Source"), {"fields": ("source_document", "source_ref"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("name"))
    def short_name(self, obj: Indicator) -> str:
        return obj.name_fi[:90]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ("indicator", "period", "value", "source", "entered_by")
    list_filter = ("source", "indicator__project__region")
    search_fields = ("indicator__code", "indicator__name_fi", "note")
    date_hierarchy = "period"
    list_select_related = ("indicator", "entered_by")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "target_date", "value", "value_as_written", "strict")
    list_filter = ("indicator__project__region",)


@admin.register(IndicatorProgress)
class IndicatorProgressAdmin(admin.ModelAdmin):
    list_display = ("indicator", "light", "progress", "expected_progress", "trend", "computed_at")
    list_filter = ("light", "indicator__project__region")
    readonly_fields = [f.name for f in IndicatorProgress._meta.fields]

    # Computed by the status engine: people read these rows, they never type them.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
