"""Reporting periods (THL's väliarviointi rounds) and frozen snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from projects.models import Programme, Project, Region


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


class ReportSnapshot(models.Model):
    """A frozen copy of a hanke's (or region's) status at a reporting period's cut-off."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    data = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-period__cut_off", "project"]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(region__isnull=False),
                name="snapshot_has_project_or_region",
            ),
            models.UniqueConstraint(
                fields=["period", "project"],
                condition=Q(project__isnull=False),
                name="snapshot_one_per_project_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} – {self.project or self.region}"
