"""Template helpers shared by every page: the traffic light, shown with symbol, label and reason."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from objectives.status import ACTION_LABELS, Assessment, Light

register = template.Library()


@register.inclusion_tag("components/_light.html")
def light(assessment: Assessment | None, kind: str = "", show_reason: bool = True) -> dict:
    """`{% light row.assessment %}`: colour, a symbol and a text label, never colour alone."""
    if assessment is None:
        return {"light": Light.GREY, "label": Light.GREY.label, "reason": "", "show_reason": False}
    label = ACTION_LABELS[assessment.light] if kind == "action" else assessment.light.label
    return {
        "light": assessment.light,
        "label": label,
        "reason": assessment.reason.text,
        "show_reason": show_reason,
    }


@register.inclusion_tag("components/_distribution.html")
def distribution(counts: dict | None) -> dict:
    """How many children of each colour: a light alone hides too much."""
    counts = counts or {}
    return {"items": [(Light(key), counts.get(key, 0)) for key in Light if counts.get(key)]}


@register.filter
def quantity(value, suffix: str = "") -> str:
    """`{{ m.value|quantity:"%" }}`: the number in the reader's locale with its unit ("12,5 %").

    Rounded to two decimals with trailing zeros dropped (12.50 → "12,5", 1200.00 → "1200");
    a no-break space keeps the number and its unit on one line.
    """
    if value is None or value == "":
        return "–"
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number == number.to_integral():
        number = number.quantize(Decimal(1)) + 0  # + 0 turns "-0" into "0"
    else:
        number = number.normalize()
    text = number_format(number)
    return f"{text}\u00a0{suffix}" if suffix else text
