"""Indicators (mittarit), their targets, measurements and computed progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.models_common import Localized
from portal.models_common import Retirable
from portal.models_common import SourceRef
from portal.models_common import Timestamped
from projects.choices import PlanChange
from projects.models import PlanVersion
from projects.models import Project
from projects.models import Region

from .choices import Direction
from .choices import Frequency
from .choices import MeasurementSource
from .choices import SourceSystem
from .choices import Unit


class Indicator(Localized, SourceRef, Retirable, Timestamped):
    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=30)
    name_fi = models.TextField(_("name (Finnish)"))
    name_sv = models.TextField(_("name (Swedish)"), blank=True)
    name_en = models.TextField(_("name (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    source_system = models.CharField(
        _("data source"), max_length=20, choices=SourceSystem.choices, default=SourceSystem.MANUAL
    )
    source_id = models.CharField(_("id in the data source"), max_length=50, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.YEARLY
    )
    goals = models.ManyToManyField(
        ProcessGoal, verbose_name=_("process goals"), blank=True, related_name="indicators"
    )
    actions = models.ManyToManyField(
        Action, verbose_name=_("actions"), blank=True, related_name="indicators"
    )
    benefit_targets = models.ManyToManyField(
        BenefitTarget, verbose_name=_("benefit targets (HT)"), blank=True, related_name="indicators"
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_as_written = models.CharField(_("baseline as written"), max_length=100, blank=True)
    baseline_numerator = models.DecimalField(
        _("baseline numerator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_denominator = models.DecimalField(
        _("baseline denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    change = models.CharField(
        _("change in plan version"), max_length=10, choices=PlanChange.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(baseline_denominator__isnull=True) | Q(baseline_denominator__gt=0),
                name="indicator_baseline_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_fi[:80]}"

    @property
    def final_target(self) -> Target | None:
        """The last target by date (uses prefetched targets when present)."""
        targets = sorted(self.targets.all(), key=lambda t: t.target_date)
        return targets[-1] if targets else None

    @property
    def latest_generated(self) -> bool:
        """Whether the value the stored light rests on was generated (source "demo").

        Reads the `latest_source` annotation (`measures.selectors.with_latest_source`),
        which comes with the query that reads the indicator; False without it."""
        return getattr(self, "latest_source", None) == MeasurementSource.DEMO


class Target(models.Model):
    """A target value for a date; yearly targets are one row per year."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    target_date = models.DateField(_("target date"))
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=4)
    strict = models.BooleanField(
        _("must exceed"),
        default=False,
        help_text=_("'yli 25 %': the value must be passed, not met"),
    )
    value_as_written = models.CharField(_("target as written"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "target_date"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "target_date"], name="target_one_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.target_date}: {self.value}"


class Measurement(Timestamped):
    """One value of an indicator for a period (identified by the period's last day)."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    period = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    numerator = models.DecimalField(
        _("numerator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_as_written = models.CharField(_("value as written"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=MeasurementSource.choices)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measurements",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="measurement_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measurement_denominator_positive",
            ),
        ]
        # "Last update per hanke" on the overview reads the newest edit per indicator.
        indexes = [models.Index(fields=["indicator", "updated_at"], name="measurement_last_edit")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"

    @property
    def is_demo(self) -> bool:
        return self.source == MeasurementSource.DEMO


class IndicatorProgress(models.Model):
    """The computed state of one indicator, written by measures.status_engine."""

    indicator = models.OneToOneField(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="progress"
    )
    latest_value = models.DecimalField(
        _("latest value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    latest_period = models.DateField(_("latest period"), null=True, blank=True)
    progress = models.DecimalField(
        _("progress"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    expected_progress = models.DecimalField(
        _("expected progress"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    trend = models.CharField(_("trend"), max_length=10, blank=True)
    light = models.CharField(_("light"), max_length=10)
    reason_code = models.CharField(_("reason"), max_length=50)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("indicator progress")
        verbose_name_plural = _("indicator progress")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.light}"

    @property
    def assessment(self) -> Assessment:
        return Assessment(Light(self.light), Reason(self.reason_code, self.reason_params))


class RollupKind(models.TextChoices):
    ACTION = "action", _("Action")
    INDICATOR = "indicator", _("Indicator")
    GOAL = "goal", _("Process goal")
    WORK_PACKAGE = "work_package", _("Work package")
    PROJECT_HT = "project_ht", _("Benefit target within a hanke")
    PROJECT = "project", _("Hanke")
    REGION = "region", _("Region")
    PROGRAMME = "programme", _("Programme")


class LightRow(models.Model):
    """A computed light of one object (and HT): the light, its reason, its children's colours."""

    kind = models.CharField(_("kind"), max_length=20, choices=RollupKind.choices)
    object_id = models.BigIntegerField(_("object id"))
    ht = models.PositiveSmallIntegerField(_("benefit target"), default=0)
    light = models.CharField(_("light"), max_length=10)
    behind_share = models.DecimalField(
        _("share behind"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    counts = models.JSONField(_("children by colour"), default=dict, blank=True)
    reason_code = models.CharField(_("reason"), max_length=50)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True

    @property
    def assessment(self) -> Assessment:
        return Assessment(Light(self.light), Reason(self.reason_code, self.reason_params))


class CurrentLight(LightRow):
    """Today's light of one object, with its reason and its children's colours.

    The current state: one row per (kind, object, HT), upserted by
    `measures.status_engine.status_recompute_*`; dashboards only read it, so reading today's
    lights costs the same after a year of nightly runs as after one. A past day's lights are
    computed from the recorded history (`measures.history`), and kept in `DayLight` only for
    the days a feature reads.
    `ht` is the benefit target number for kind "project_ht", else 0; `as_of` is the day the
    light was computed for.
    """

    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="current_lights",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="current_lights",
    )
    as_of = models.DateField(_("as of"))

    class Meta:
        ordering = ["kind", "object_id", "ht"]
        verbose_name = _("current light")
        verbose_name_plural = _("current lights")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "ht"], name="current_light_unique"
            ),
        ]
        indexes = [models.Index(fields=["project", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.light}"


class DayLight(LightRow):
    """The light of one object on one past day, computed once from the recorded history.

    A day that is over cannot change: what was recorded by its end stays as it was (history
    is append-only), so these rows never go stale. They are written only for the days a
    feature reads (reporting round cut-offs, steering group meeting dates: a few per hanke
    a year) by `measures.status_engine.lights_on`, and go with their hanke. They keep the
    programme's thresholds of the day they were computed.
    """

    day = models.DateField(_("day"))
    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="day_lights"
    )

    class Meta:
        ordering = ["day", "kind", "object_id", "ht"]
        verbose_name = _("light of a past day")
        verbose_name_plural = _("lights of past days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "object_id", "ht"], name="day_light_unique"
            ),
        ]
        indexes = [models.Index(fields=["day", "project"])]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.object_id}: {self.light}"
