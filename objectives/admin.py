from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import SOURCE_FIELDS
from portal.admin import PlanRowAdmin
from portal.admin import ReadOnly
from portal.admin import RowsInline
from portal.admin import plan_row_fieldsets
from portal.admin import portal_fieldset
from portal.models_common import in_all_languages
from projects.admin import WorkPackageAdmin as ProjectsWorkPackageAdmin
from projects.models import WorkPackage

from .models import Action
from .models import BenefitTarget
from .models import ProcessGoal
from .models import StatusUpdate
from .services import ACTION_SCHEDULE_FIELDS


class ProcessGoalInline(ReadOnly, RowsInline):
    model = ProcessGoal
    fields = ("number", "title_fi", "kind", "target_date", "order")
    show_change_link = True


# A work package's admin page lists its goals too. The goals are this app's, the page is
# projects': registered there (importing projects.admin above did), extended here.
admin.site.unregister(WorkPackage)


@admin.register(WorkPackage)
class WorkPackageAdmin(ProjectsWorkPackageAdmin):
    inlines = [*ProjectsWorkPackageAdmin.inlines, ProcessGoalInline]


@admin.register(BenefitTarget)
class BenefitTargetAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "name_en")


class ActionGoalInline(ReadOnly, RowsInline):
    model = Action.goals.through
    autocomplete_fields = ("action",)
    verbose_name = _("action")
    verbose_name_plural = _("actions serving this goal")


@admin.register(ProcessGoal)
class ProcessGoalAdmin(PlanRowAdmin, SimpleHistoryAdmin):
    list_display = ("number", "short_title", "work_package", "project", "kind", "change")
    list_filter = ("project__region", "kind", "benefit_targets", "change")
    search_fields = ("number", "title_fi", "title_sv", "title_en")
    list_select_related = ("work_package", "project")
    filter_horizontal = ("benefit_targets",)
    inlines = [ActionGoalInline]
    plan_row = "goal"
    fieldsets = plan_row_fieldsets(
        "work_package",
        "number",
        "kind",
        *in_all_languages("title"),
        "benefit_targets",
        "ht_as_written",
        "target_date",
    )

    @admin.display(description=_("title"))
    def short_title(self, obj: ProcessGoal) -> str:
        return obj.title_fi[:90]


class StatusUpdateInline(RowsInline):
    model = StatusUpdate
    fields = ("status", "status_date", "comment", "owner", "author", "created_at")
    readonly_fields = fields
    can_delete = False

    # History is written by the status service (with its author), never typed in admin.
    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Action)
class ActionAdmin(PlanRowAdmin, SimpleHistoryAdmin):
    list_display = (
        "number",
        "short_title",
        "work_package",
        "project",
        "status",
        "schedule_text",
        "planned_end",
    )
    list_filter = ("project__region", "status", "change", "benefit_targets")
    search_fields = ("number", "title_fi", "title_sv", "title_en", "responsible_text")
    list_select_related = ("work_package", "project")
    filter_horizontal = ("goals", "benefit_targets")
    autocomplete_fields = ("owner", "responsible_organisation")
    readonly_fields = ("version", "portal_link", "status_link")
    inlines = [StatusUpdateInline]
    plan_row = "action"
    fieldsets = (
        portal_fieldset(
            "work_package",
            "number",
            *in_all_languages("title"),
            "goals",
            "benefit_targets",
        ),
        (_("Responsibility and schedule"), {"fields": ACTION_SCHEDULE_FIELDS}),
        (
            _("Status"),
            {
                "fields": (
                    "status_link",
                    "status",
                    "status_as_written",
                    "plan_version",
                    "change",
                    "retired_on",
                    "order",
                    "version",
                )
            },
        ),
        SOURCE_FIELDS,
    )

    @admin.display(description=_("title"))
    def short_title(self, obj: Action) -> str:
        return obj.title_fi[:90]

    @admin.display(description=_("Status page"))
    def status_link(self, obj: Action) -> str:
        if obj is None or obj.pk is None:
            return "–"
        url = reverse("objectives:action-detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record a status on the portal page"))


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ("action", "status", "status_date", "author", "created_at")
    list_filter = ("status", "action__project__region")
    search_fields = ("action__title_fi", "comment")
    date_hierarchy = "created_at"

    # The status log is append-only: a wrong entry is corrected by a new one, never edited.
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
