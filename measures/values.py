"""Reading a measurement as a person types it, and the period it belongs to (pure).

"698/788" keeps its numerator and denominator; "84,6 %" and "84.6" are the same value;
the unit decides what is allowed (a percent is 0–100, a count a non-negative whole number).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation

from django.utils.translation import gettext_lazy as _

_STRIP = ("%", "pv", "kpl", "€", "st", "dagar", "days", "\u00a0", " ")


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    as_written: str = ""


class ValueRejected(ValueError):
    """The text is not a valid value for the unit; the message is for the person who typed it."""


def _number(text: str) -> Decimal:
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueRejected(_("Enter a number, e.g. 42, 84,6 or 698/788.")) from None
    if not number.is_finite():
        raise ValueRejected(_("Enter a number, e.g. 42, 84,6 or 698/788."))
    return number


def parse_value(raw: str, unit: str) -> ParsedValue:
    text = (raw or "").strip()
    if not text:
        raise ValueRejected(_("Enter a value."))
    compact = text.lower()
    for token in _STRIP:
        compact = compact.replace(token, "")
    if "/" in compact:
        return _fraction(compact, unit, text)
    return ParsedValue(_checked(_number(compact), unit), as_written=text)


def _fraction(compact: str, unit: str, text: str) -> ParsedValue:
    if unit not in ("percent", "ratio", "score"):
        raise ValueRejected(_("A fraction such as 698/788 only suits percentages and ratios."))
    top, _sep, bottom = compact.partition("/")
    numerator, denominator = _number(top), _number(bottom)
    if denominator <= 0 or numerator < 0:
        raise ValueRejected(_("In a fraction both numbers must be positive, e.g. 698/788."))
    value = numerator / denominator * (100 if unit == "percent" else 1)
    value = value.quantize(Decimal("0.0001"))
    return ParsedValue(_checked(value, unit), numerator, denominator, text)


def _checked(value: Decimal, unit: str) -> Decimal:
    if unit == "percent" and not Decimal(0) <= value <= Decimal(100):
        raise ValueRejected(_("A percentage must be between 0 and 100."))
    if unit == "count" and (value < 0 or value != value.to_integral_value()):
        raise ValueRejected(_("A count must be a whole number, 0 or more."))
    if unit in ("days", "euro") and value < 0:
        raise ValueRejected(_("The value cannot be negative."))
    if unit == "milestone" and value not in (Decimal(0), Decimal(100)):
        raise ValueRejected(_("A milestone is 0 (not reached) or 100 (reached)."))
    return value


def unit_change_problem(*, old_unit: str | None, new_unit: str, has_values: bool) -> str | None:
    """Why an indicator's unit may not change, or None. Values stored in one unit would
    read as another ("42" percent becomes 42 days), so an indicator with values keeps its
    unit. Shared by the indicator form's service and the import planner."""
    if old_unit is not None and new_unit != old_unit and has_values:
        return str(_("The unit of an indicator with values cannot be changed."))
    return None
