from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Job, SentMail, UserPreferences


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "status", "actor", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    """The log of e-mail sent: read-only, it is the record that nothing is sent twice."""

    list_display = ("sent_at", "kind", "recipient", "email", "status", "attempts", "reason_key")
    list_filter = ("kind", "status", "language")
    search_fields = ("reason_key", "email", "recipient__username", "subject")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SentMail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserPreferences)
class UserPreferencesAdmin(SimpleHistoryAdmin):
    list_display = ("user", "language", "digest_enabled")
    list_filter = ("language", "digest_enabled")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
