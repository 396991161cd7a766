from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from objectives.models import ReportingPeriod
from portal.admin import RowsInline
from portal.admin import ViewOnly

from .models import ImportMapping
from .models import IndicatorNarrative
from .models import ReportSnapshot
from .models import SelfAssessment
from .models import WorkPackageSummary


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


# Self-assessments change only through reporting.rounds.services (workflow, locking, snapshot
# on submission); the admin shows them and their history, it does not edit.
class _SummaryInline(ViewOnly, RowsInline):
    model = WorkPackageSummary


class _NarrativeInline(ViewOnly, RowsInline):
    model = IndicatorNarrative


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


@admin.register(ImportMapping)
class ImportMappingAdmin(SimpleHistoryAdmin):
    """A hanke's remembered column mapping per import kind (set on the import pages)."""

    list_display = ("project", "kind", "updated_by", "updated_at")
    list_filter = ("kind",)
    readonly_fields = ("updated_by", "updated_at")
