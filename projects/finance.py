"""Rules for a hanke's money and risks (pure: plain values in, plain values out; no ORM).

Contract (design README §4, STYLE.md R6):
- `budget_period` picks the span the budget is spent over; `expected_share` is the straight
  line over it; `spending_light` compares the share of the budget used with that line and
  warns both ways: spending too slowly is as much a warning as spending too fast.
- `validate_spending_bands` keeps the Programme's spending thresholds meaningful.
- `risk_score`, `risk_level` and `heat_map` turn likelihood × impact (1–5 each) into a score,
  a level with a text label, and the 5×5 counts of the risk register's heat map.
`today` is always passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from portal.lights import Assessment
from portal.lights import Light

# --- Spending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendingThresholds:
    """Gap between the share used and the share expected by now, in fractions of the budget:
    within `yellow_gap` green, within `red_gap` yellow, beyond it red (either direction)."""

    yellow_gap: Decimal = Decimal("0.10")
    red_gap: Decimal = Decimal("0.25")


_SPENDING_TEXTS = {
    "spending_no_budget": _("No budget total to compare with"),
    "spending_no_period": _("No period to spread the budget over"),
    "spending_on_pace": _("%(used)s %% of the budget used, %(expected)s %% expected by now"),
    "spending_slow": _(
        "Spending too slowly: %(used)s %% of the budget used, %(expected)s %% expected by now"
    ),
    "spending_fast": _(
        "Spending too fast: %(used)s %% of the budget used, %(expected)s %% expected by now"
    ),
    "spending_over": _("Over budget: %(used)s %% of the budget used"),
}


# The light's label in spending terms: "Behind" would mislead when the money goes too fast.
SPENDING_LABELS = {
    Light.GREEN: _("On pace"),
    Light.YELLOW: _("Needs attention"),
    Light.ORANGE: _("Needs attention"),
    Light.RED: _("Off pace"),
    Light.GREY: _("No assessment"),
}


@dataclass(frozen=True)
class SpendingReason:
    """Why the spending light is what it is; rendered in the reader's language when shown
    (the same interface as portal.lights.Reason, so `{% light %}` shows it)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        template = _SPENDING_TEXTS[self.code]
        return str(template) % self.params if self.params else str(template)

    @property
    def html(self) -> str:
        return escape(self.text)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def budget_period(
    *,
    project_start: date | None,
    project_end: date | None,
    budget_years: Iterable[int],
    programme_start: date | None = None,
    programme_end: date | None = None,
) -> tuple[date, date] | None:
    """The span the budget is spent over: the hanke's own dates; else the calendar years its
    budget lines name (002's 2022 budget: 1.1.–31.12.2022); else the programme's dates.
    A missing end or start is filled from the next source."""
    years = sorted(set(budget_years))
    start = project_start or (date(years[0], 1, 1) if years else programme_start)
    end = project_end or (date(years[-1], 12, 31) if years else programme_end)
    if start is None or end is None or end < start:
        return None
    return start, end


def expected_share(period: tuple[date, date], today: date) -> Decimal:
    """The share of the budget the straight line expects used by the end of `today` (0–1)."""
    start, end = period
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    elapsed = (today - start).days + 1
    total = (end - start).days + 1
    return (Decimal(elapsed) / Decimal(total)).quantize(Decimal("0.0001"))


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}"


