"""Indicator progress and its light (pure: plain values in, an IndicatorResult out).

Rules (design README §4):
- progress = (latest − baseline) / (target − baseline), direction-aware;
- expected = share of the time from the baseline date to the target date that has passed
  at the latest measurement;
- green when the target is met or progress ≥ green_ratio × expected; yellow when
  ≥ yellow_ratio × expected; red below that or when moving the wrong way;
- grey when there is no data, no target, or the newest value is older than twice the
  indicator's frequency ("stale").
Choices where the design is silent, each explained in the reason shown to the reader:
- the target that counts is the first one dated on or after the latest measurement (yearly
  targets as in seed 002), else the last one (a target may be met early);
- with no baseline the first measurement serves as the baseline;
- a target that asks for no improvement over the baseline is judged met / not met only;
- "yli 25 %" targets (strict) must be exceeded, not just reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from portal.lights import IndicatorThresholds
from portal.lights import Light
from portal.lights import Reason
from portal.lights import fmt_date

FREQUENCY_DAYS = {"monthly": 31, "quarterly": 92, "half_yearly": 183, "yearly": 366}


@dataclass(frozen=True)
class Point:
    period: date
    value: Decimal


@dataclass(frozen=True)
class TargetPoint:
    target_date: date
    value: Decimal
    strict: bool = False


@dataclass(frozen=True)
class IndicatorInput:
    direction: str  # "higher" or "lower" is better
    frequency: str
    baseline: Decimal | None
    baseline_date: date | None
    targets: tuple[TargetPoint, ...]
    points: tuple[Point, ...]  # sorted by period


@dataclass(frozen=True)
class IndicatorResult:
    light: Light
    reason: Reason
    latest: Point | None = None
    progress: Decimal | None = None
    expected: Decimal | None = None
    trend: str = ""  # improving | worsening | flat | "" (fewer than two values)


def sign(direction: str) -> int:
    return -1 if direction == "lower" else 1


def is_stale(latest: date, frequency: str, today: date) -> bool:
    return today - latest > timedelta(days=2 * FREQUENCY_DAYS.get(frequency, 366))


def trend_of(points: tuple[Point, ...], direction: str) -> str:
    if len(points) < 2:
        return ""
    change = (points[-1].value - points[-2].value) * sign(direction)
    return "improving" if change > 0 else "worsening" if change < 0 else "flat"


def target_for(targets: tuple[TargetPoint, ...], latest: date) -> TargetPoint | None:
    if not targets:
        return None
    ordered = sorted(targets, key=lambda t: t.target_date)
    return next((t for t in ordered if t.target_date >= latest), ordered[-1])


def meets(value: Decimal, target: TargetPoint, direction: str) -> bool:
    gap = (value - target.value) * sign(direction)
    return gap > 0 if target.strict else gap >= 0


def progress_ratio(latest: Decimal, baseline: Decimal, target: Decimal) -> Decimal | None:
    """(latest − baseline) / (target − baseline); None when the target equals the baseline."""
    needed = target - baseline
    if needed == 0:
        return None
    return (latest - baseline) / needed


def expected_share(start: date, end: date, at: date) -> Decimal:
    if end <= start:
        return Decimal(1)
    share = Decimal((at - start).days) / Decimal((end - start).days)
    return min(max(share, Decimal(0)), Decimal(1))


def assess_indicator(
    data: IndicatorInput, *, today: date, thresholds: IndicatorThresholds
) -> IndicatorResult:
    """The light of one indicator, with its progress, expected progress and trend."""
    if not data.points:
        return IndicatorResult(Light.GREY, Reason("indicator_no_data"))
    latest = data.points[-1]
    trend = trend_of(data.points, data.direction)
    if is_stale(latest.period, data.frequency, today):
        reason = Reason("indicator_stale", {"date": fmt_date(latest.period)})
        return IndicatorResult(Light.GREY, reason, latest, trend=trend)
    target = target_for(data.targets, latest.period)
    if target is None:
        return IndicatorResult(Light.GREY, Reason("indicator_no_target"), latest, trend=trend)
    baseline, start = _baseline(data)
    if baseline is None or (data.baseline is None and len(data.points) < 2):
        return IndicatorResult(Light.GREY, Reason("indicator_no_baseline"), latest, trend=trend)
    return _judge(data, latest, target, baseline, start, thresholds, trend)


def _baseline(data: IndicatorInput) -> tuple[Decimal | None, date]:
    if data.baseline is not None:
        return data.baseline, data.baseline_date or data.points[0].period
    first = data.points[0]
    return first.value, first.period


def _judge(
    data: IndicatorInput,
    latest: Point,
    target: TargetPoint,
    baseline: Decimal,
    start: date,
    thresholds: IndicatorThresholds,
    trend: str,
) -> IndicatorResult:
    numbers = {"latest": _num(latest.value), "target": _num(target.value)}
    if meets(latest.value, target, data.direction):
        return IndicatorResult(
            Light.GREEN, Reason("indicator_target_met", numbers), latest, trend=trend
        )
    improvement = (latest.value - baseline) * sign(data.direction)
    if improvement < 0:
        reason = Reason("indicator_wrong_way", {**numbers, "baseline": _num(baseline)})
        return IndicatorResult(Light.RED, reason, latest, trend=trend)
    progress = progress_ratio(latest.value, baseline, target.value)
    if progress is None or progress < 0:
        # The target asks for no improvement over the baseline, yet it is not met.
        return IndicatorResult(
            Light.RED, Reason("indicator_below_target", numbers), latest, trend=trend
        )
    expected = expected_share(start, target.target_date, latest.period)
    light = _light_for(progress, expected, thresholds)
    return IndicatorResult(
        light, _progress_reason(progress, expected), latest, progress, expected, trend
    )


def _light_for(progress: Decimal, expected: Decimal, thresholds: IndicatorThresholds) -> Light:
    if expected == 0 or progress >= thresholds.green_ratio * expected:
        return Light.GREEN
    if progress >= thresholds.yellow_ratio * expected:
        return Light.YELLOW
    return Light.RED


def _progress_reason(progress: Decimal, expected: Decimal) -> Reason:
    percent = {"progress": _pct(progress), "expected": _pct(expected)}
    if expected == 0:
        return Reason("indicator_nothing_expected_yet", percent)
    return Reason("indicator_progress", percent)


def _pct(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def _num(value: Decimal) -> str:
    """Plain ("84.6"): the reason writes it in the reader's locale when shown."""
    return f"{value.normalize():f}"
