"""Rolling children's lights up to goals, work packages, HTs, hankkeet, regions, the programme.

Pure (design README §4): green = 1, yellow/orange = 0.5, red = 0, grey ignored; the mean
decides: ≥ green_score green, ≥ yellow_score yellow, else red; with no scored child, grey.
The distribution (how many of each colour) always travels with the single light.

`validate_bands` keeps the Programme's thresholds meaningful: bands in order, none empty,
inside their range, and with yellow_score ≤ 0.5 < green_score, so a rollup is never
greener than its greenest scored child nor redder than its reddest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from objectives.status import Light, Reason


@dataclass(frozen=True)
class RollupThresholds:
    green_score: Decimal = Decimal("0.75")
    yellow_score: Decimal = Decimal("0.50")


@dataclass(frozen=True)
class Rollup:
    light: Light
    reason: Reason
    score: Decimal | None
    counts: dict[str, int]

    @property
    def scored(self) -> int:
        return sum(n for light, n in self.counts.items() if light != Light.GREY)


def rollup(lights: Iterable[Light], thresholds: RollupThresholds) -> Rollup:
    """One light for a set of children's lights, with their distribution."""
    counts = Counter(Light(light) for light in lights)
    distribution = {light.value: counts.get(light, 0) for light in Light}
    scores = [Decimal(str(light.score)) for light in counts.elements() if light.score is not None]
    if not scores:
        return Rollup(Light.GREY, Reason("rollup_none"), None, distribution)
    mean = sum(scores) / len(scores)
    if mean >= thresholds.green_score:
        light = Light.GREEN
    elif mean >= thresholds.yellow_score:
        light = Light.YELLOW
    else:
        light = Light.RED
    reason = Reason("rollup_mean", {"score": f"{mean:.2f}", "scored": len(scores)})
    return Rollup(light, reason, mean.quantize(Decimal("0.0001")), distribution)


def validate_bands(
    *, green_ratio: Decimal, yellow_ratio: Decimal, green_score: Decimal, yellow_score: Decimal
) -> dict[str, str]:
    """Field → message for every threshold that would break the colour bands ({} when fine)."""
    errors: dict[str, str] = {}
    if not Decimal(0) < yellow_ratio < green_ratio <= Decimal(1):
        message = _(
            "Indicator bands must be in order without a gap or overlap: "
            "0 < yellow from < green from ≤ 1 (share of expected progress)."
        )
        errors["indicator_yellow_ratio"] = errors["indicator_green_ratio"] = str(message)
    if not Decimal(0) < yellow_score <= Decimal("0.5") < green_score <= Decimal(1):
        message = _(
            "Rollup bands must be in order without a gap or overlap: "
            "0 < yellow from ≤ 0.5 < green from ≤ 1 (mean score; yellow and orange count 0.5)."
        )
        errors["rollup_yellow_score"] = errors["rollup_green_score"] = str(message)
    return errors
