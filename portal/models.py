"""Cross-cutting models: a job a person waits for (imports, exports, report builds: status,
counts, row errors, R8), each user's own preferences, and the log of e-mail sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=50)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


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
    # portal/notifications.py), and the admin list shows it.
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
