from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Job
from .models import SentMail
from .models import UserPreferences


class ViewOnly:
    """An admin page or inline that shows rows people never type in: add and change are
    refused; deleting stays as the admin allows it (a computed row may be thrown away)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RowsInline(admin.TabularInline):
    """The parent's rows in a table, without blank forms for new ones ("Add another" adds)."""

    extra = 0


class ReadOnly(ViewOnly):
    """Shown for reading only: no add, change or delete (the rows are edited elsewhere)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EditedInThePortal(ReadOnly):
    """Admin pages of rows whose edits must pass the portal's services: statuses (status
    log), values (unit, period, corrections with a reason), plan rows (version check,
    history with a reason, retirement instead of deletion) and the lights marked stale.
    The admin shows them read-only with a link to the portal page that edits them, so it
    cannot bypass those rules (issue #17). Subclasses give `portal_url(obj)`."""

    portal_link_text = _("Edit on the portal page")
    readonly_fields = ("portal_link",)

    def portal_url(self, obj) -> str:
        raise NotImplementedError

    @admin.display(description=_("Portal page"))
    def portal_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "–"
        return format_html('<a href="{}">{}</a>', self.portal_url(obj), self.portal_link_text)


# The columns of a plan row's version history, shown after its own fields.
PLAN_ROW_FIELDS = ("plan_version", "change", "retired_on", "order")


def portal_fieldset(*fields: str) -> tuple:
    """The first fieldset of an EditedInThePortal page: the link to the portal page, the
    hanke, then `fields`."""
    return (None, {"fields": ("portal_link", "project", *fields)})


# Where a row was read from (portal.models_common.SourceRef), folded away at a page's end.
SOURCE_FIELDS = (
    _("Source"),
    {"fields": ("source_document", "source_ref"), "classes": ("collapse",)},
)


def plan_row_fieldsets(*fields: str) -> tuple:
    """A plan row's page: portal link, hanke, `fields` and its version columns; its source."""
    return (portal_fieldset(*fields, *PLAN_ROW_FIELDS), SOURCE_FIELDS)


def plan_row_url(name: str, obj) -> str:
    """The portal's plan edit page of a row (`name`: package, goal, action, indicator)."""
    return reverse(f"reporting:plan-{name}-edit", args=[obj.project_id, obj.pk])


class PlanRowAdmin(EditedInThePortal):
    """The admin page of a plan row (`plan_row`: package, goal, action, indicator), edited on
    the portal's plan page of its kind."""

    plan_row: str

    def portal_url(self, obj) -> str:
        return plan_row_url(self.plan_row, obj)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only, every kind: jobs are written by their services (portal.services and the
    kinds' own). Who started it, for which hanke, and how it went; neither the result file
    nor an upload's cells are shown here (they are the owner's, on the owner's pages, which
    check the permission again)."""

    list_display = ("pk", "kind", "owner", "project", "status", "attempts", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("owner", "project")
    search_fields = ("owner__username", "filename")
    date_hierarchy = "created_at"
    exclude = ("content",)
    readonly_fields = [f.name for f in Job._meta.fields if f.name != "content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SentMail)
class SentMailAdmin(ReadOnly, admin.ModelAdmin):
    """The log of e-mail sent: read-only, it is the record that nothing is sent twice."""

    list_display = ("sent_at", "kind", "recipient", "email", "status", "attempts", "reason_key")
    list_filter = ("kind", "status", "language")
    search_fields = ("reason_key", "email", "recipient__username", "subject")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SentMail._meta.fields]


@admin.register(UserPreferences)
class UserPreferencesAdmin(SimpleHistoryAdmin):
    list_display = ("user", "language", "digest_enabled")
    list_filter = ("language", "digest_enabled")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
