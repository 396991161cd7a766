"""`{% load money %}`: euros written the reader's way (projects.money.format_money)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from projects.money import format_money

register = template.Library()


@register.filter
def euros(value) -> str:
    """`{{ amount|euros }}`: "1 304 000,00 €" in Finnish and Swedish, "€1,304,000.00" in English."""
    if value is None or value == "":
        return "–"
    return format_money(Decimal(value), translation.get_language() or "fi")


@register.filter
def percent(value) -> str:
    """`{{ fraction|percent }}`: a share (0.4567) as whole percent with the unit ("46 %")."""
    if value is None:
        return "–"
    return f"{(Decimal(value) * 100).quantize(Decimal(1))}\u00a0%"
