"""Template helpers shared by every page: the traffic light, shown with symbol, label and reason."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import localize, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from objectives.status import action_label
from portal.lights import Assessment, Light

register = template.Library()


# Simple tags that build their few elements directly: a dashboard draws hundreds of lights,
# and an inclusion tag renders a template (and a context) for each one.
_LIGHT_HTML = (
    '<span class="{}"><span class="light__symbol" aria-hidden="true">{}</span> '
    '<span class="light__label">{}</span></span>'
)


@register.simple_tag
def light(
    assessment: Assessment | None, kind: str = "", show_reason: bool = True, label: str = ""
) -> str:
    """`{% light row.assessment %}`: colour, a symbol and a text label, never colour alone.

    `label` replaces the standard wording where a rule has its own (e.g. spending pace).
    A rollup whose light rests on values generated for the demo carries the mark "demo,
    generated" after its light (its reason says how many); an indicator's own light is
    marked by the template that knows its latest value's source."""
    if assessment is None:
        return format_html(_LIGHT_HTML, Light.GREY.css_class, Light.GREY.symbol, Light.GREY.label)
    value = assessment.light
    label = label or (action_label(assessment) if kind == "action" else value.label)
    html = format_html(_LIGHT_HTML, value.css_class, value.symbol, label)
    if getattr(assessment.reason, "generated", False):  # other reasons (spending) have none
        html += format_html(" {}", generated_mark("light"))
    reason = assessment.reason.html if show_reason else ""
    if reason:
        html += format_html(' <span class="light__reason">{}</span>', reason)
    return html


@register.simple_tag
def distribution(counts: dict | None) -> str:
    """How many children of each colour: a light alone hides too much."""
    counts = counts or {}
    items = [(Light(key), counts[key]) for key in Light if counts.get(key)]
    if not items:
        return ""
    return format_html(
        '<ul class="distribution" aria-label="{}">{}</ul>',
        gettext("Items by colour"),
        format_html_join(
            "",
            '<li class="{}"><span aria-hidden="true">{}</span> {}: {}</li>',
            ((lt.css_class, lt.symbol, lt.label, localize(n)) for lt, n in items),
        ),
    )


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


# Generated figures (issue 15): a value the demo loader made up is said in words wherever it
# is shown, and a light resting on one says so beside it; the tooltip explains.
_GENERATED_HTML = '<span class="badge badge--demo" data-generated="{}" title="{}">{}</span>'


@register.simple_tag
def generated_mark(what: str = "value") -> str:
    """`{% generated_mark %}` after a generated value; `{% generated_mark "light" %}` after a
    light that rests on one. Text ("demo, generated"), not colour alone."""
    if what == "light":
        title = gettext("This light rests on a value generated for the demo, not on a measurement.")
    else:
        title = gettext("Generated for the demo by the data loader: not a measured value.")
    return format_html(_GENERATED_HTML, what, title, gettext("demo, generated"))


@register.filter
def any_generated(items) -> bool:
    """`{% if indicators|any_generated %}`: whether any item's latest value is generated
    (`latest_generated` of an Indicator or an IndicatorCard), for the one explanation."""
    return any(getattr(item, "latest_generated", False) for item in items or ())
