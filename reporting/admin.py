from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ViewOnly

from .models import (
    ExportJob,
    ImportJob,
    ImportMapping,
    IndicatorNarrative,
    ReportingPeriod,
    ReportSnapshot,
    SelfAssessment,
    WorkPackageSummary,
)


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


# Self-assessments change only through reporting.round_services (workflow, locking, snapshot
# on submission); the admin shows them and their history, it does not edit.
class _SummaryInline(ViewOnly, admin.TabularInline):
    model = WorkPackageSummary
    extra = 0


class _NarrativeInline(ViewOnly, admin.TabularInline):
    model = IndicatorNarrative
    extra = 0


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ("period", "project", "status", "submitted_at", "decided_at")
    list_filter = ("period", "status")
    inlines = [_SummaryInline, _NarrativeInline]


@admin.register(WorkPackageSummary)
class WorkPackageSummaryAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ("assessment", "work_package")


@admin.register(IndicatorNarrative)
class IndicatorNarrativeAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ("assessment", "indicator")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by reporting.job_services; the file is not shown here
    (it is for the requester's download page, which re-checks the permission)."""

    list_display = ("pk", "kind", "requested_by", "status", "progress_done", "created_at")
    list_filter = ("kind", "status")
    exclude = ("content",)
    readonly_fields = [f.name for f in ExportJob._meta.fields if f.name != "content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: uploads are written by reporting.import_services; their rows stay out of
    the admin (they are the uploader's, shown on the uploader's own preview page)."""

    list_display = ("pk", "kind", "project", "user", "filename", "status", "created_at")
    list_filter = ("kind", "status")
    exclude = ("rows", "preview", "headers", "row_numbers")
    readonly_fields = [
        f.name
        for f in ImportJob._meta.fields
        if f.name not in ("rows", "preview", "headers", "row_numbers")
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("rows", "preview")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportMapping)
class ImportMappingAdmin(SimpleHistoryAdmin):
    """A hanke's remembered column mapping per import kind (set on the import pages)."""

    list_display = ("project", "kind", "updated_by", "updated_at")
    list_filter = ("kind",)
    readonly_fields = ("updated_by", "updated_at")
