"""Cross-cutting models: a job a person waits for (imports, exports, report builds: status,
progress, result, R8) with an uploaded file's cells, each user's own preferences, and the
log of e-mail sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .jobs import ACTIVE
from .jobs import JobStatus
from .jobs import is_stalled
from .jobs import job_kind


class Job(models.Model):
    """A job a person waits for: an export, a bulk import, a finance or Sotkanet import (R8).

    One table for every kind (portal.jobs registers the kinds; the apps above register
    theirs), so there is one claim, one stalled rule, one "run again" and one prune
    (portal.services). Written only through portal.services and the services of the kinds.

    The result file is kept in the row (`content`), not under MEDIA_ROOT: the web and worker
    containers share the database but no volume, the file and "done" are written in one
    UPDATE, and deleting the row deletes the file. Pages that poll a job's progress read
    only `PROGRESS_FIELDS`; an uploaded file's cells live in `JobUpload`, a table of its own.
    """

    kind = models.CharField(_("kind"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,  # None: started by the system
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("hanke"),
        null=True,  # None: a programme-wide job (the national extract)
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Written whenever someone works on the job (queued, claimed, progress): the one stalled
    # rule (portal.jobs.stalled_q) reads it.
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    # What a progress poll reads: everything a job's status partial shows, nothing big.
    PROGRESS_FIELDS = (
        "pk",
        "kind",
        "owner",
        "project",
        "status",
        "parameters",
        "progress_done",
        "progress_total",
        "attempts",
        "message",
        "filename",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "expires_at",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    def get_kind_display(self) -> str:
        kind = job_kind(self.kind)
        return str(kind.label) if kind else self.kind

    def get_status_display(self) -> str:
        kind = job_kind(self.kind)
        if kind and self.status in kind.status_labels:
            return str(kind.status_labels[self.status])
        return str(JobStatus(self.status).label) if self.status in JobStatus else self.status

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def running(self) -> bool:
        """A worker owes it progress (portal.jobs.ACTIVE)."""
        return self.status in ACTIVE

    @property
    def stalled(self) -> bool:
        """Nobody is working on it (portal.jobs.is_stalled): it may be run again."""
        return is_stalled(self, now=timezone.now())


class JobUpload(models.Model):
    """An uploaded file's cells for an import job, 1:1 with the job and in a table of its own,
    so reading a job (its progress page polls every second) never reads up to 20 000 rows:
    the columns, the rows (and their line numbers in the file), the reader's notes, the
    chosen column mapping and the dry run's preview."""

    job = models.OneToOneField(
        Job,
        verbose_name=_("job"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="upload",
    )
    headers = models.JSONField(_("column headers"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    row_numbers = models.JSONField(_("row numbers"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return f"{self.job_id}"

    @property
    def kind(self) -> str:
        """The job's kind (what the file holds): the planners read it here."""
        return self.job.kind


class UserPreferences(models.Model):
    """What a person chose for themselves: the language of their e-mail and the weekly digest.

    A user without a row has the defaults (Finnish, digest on); the row is created the first
    time they save the preferences page or unsubscribe.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="preferences",
    )
    language = models.CharField(
        _("language of e-mail"),
        max_length=5,
        choices=[("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")],
        default="fi",
    )
    digest_enabled = models.BooleanField(_("weekly digest by e-mail"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return str(self.user)


class SentMailKind(models.TextChoices):
    ROUND_REMINDER = "round-reminder", _("Reporting round reminder")
    DIGEST = "digest", _("Weekly digest")


class SentMailStatus(models.TextChoices):
    # PENDING: claimed, being sent. A row left PENDING means the process died between the
    # claim and the send: it is never sent again automatically (at-most-once, see
    # portal/mail.py), and the admin list shows it.
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")


class SentMail(models.Model):
    """One e-mail the portal sent (or tried to), keyed by why it was sent.

    The unique `reason_key` ("round-reminder:<period>:<project>:<user>",
    "digest:<iso-week>:<user>") is what makes a reminder go out at most once, however many
    times or however concurrently the task runs.
    """

    reason_key = models.CharField(_("reason"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=SentMailKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_mail",
    )
    email = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=5, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SentMailStatus.choices, default=SentMailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mail")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.reason_key
