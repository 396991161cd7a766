from django.contrib import admin

from .models import ReportingPeriod, ReportSnapshot, StatusRollup


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "cut_off", "due_date")
    list_filter = ("programme",)
    search_fields = ("name",)
    date_hierarchy = "cut_off"


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin):
    list_display = ("period", "project", "region", "created_at", "created_by")
    list_filter = ("period", "region")
    readonly_fields = ("data", "created_at", "created_by")


@admin.register(StatusRollup)
class StatusRollupAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_id", "ht", "project", "as_of", "light", "score", "reason_code")
    list_filter = ("kind", "light", "as_of", "region")
    readonly_fields = [f.name for f in StatusRollup._meta.fields]

    # Computed by the status engine; an edit here would be overwritten by the next run.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
