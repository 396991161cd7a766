from django.contrib import admin

from .models import ReportingPeriod, ReportSnapshot


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
