"""Reporting periods (THL's väliarviointi rounds) and frozen snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

from objectives.models import ReportingPeriod
from projects.models import Project
from projects.models import Region


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


class SelfAssessmentStatus(models.TextChoices):
    # The values are reporting.rounds.workflow.State's; the labels are what people read.
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")


class SelfAssessment(models.Model):
    """A hanke's self-assessment for one reporting round (väliarviointi).

    Written only by reporting.rounds.services (workflow in reporting.rounds.workflow); the history
    (simple-history) keeps every state change with its actor and, for returns, the reason.
    """

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        on_delete=models.CASCADE,
        related_name="self_assessments",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SelfAssessmentStatus.choices,
        default=SelfAssessmentStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["period", "project"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "project"], name="self_assessment_one_per_project_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} – {self.project}"


class WorkPackageSummary(models.Model):
    """The free-text summary of one work package in a self-assessment."""

    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="summaries",
    )
    work_package = models.ForeignKey(
        "projects.WorkPackage",
        verbose_name=_("work package"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("work package summary")
        verbose_name_plural = _("work package summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "work_package"], name="wp_summary_one_per_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.work_package_id}"


class IndicatorNarrative(models.Model):
    """What lies behind an indicator's trend and what will be done, in a self-assessment."""

    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="narratives",
    )
    indicator = models.ForeignKey(
        "measures.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    behind_trend = models.TextField(_("what lies behind the trend"), blank=True)
    next_steps = models.TextField(_("what will be done"), blank=True)

    class Meta:
        verbose_name = _("indicator narrative")
        verbose_name_plural = _("indicator narratives")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="indicator_narrative_one_per_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.indicator_id}"


register_history(SelfAssessment)
register_history(WorkPackageSummary)
register_history(IndicatorNarrative)


class ExportKind(models.TextChoices):
    NATIONAL = "national", _("National extract")
    REGIONAL = "regional", _("Regional report")


# Export and import jobs are portal.Job rows of these kinds (registered in reporting.apps);
# an upload's cells are its portal.JobUpload.


# --- Bulk import (reporting/imports/services.py) --------------------------------------------


class ImportKindChoices(models.TextChoices):
    ACTIONS = "actions", _("Actions")
    INDICATORS = "indicators", _("Indicators")
    MEASUREMENTS = "measurements", _("Measurements (indicator values)")


class ImportMapping(models.Model):
    """A hanke's own column layout for one import kind: its header → our field."""

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="import_mappings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKindChoices.choices)
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="import_mapping_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.kind}"


register_history(ImportMapping)
