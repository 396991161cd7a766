"""Writes for indicators and measurements.

Every service is atomic, takes the acting user, validates with `full_clean()`, records who
changed what (django-simple-history rows, with the actor and a reason) in the same
transaction, marks the hanke's traffic lights dirty and queues their recomputation after
commit. Permission checks are the caller's (views fetch objects through the access helpers).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any
from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from objectives.services import live_goals
from portal.history_rows import history_save
from portal.models_common import in_all_languages
from portal.periods import period_end_for
from projects.access import Perm
from projects.access import check
from projects.plan_services import PlanSave
from projects.plan_services import plan_row_retire
from projects.plan_services import plan_row_save
from projects.plan_services import plan_values_check
from projects.services import project_status_changed

from .choices import MeasurementSource
from .models import Indicator
from .models import Measurement
from .models import Target
from .values import ValueRejected
from .values import parse_value
from .values import unit_change_problem


class ConflictError(Exception):
    """The row changed after the user opened it; their input must not overwrite it silently."""

    def __init__(self, current: Measurement | None):
        super().__init__("measurement changed underneath")
        self.current = current


class PeriodTakenError(ConflictError):
    """A new value was entered for a period that already has one: not a conflict but a
    correction, which the user confirms with a reason (old → new)."""


@dataclass(frozen=True)
class GeneratedRemoved:
    """What `generated_values_remove` deleted: the values and the hankkeet they belonged to."""

    measurements: int
    project_ids: tuple[int, ...]


@dataclass(frozen=True)
class MeasurementSaved:
    measurement: Measurement
    created: bool


def indicator_span(indicator: Indicator) -> tuple[date, date]:
    """Periods an indicator can have values for: its hanke's dates, else the programme's.

    Values from before the hanke are allowed back to the baseline date (plans quote
    baselines from earlier years).
    """
    project, programme = indicator.project, indicator.project.programme
    start = project.start_date or programme.start_date
    if indicator.baseline_date:
        start = min(start, indicator.baseline_date)
    end = max(project.end_date or programme.end_date, programme.end_date)
    return start, end


def _checked_period(indicator: Indicator, period: date) -> date:
    period_end = period_end_for(period, indicator.frequency)
    start, end = indicator_span(indicator)
    if not start <= period_end <= period_end_for(end, indicator.frequency):
        message = _("The period must fall between %(start)s and %(end)s.") % {
            "start": start.strftime("%-d.%-m.%Y"),
            "end": end.strftime("%-d.%-m.%Y"),
        }
        raise ValidationError({"period": message})
    return period_end


@transaction.atomic
def measurement_save(
    *,
    indicator: Indicator,
    period: date,
    raw_value: str,
    actor,
    source: str = MeasurementSource.MANUAL,
    note: str = "",
    expected_version: int | None = None,
    reason: str | None = None,
) -> MeasurementSaved:
    """Create or edit the one value of `indicator` for the period containing `period`.

    Permission: Perm.ENTER_MEASUREMENTS on the hanke (checked here; actor None = system).
    A second value for the same period edits the first (history keeps the old value);
    `expected_version` guards against overwriting someone else's edit (ConflictError).
    `expected_version` 0 (a new value) for a period that has one raises PeriodTakenError:
    the caller offers the correction. `reason` None (imports, Sotkanet: their job carries
    the note) asks for nothing; a string (the value form) must be non-empty to correct an
    existing value, and is kept as the history row's reason.
    Side effects: marks the hanke's lights dirty; queues recomputation after commit.
    """
    check(actor, Perm.ENTER_MEASUREMENTS, indicator.project)
    try:
        parsed = parse_value(raw_value, indicator.unit)
    except ValueRejected as exc:
        raise ValidationError({"value": str(exc)}) from None
    period_end = _checked_period(indicator, period)
    measurement = (
        Measurement.objects.select_for_update()
        .filter(indicator=indicator, period=period_end)
        .first()
    )
    created = measurement is None
    current_version = 0 if created else measurement.version
    # expected_version 0 means "I am adding a new value": someone else's value for the same
    # period in the meantime is a conflict too. None (imports) skips the check.
    if expected_version == 0 and not created:
        raise PeriodTakenError(measurement)
    if expected_version is not None and current_version != expected_version:
        raise ConflictError(measurement)
    if not created and reason is not None and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for correcting the value.")})
    if created:
        measurement = Measurement(indicator=indicator, period=period_end)
    else:
        measurement.version += 1
    measurement.value, measurement.value_as_written = parsed.value, parsed.as_written
    measurement.numerator, measurement.denominator = parsed.numerator, parsed.denominator
    measurement.source, measurement.note = source, note
    measurement.entered_by = actor
    history_save(
        measurement,
        actor=actor,
        reason=(reason or "").strip()[:100] or ("created" if created else "edited"),
    )
    project_status_changed(project_id=indicator.project_id)
    return MeasurementSaved(measurement, created)


@transaction.atomic
def target_save(
    *,
    indicator: Indicator,
    target_date: date,
    value,
    actor,
    value_as_written: str = "",
    strict: bool = False,
    reason: str = "",
):
    """Create or change the target of `indicator` for `target_date` (history keeps the old).

    Side effects: marks the hanke's lights dirty and queues their recomputation.
    """
    check(actor, Perm.EDIT_PLAN, indicator.project)
    target = Target.objects.select_for_update().filter(
        indicator=indicator, target_date=target_date
    ).first() or Target(indicator=indicator, target_date=target_date)
    target.value, target.value_as_written, target.strict = value, value_as_written, strict
    history_save(target, actor=actor, reason=reason[:100] or None)
    project_status_changed(project_id=indicator.project_id)
    return target


# --- Bulk import (reporting.imports.services plans the rows; these write them) ---------------

INDICATOR_IMPORT_FIELDS = frozenset({"name_fi", "name_sv", "name_en", "unit", "baseline_value"})


@dataclass
class IndicatorImportRow:
    """A new indicator (`indicator_id` None) or changes to one, with its final target."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)  # INDICATOR_IMPORT_FIELDS only
    final_target: Decimal | None = None  # None: unchanged
    targets: dict[date, Decimal] | None = None  # targets by date to set (others unchanged)
    indicator_id: int | None = None
    expected_version: int | None = None


