"""Template helpers shared by every page: the traffic light, shown with symbol, label and reason."""

from __future__ import annotations

from django import template

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
