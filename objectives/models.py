"""The HT catalogue, process goals, actions and the append-only status log."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history
from simple_history.models import HistoricalRecords

from portal.models_common import Localized
from portal.models_common import Retirable
from portal.models_common import SourceRef
from portal.models_common import Timestamped
from portal.models_common import dates_in_order
from projects.models import Organisation
from projects.models import PlanVersion
from projects.models import Programme
from projects.models import Project
from projects.models import WorkPackage

from .choices import ActionStatus
from .choices import GoalKind
from .choices import PlanChange


class ReportingPeriod(models.Model):
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="reporting_periods",
    )
    name = models.CharField(_("name"), max_length=120)
    cut_off = models.DateField(_("data cut-off"), help_text=_("Data up to this date are included"))
    due_date = models.DateField(_("due date"))

    class Meta:
        # Moved from reporting (the app's tables keep their names): status updates point here.
        db_table = "reporting_reportingperiod"
        ordering = ["programme", "cut_off"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="reporting_period_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("cut_off")), name="reporting_period_due_after_cut_off"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BenefitTarget(Localized, models.Model):
    """HT1–HT5, the five national benefit targets (a fixed catalogue, see migration 0002)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name_fi = models.CharField(_("name (Finnish)"), max_length=300)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)

    class Meta:
        ordering = ["number"]
        verbose_name = _("benefit target")
        verbose_name_plural = _("benefit targets")

    def __str__(self) -> str:
        return f"{self.code} {self.name_fi}"


def same_title(first: str, second: str) -> bool:
    """Two titles that read the same: case, spacing and a closing full stop aside."""

    def plain(text: str) -> str:
        return " ".join((text or "").split()).rstrip(".").casefold()

    return bool(plain(first)) and plain(first) == plain(second)


class ProcessGoal(Localized, SourceRef, Retirable, Timestamped):
    localized_field = "title"

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="goals"
    )
    work_package = models.ForeignKey(
        WorkPackage, verbose_name=_("work package"), on_delete=models.CASCADE, related_name="goals"
    )
    number = models.CharField(_("number"), max_length=30)
    kind = models.CharField(
        _("kind"), max_length=20, choices=GoalKind.choices, default=GoalKind.PROCESS
    )
    title_fi = models.TextField(_("title (Finnish)"))
    title_sv = models.TextField(_("title (Swedish)"), blank=True)
    title_en = models.TextField(_("title (English)"), blank=True)
    benefit_targets = models.ManyToManyField(
        BenefitTarget, verbose_name=_("benefit targets (HT)"), blank=True, related_name="goals"
    )
    ht_as_written = models.CharField(_("HT tags as written"), max_length=200, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
    )
    change = models.CharField(
        _("change in plan version"), max_length=10, choices=PlanChange.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(excluded_fields=["order"])

    class Meta:
        ordering = ["project", "work_package__order", "order", "id"]
        verbose_name = _("process goal")
        verbose_name_plural = _("process goals")
        constraints = [
            models.UniqueConstraint(
                fields=["work_package", "number"], name="goal_unique_number_in_work_package"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_fi[:80]}"

    @property
    def repeats_package(self) -> bool:
        """Whether the goal's title is its work package's name, in the reader's language:
        some plans name each package after its one goal (Etelä-Pohjanmaa's G1–G8), and a
        page that draws the goal under its package then prints the title once. Reads
        `work_package`: load it with the goal (the hanke page hangs its package on it)."""
        return same_title(self.display_name, self.work_package.display_name)

    def clean(self) -> None:
        if self.work_package_id and self.work_package.project_id != self.project_id:
            raise ValidationError({"work_package": _("The work package belongs to another hanke.")})


class Action(Localized, SourceRef, Retirable, Timestamped):
    """A toimenpide. It hangs on a work package and serves zero or more goals."""

    localized_field = "title"

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="actions"
    )
    work_package = models.ForeignKey(
        WorkPackage,
        verbose_name=_("work package"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    goals = models.ManyToManyField(
        ProcessGoal, verbose_name=_("process goals"), blank=True, related_name="actions"
    )
    number = models.CharField(_("number"), max_length=30)
    title_fi = models.TextField(_("title (Finnish)"))
    title_sv = models.TextField(_("title (Swedish)"), blank=True)
    title_en = models.TextField(_("title (English)"), blank=True)
    benefit_targets = models.ManyToManyField(
        BenefitTarget, verbose_name=_("benefit targets (HT)"), blank=True, related_name="actions"
    )
    responsible_text = models.CharField(
        _("responsible party as written"), max_length=500, blank=True
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    schedule_text = models.CharField(_("schedule as written"), max_length=100, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    status_as_written = models.CharField(_("status as written"), max_length=200, blank=True)
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    change = models.CharField(
        _("change in plan version"), max_length=10, choices=PlanChange.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(excluded_fields=["order"])

    class Meta:
        ordering = ["project", "work_package__order", "order", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(
                fields=["work_package", "number"], name="action_unique_number_in_work_package"
            ),
            dates_in_order("planned_start", "planned_end", "action_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_fi[:80]}"

    def clean(self) -> None:
        if self.work_package_id and self.work_package.project_id != self.project_id:
            raise ValidationError({"work_package": _("The work package belongs to another hanke.")})


class StatusUpdate(models.Model):
    """One change of an action's status: append-only, with author, time and comment."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="status_updates"
    )
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=20, choices=ActionStatus.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    previous_planned_end = models.DateField(_("previous planned end"), null=True, blank=True)
    new_planned_end = models.DateField(
        _("new planned end"),
        null=True,
        blank=True,
        help_text=_("Set when this update moved the action's planned end"),
    )
    planned_end_reason = models.TextField(_("reason for the new planned end"), blank=True)
    status_date = models.DateField(_("date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_updates",
        help_text=_("Empty for statuses imported from a plan"),
    )
    reporting_period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_updates",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["action", "-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")

    def __str__(self) -> str:
        return f"{self.action.number}: {self.get_status_display()} ({self.status_date})"


register_history(ReportingPeriod, table_name="reporting_historicalreportingperiod")
register_history(BenefitTarget)
register_history(StatusUpdate)
