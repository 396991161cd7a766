from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import SOURCE_FIELDS
from portal.admin import PlanRowAdmin
from portal.admin import ReadOnly
from portal.admin import RowsInline
from portal.admin import plan_row_fieldsets
from portal.models_common import in_all_languages

from .access import Perm
from .access import can
from .models import Body
from .models import BudgetLine
from .models import Classification
from .models import Expenditure
from .models import MeetingDecision
from .models import Membership
from .models import Organisation
from .models import PlanMilestone
from .models import PlanVersion
from .models import Programme
from .models import ProgrammeRole
from .models import Project
from .models import ProjectOrganisation
from .models import Region
from .models import Risk
from .models import SteeringMeeting
from .models import WorkPackage

admin.site.site_header = _("Programme portal administration")
admin.site.site_title = _("Programme portal")
admin.site.index_title = _("Administration")


def _admin_site_permission(request) -> bool:
    """Django admin is the programme office's tool: staff flag AND the programme admin role."""
    user = request.user
    return user.is_active and user.is_staff and can(user, Perm.MANAGE_PROGRAMME)


admin.site.has_permission = _admin_site_permission


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "population")
    search_fields = ("code", "name_fi", "name_sv", "name_en")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("name_fi", "name_sv", "name_en")


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name_fi", "start_date", "end_date")


class ProjectOrganisationInline(RowsInline):
    model = ProjectOrganisation
    autocomplete_fields = ("organisation",)


class PlanVersionInline(RowsInline):
    model = PlanVersion
    fields = ("key", "name", "issued_on", "supersedes")


class MembershipInline(RowsInline):
    model = Membership
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "region", "coordinator", "start_date", "end_date", "funding_total")
    list_filter = ("region", "programme")
    search_fields = ("name_fi", "short_name", "region__name_fi")
    autocomplete_fields = ("coordinator",)
    inlines = [ProjectOrganisationInline, PlanVersionInline, MembershipInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "issued_on", "supersedes")
    list_filter = ("project__region",)
    search_fields = ("name", "project__name_fi")


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("scheme", "code", "name_fi")
    list_filter = ("scheme",)
    search_fields = ("code", "name_fi")


class ChildPackageInline(ReadOnly, RowsInline):
    model = WorkPackage
    fk_name = "parent"
    fields = ("code", "name_fi", "order")
    verbose_name = _("sub-package")
    verbose_name_plural = _("sub-packages")


@admin.register(WorkPackage)
class WorkPackageAdmin(PlanRowAdmin, admin.ModelAdmin):
    list_display = ("code", "name_fi", "project", "parent", "classification")
    list_filter = ("project__region", "classification")
    search_fields = ("code", "name_fi", "project__name_fi")
    list_select_related = ("project", "parent", "classification")
    # objectives/admin.py adds the package's goals (ProcessGoalInline) to this page.
    inlines = [ChildPackageInline]
    plan_row = "package"
    fieldsets = plan_row_fieldsets(
        "parent", "code", *in_all_languages("name"), "kind_as_written", "classification"
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "role")
    list_filter = ("role", "project__region")
    search_fields = ("user__username", "user__last_name", "project__name_fi")
    autocomplete_fields = ("user",)


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__last_name")
    autocomplete_fields = ("user",)


class ExpenditureInline(RowsInline):
    model = Expenditure
    fields = ("date", "amount", "category", "description", "entered_by")


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = (
        "project",
        "year",
        "category",
        "line",
        "amount",
        "person_years",
        "funded_elsewhere",
    )
    list_filter = ("year", "category", "project__region")
    search_fields = ("line", "project__name_fi")
    inlines = [ExpenditureInline]


@admin.register(Expenditure)
class ExpenditureAdmin(admin.ModelAdmin):
    list_display = ("project", "date", "amount", "category", "description", "budget_line")
    list_filter = ("project__region",)
    search_fields = ("description",)
    date_hierarchy = "date"


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ("title", "project", "region", "likelihood", "impact", "status")
    list_filter = ("status", "project__region", "region")
    search_fields = ("title", "description", "mitigation")
    fieldsets = (
        (
            None,
            {"fields": ("project", "region", "title", "description", "cause", "status")},
        ),
        (
            _("Assessment"),
            {
                "fields": (
                    "likelihood",
                    "likelihood_as_written",
                    "impact",
                    "impact_as_written",
                    "mitigation",
                    "owner_text",
                    "owner",
                    "next_review",
                )
            },
        ),
        SOURCE_FIELDS,
    )


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "kind", "region", "project")
    list_filter = ("kind", "region")
    search_fields = ("name_fi", "tasks_fi", "members_as_written")
    filter_horizontal = ("member_organisations",)


@admin.register(PlanMilestone)
class PlanMilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("title_fi", "kind", "schedule_text", "project", "order")
    list_filter = ("kind", "project__region")
    search_fields = ("title_fi", "description_fi", "project__name_fi")
    autocomplete_fields = ("project",)


@admin.register(ProjectOrganisation)
class ProjectOrganisationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "project", "role", "valid_from", "valid_to")
    list_filter = ("role", "project__region")
    search_fields = ("organisation__name_fi", "project__name_fi")
    autocomplete_fields = ("organisation",)


class MeetingDecisionInline(RowsInline):
    model = MeetingDecision
    fields = ("text", "owner", "due_date", "action", "done")
    raw_id_fields = ("owner", "action")


@admin.register(SteeringMeeting)
class SteeringMeetingAdmin(SimpleHistoryAdmin):
    list_display = ("date", "project")
    list_filter = ("project__region",)
    search_fields = ("project__name_fi", "attendees", "notes")
    date_hierarchy = "date"
    inlines = [MeetingDecisionInline]


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(SimpleHistoryAdmin):
    list_display = ("text", "meeting", "owner", "due_date", "done")
    list_filter = ("done", "meeting__project__region")
    search_fields = ("text",)
    raw_id_fields = ("meeting", "owner", "action")
