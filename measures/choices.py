from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    DAYS = "days", _("Days")
    EURO = "euro", _("Euro")
    RATIO = "ratio", _("Ratio")
    MILESTONE = "milestone", _("Milestone (0 = not reached, 100 = reached)")
    SCORE = "score", _("Score")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class SourceSystem(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    SOTKANET = "sotkanet", _("Sotkanet (THL)")
    FINSOTE = "finsote", _("FinSote survey")
    WAITING_TIMES = "waiting_times", _("Waiting-time statistics")
    LOCAL_REGISTER = "local_register", _("Local information system")
    OTHER = "other", _("Other")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Twice a year")
    YEARLY = "yearly", _("Yearly")


FREQUENCY_DAYS = {"monthly": 31, "quarterly": 92, "half_yearly": 183, "yearly": 366}


class MeasurementSource(models.TextChoices):
    PLAN = "plan", _("Figure printed in the plan")
    MANUAL = "manual", _("Entered by hand")
    SOTKANET = "sotkanet", _("Sotkanet")
    IMPORT = "import", _("File import")
    DEMO = "demo", _("Demo value (generated, not real)")


# What follows a number of the unit on a page ("12,5 %"); units without one show the number.
UNIT_SUFFIXES = {"percent": "%", "euro": "€", "days": _("days")}