class IndicatorConflictError(Exception):
    def __init__(self, current: Indicator | None):
        super().__init__("indicator changed underneath")
        self.current = current


@transaction.atomic
def indicators_import(
    *, project, actor, rows: list[IndicatorImportRow], comment: str
) -> tuple[int, int]:
    """Create or change indicators of one hanke (all or nothing); returns (created, updated).

    Permission: Perm.EDIT_PLAN on the hanke (checked once; every row belongs to it). Each row
    is validated with `full_clean()`; the unit of an indicator with values stays
    (ValidationError); a changed indicator's `version` must still be
    `expected_version` (IndicatorConflictError). The final target is the last target by
    date (changed through `target_save`); a new one is dated at the hanke's end.
    Side effects: history rows with the actor and `comment`; lights recomputed after commit.
    """
    check(actor, Perm.EDIT_PLAN, project)
    created = updated = 0
    current = {
        i.pk: i
        for i in Indicator.objects.select_for_update()
        .filter(project=project, pk__in=[r.indicator_id for r in rows if r.indicator_id])
        .prefetch_related("targets")
    }
    for row in rows:
        if set(row.values) - INDICATOR_IMPORT_FIELDS:
            raise ValueError(f"fields not importable: {sorted(row.values)}")
        if row.indicator_id is None:
            indicator = Indicator(project=project, code=row.code, **row.values)
            created += 1
        else:
            indicator = current.get(row.indicator_id)
            if indicator is None or indicator.version != row.expected_version:
                raise IndicatorConflictError(indicator)
            try:
                _check_unit(indicator, row.values.get("unit"))
            except ValidationError as exc:
                raise ValidationError(f"{row.code}: {exc.messages[0]}") from None
            for name, value in row.values.items():
                setattr(indicator, name, value)
            indicator.version += 1
            updated += 1
        indicator._history_user = actor
        indicator._change_reason = comment[:100]
        try:
            indicator.full_clean()
        except ValidationError as exc:
            raise ValidationError(f"{row.code}: {exc.messages[0]}") from None
        indicator.save()
        if row.final_target is not None:
            last = indicator.final_target if row.indicator_id else None
            target_date = (
                last.target_date if last else (project.end_date or project.programme.end_date)
            )
            target_save(
                indicator=indicator, target_date=target_date, value=row.final_target, actor=actor
            )
        for target_date, value in sorted((row.targets or {}).items()):
            target_save(
                indicator=indicator,
                target_date=target_date,
                value=value,
                actor=actor,
                reason=comment,
            )
    project_status_changed(project_id=project.pk)
    return created, updated


@dataclass
class MeasurementImportRow:
    indicator: Indicator
    period: date
    raw_value: str
    expected_version: int  # 0: a new value for the period


@transaction.atomic
def measurements_import(*, project, actor, rows: list[MeasurementImportRow], comment: str) -> int:
    """Save many values of one hanke's indicators through `measurement_save` (all or none).

    Permission: Perm.ENTER_MEASUREMENTS on the hanke (checked here and per row by
    measurement_save). A value someone else saved after the preview raises ConflictError.
    Side effects: as measurement_save (history with the actor, lights recomputed).
    """
    check(actor, Perm.ENTER_MEASUREMENTS, project)
    for row in rows:
        if row.indicator.project_id != project.pk:
            raise ValidationError(_("The indicator belongs to another hanke."))
        measurement_save(
            indicator=row.indicator,
            period=row.period,
            raw_value=row.raw_value,
            actor=actor,
            source=MeasurementSource.IMPORT,
            note=comment,
            expected_version=row.expected_version,
        )
    return len(rows)