def spending_light(
    *,
    budget: Decimal | None,
    spent: Decimal,
    period: tuple[date, date] | None,
    today: date,
    thresholds: SpendingThresholds,
) -> Assessment:
    """The spending light: how far the share used is from the straight line, either way."""
    if not budget:
        return Assessment(Light.GREY, SpendingReason("spending_no_budget"))
    if period is None:
        return Assessment(Light.GREY, SpendingReason("spending_no_period"))
    # Compared unrounded, so 399 990 € of 1 M€ is below a 40 % edge, not rounded onto it.
    used = Decimal(spent) / Decimal(budget)
    expected = expected_share(period, today)
    params = {"used": _percent(used), "expected": _percent(expected)}
    if used > 1:
        return Assessment(Light.RED, SpendingReason("spending_over", {"used": params["used"]}))
    gap = used - expected
    code = "spending_on_pace" if gap == 0 else "spending_fast" if gap > 0 else "spending_slow"
    if abs(gap) <= thresholds.yellow_gap:
        return Assessment(Light.GREEN, SpendingReason("spending_on_pace", params))
    light = Light.YELLOW if abs(gap) <= thresholds.red_gap else Light.RED
    return Assessment(light, SpendingReason(code, params))


def validate_spending_bands(*, yellow_gap: Decimal, red_gap: Decimal) -> dict[str, str]:
    """Field → message when the spending thresholds would break the bands ({} when fine)."""
    if Decimal(0) < yellow_gap < red_gap <= Decimal(1):
        return {}
    message = str(
        _(
            "Spending bands must be in order: 0 < yellow from < red from ≤ 1 "
            "(gap between the share used and the share expected, both ways)."
        )
    )
    return {"spending_yellow_gap": message, "spending_red_gap": message}


def burn_points(
    spending: Iterable[tuple[date, Decimal]],
) -> list[tuple[date, Decimal]]:
    """Cumulative spending per day (one point per date, in date order), exact Decimals."""
    per_day: dict[date, Decimal] = {}
    for day, amount in spending:
        per_day[day] = per_day.get(day, Decimal(0)) + Decimal(amount)
    points, running = [], Decimal(0)
    for day in sorted(per_day):
        running += per_day[day]
        points.append((day, running))
    return points


# --- Risks ----------------------------------------------------------------------------------


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")

    @property
    def css_class(self) -> str:
        return f"risk-level risk-level--{self.value}"


LEVELS = (1, 2, 3, 4, 5)
# Score = likelihood × impact (1–25). 15 and over is high (e.g. likely × major), 6–14
# medium, 5 and under low: the common 5×5 matrix split into three bands.
HIGH_FROM, MEDIUM_FROM = 15, 6


def risk_score(likelihood: int | None, impact: int | None) -> int | None:
    if likelihood is None or impact is None:
        return None
    return likelihood * impact


def risk_level(likelihood: int | None, impact: int | None) -> RiskLevel | None:
    """The level of a rated risk (None for an unrated one)."""
    score = risk_score(likelihood, impact)
    if score is None:
        return None
    if score >= HIGH_FROM:
        return RiskLevel.HIGH
    return RiskLevel.MEDIUM if score >= MEDIUM_FROM else RiskLevel.LOW


def review_overdue(next_review: date | None, *, status: str, today: date) -> bool:
    """A review date that has passed on a risk that is still followed (not closed)."""
    return next_review is not None and status != "closed" and next_review < today


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.likelihood, self.impact)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(frozen=True)
class HeatMap:
    """Rows from likelihood 5 (top) down to 1, columns impact 1–5, as a table shows them."""

    rows: list[tuple[int, list[HeatCell]]]
    rated: int
    unrated: int
    by_level: dict[str, int]


def heat_map(ratings: Iterable[tuple[int | None, int | None]]) -> HeatMap:
    """Counts of (likelihood, impact) pairs; unrated risks are counted apart, never guessed."""
    counts: Counter = Counter()
    unrated = 0
    for likelihood, impact in ratings:
        if likelihood is None or impact is None:
            unrated += 1
        else:
            counts[(likelihood, impact)] += 1
    rows = [
        (
            likelihood,
            [HeatCell(likelihood, impact, counts[(likelihood, impact)]) for impact in LEVELS],
        )
        for likelihood in reversed(LEVELS)
    ]
    by_level = {level.value: 0 for level in RiskLevel}
    for (likelihood, impact), n in counts.items():
        by_level[risk_level(likelihood, impact).value] += n
    return HeatMap(rows, sum(counts.values()), unrated, by_level)
