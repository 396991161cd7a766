from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import PlanChange  # noqa: F401 - defined beside PlanVersion


class GoalKind(models.TextChoices):
    PROCESS = "process", _("Process goal")
    BENEFIT = "benefit", _("Benefit goal")
    RESULT = "result", _("Result")


class ActionStatus(models.TextChoices):
    # The source gives no status (a plan without a status column, an import without one):
    # not a claim about progress, so never "late" (objectives.status).
    NOT_REPORTED = "not_reported", _("Not reported")
    NOT_STARTED = "not_started", _("Not started")
    STARTING = "starting", _("Starting")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