GENERATED_REMOVED_REASON = "generated demo value removed"


@transaction.atomic
def generated_values_remove(*, actor=None) -> GeneratedRemoved:
    """Delete every value generated for the demo (source "demo") at once.

    Permission: Perm.MANAGE_PROGRAMME (actor None = the system: `remove_generated_values`,
    `load_demo --without-generated`).
    Side effects: each value is deleted as a model instance, so simple-history writes its
    deletion row (with the actor and the reason "generated demo value removed") and a past
    day's lights still see what had been recorded by then; every hanke that lost a value is
    marked dirty and its lights are recomputed after commit. Plan figures (source "plan"),
    entered, imported and Sotkanet values are left as they are. Idempotent.
    """
    check(actor, Perm.MANAGE_PROGRAMME)
    generated = list(
        Measurement.objects.select_for_update(of=("self",))
        .filter(source=MeasurementSource.DEMO)
        .select_related("indicator")
        .order_by("id")
    )
    projects = sorted({m.indicator.project_id for m in generated})
    for measurement in generated:
        measurement._history_user = actor
        measurement._change_reason = GENERATED_REMOVED_REASON
        measurement.delete()
    for project_id in projects:
        project_status_changed(project_id=project_id)
    return GeneratedRemoved(len(generated), tuple(projects))


# --- The plan in the browser: indicators and their targets -----------------------------------

# What an indicator is and where its values come from (the plan form and the API list them).
INDICATOR_DESCRIPTION = (
    "code",
    *in_all_languages("name"),
    "unit",
    "direction",
    "frequency",
    "source_system",
    "source_id",
)
INDICATOR_FIELDS = (
    *INDICATOR_DESCRIPTION,
    "baseline_value",
    "baseline_as_written",
    "baseline_date",
)


def _check_unit(indicator: Indicator | None, unit: str | None) -> None:
    """The shared unit rule, with the one query it needs only when the unit changes."""
    if indicator is None or unit is None or unit == indicator.unit:
        return
    problem = unit_change_problem(
        old_unit=indicator.unit,
        new_unit=unit,
        has_values=indicator.measurements.exists(),
    )
    if problem:
        raise ValidationError({"unit": problem})


def indicator_save(
    *,
    project,
    values: dict,
    goals=None,
    indicator: Indicator | None = None,
    **save: Unpack[PlanSave],
) -> Indicator:
    """Create or edit an indicator (INDICATOR_FIELDS; the goals it follows, None leaves
    them). The unit of an indicator with values cannot change (`unit_change_problem`).
    Permission, version check, history and lights: projects.plan_services.plan_row_save."""
    plan_values_check(values, INDICATOR_FIELDS, "an indicator")
    _check_unit(indicator, values.get("unit"))
    goals = live_goals(goals, project)
    links = None if goals is None else {"goals": goals}
    return plan_row_save(
        model=Indicator, project=project, values=values, row=indicator, links=links, **save
    )


def indicator_retire(*, indicator: Indicator, actor, expected_version: int, reason: str):
    """Retire an indicator: it leaves the live plan and the lights; its values stay, and
    past rounds and extracts of earlier cut-offs keep it. See `plan_row_retire`."""
    return plan_row_retire(
        row=indicator, actor=actor, expected_version=expected_version, reason=reason
    )


@transaction.atomic
def indicator_targets_save(
    *, indicator: Indicator, actor, targets: dict[date, Decimal | None], reason: str
) -> int:
    """Set the indicator's targets by date (one per year on the plan page; the last is the
    final target). None removes that date's target. Returns how many changed.
    Permission: Perm.EDIT_PLAN (target_save checks it too). Side effects: history rows
    with the actor and the reason (a removed target: its deletion row); lights recomputed."""
    check(actor, Perm.EDIT_PLAN, indicator.project)
    current = {t.target_date: t for t in indicator.targets.select_for_update()}
    changed = 0
    for day, value in sorted(targets.items()):
        old = current.get(day)
        if value is None:
            if old is not None:
                old._history_user, old._change_reason = actor, (reason or "")[:100]
                old.delete()
                changed += 1
            continue
        if old is not None and old.value == value:
            continue
        target_save(
            indicator=indicator, target_date=day, value=value, actor=actor, reason=reason or ""
        )
        changed += 1
    if changed:
        project_status_changed(project_id=indicator.project_id)
    return changed
