"""Reporting periods (THL's väliarviointi rounds) and frozen snapshots."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

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


class SelfAssessmentStatus(models.TextChoices):
    # The values are reporting.workflow.State's; the labels are what people read.
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")


class SelfAssessment(models.Model):
    """A hanke's self-assessment for one reporting round (väliarviointi).

    Written only by reporting.round_services (workflow in reporting.workflow); the history
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


register_history(ReportingPeriod)


# A queued job that no worker has picked up in this time may be run again (broker down).
EXPORT_JOB_STALLED_AFTER = datetime.timedelta(minutes=5)


class ExportKind(models.TextChoices):
    NATIONAL = "national", _("National extract")
    REGIONAL = "regional", _("Regional report")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """An export that runs as a Celery job: who asked, what, how far it got, and the file.

    Written only by reporting.job_services. The file is kept in the row (`content`), not under
    MEDIA_ROOT: the web and worker containers share the database but no volume, the file and
    the status "done" are written in one UPDATE, and deleting the row deletes the file. An
    extract of 10 000 actions is about a megabyte (docs/performance.md); old rows are pruned.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("rows written"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="national") & Q(period__isnull=False))
                | (Q(kind="regional") & Q(project__isnull=False)),
                name="export_job_has_its_subject",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def stalled(self) -> bool:
        """Nobody is working on it: queued too long (broker down), or running past the
        task's hard time limit (worker killed). Such a job may be run again."""
        from datetime import timedelta

        from django.utils import timezone

        now = timezone.now()
        if self.status == ExportStatus.QUEUED:  # started_at: when it was queued again
            return (self.started_at or self.created_at) < now - EXPORT_JOB_STALLED_AFTER
        if self.status == ExportStatus.RUNNING and self.started_at:
            limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
            return self.started_at < now - limit
        return False


# --- Bulk import (reporting/import_services.py) --------------------------------------------


class ImportKindChoices(models.TextChoices):
    ACTIONS = "actions", _("Actions")
    INDICATORS = "indicators", _("Indicators")
    MEASUREMENTS = "measurements", _("Measurements (indicator values)")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: choose the columns")
    CHECKING = "checking", _("Checking the rows")
    PREVIEWED = "previewed", _("Checked: waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded file between upload, column mapping, preview and confirmation (R8).

    Holds the file's parsed cells (text), the chosen mapping, the dry run's preview and the
    progress of a Celery run. Owned by the user who uploaded it and the hanke; it expires
    (`expires_at`) if nobody confirms it. Written only by reporting.import_services.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKindChoices.choices)
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    headers = models.JSONField(_("column headers"), default=list)
    rows = models.JSONField(_("rows"), default=list)
    row_numbers = models.JSONField(_("row numbers"), default=list)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The uploader's language: a Celery run writes the preview's messages in it.
    language = models.CharField(_("language"), max_length=10, default="fi")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    expires_at = models.DateTimeField(_("expires"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    # A running job whose row has not moved for this long has no worker (its task was never
    # published, or the worker died): the hourly catch-up or its owner may queue it again.
    STALE_AFTER = datetime.timedelta(minutes=10)  # far beyond the 10 000-row import (about 20 s)

    @property
    def stalled(self) -> bool:
        from django.utils import timezone

        return self.running and self.updated_at < timezone.now() - self.STALE_AFTER


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
