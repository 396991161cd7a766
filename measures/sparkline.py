"""Geometry of a small trend line (sparkline) drawn as inline SVG (pure: no ORM, no Django).

Input: (date, value) points, optionally the baseline and the target; output: coordinates
inside a small viewBox (120 × 32 by default) and the SVG attribute strings to draw them.

- x follows time (uneven periods stay uneven); y grows upwards with the value;
- the value range includes the baseline and the target, so their lines are inside the box
  and the reader sees how far the values are from them;
- one point, or several on one date, sits in the middle horizontally; equal values sit in
  the middle vertically (a flat line, not a line glued to an edge);
- a margin of `pad` keeps the dot for the latest value whole at the edges.

Attribute strings are formatted here, with a full stop as the decimal sign: a float given to
a template would be localized ("12,5" in Finnish) and break the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

Number = Decimal | float | int


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    coords: tuple[tuple[float, float], ...]  # in date order; the last one is the latest value
    target_y: float | None = None
    baseline_y: float | None = None

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def path(self) -> str:
        """`d` of the trend line; empty with fewer than two points (nothing to join)."""
        if len(self.coords) < 2:
            return ""
        head, *rest = self.coords
        return f"M{_xy(head)}" + "".join(f" L{_xy(c)}" for c in rest)

    @property
    def last(self) -> tuple[str, str] | None:
        """(cx, cy) of the dot for the latest value."""
        if not self.coords:
            return None
        x, y = self.coords[-1]
        return _num(x), _num(y)

    @property
    def target_attr(self) -> str:
        return "" if self.target_y is None else _num(self.target_y)

    @property
    def baseline_attr(self) -> str:
        return "" if self.baseline_y is None else _num(self.baseline_y)

    @property
    def right(self) -> str:
        return _num(self.width)


def sparkline(
    points: Iterable[tuple[date, Number]],
    *,
    baseline: Number | None = None,
    target: Number | None = None,
    width: int = 120,
    height: int = 32,
    pad: float = 3.0,
) -> Sparkline:
    """Scale the points into a width × height box with `pad` to spare on every side.

    Raises ValueError on a value that is not a finite number (the database holds none).
    """
    if width <= 2 * pad or height <= 2 * pad:
        raise ValueError("the box must be larger than twice the padding")
    series = sorted(((day, _finite(value)) for day, value in points), key=lambda p: p[0])
    base = _finite(baseline) if baseline is not None else None
    goal = _finite(target) if target is not None else None
    values = [v for _d, v in series] + [v for v in (base, goal) if v is not None]
    if not values:
        return Sparkline(width, height, ())
    low, high = min(values), max(values)
    inner_h = height - 2 * pad

    # Halves keep the difference finite even for values near the float limit.
    half_range = high / 2 - low / 2

    def y_of(value: float) -> float:
        if half_range == 0:
            return height / 2
        share = (high / 2 - value / 2) / half_range
        # The clamp keeps floating-point rounding from pushing a point past the padding.
        return _clamp(pad + share * inner_h, pad, height - pad)

    coords: tuple[tuple[float, float], ...] = ()
    if series:
        first = series[0][0].toordinal()
        span = series[-1][0].toordinal() - first
        inner_w = width - 2 * pad

        def x_of(day: date) -> float:
            if span == 0:
                return width / 2
            return _clamp(pad + (day.toordinal() - first) / span * inner_w, pad, width - pad)

        coords = tuple((x_of(day), y_of(value)) for day, value in series)
    return Sparkline(
        width,
        height,
        coords,
        target_y=y_of(goal) if goal is not None else None,
        baseline_y=y_of(base) if base is not None else None,
    )


def _finite(value: Number) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _num(value: float) -> str:
    """Two decimals at most, '.' as the decimal sign, no '-0'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _xy(coord: tuple[float, float]) -> str:
    return f"{_num(coord[0])},{_num(coord[1])}"
