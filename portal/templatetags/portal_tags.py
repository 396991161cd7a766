"""Template helpers shared by every page: the traffic light, shown with symbol, label and reason."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from html import escape

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext

from portal.lights import Assessment
from portal.lights import Light
from portal.lights import action_count_label
from portal.lights import action_label
from portal.paging import PARAM as PAGE_PARAM
from portal.paths import object_path
from portal.sorting import SORT_PARAM

register = template.Library()


# A dashboard draws hundreds of lights: each light's markup (class, symbol, translated label)
# is built once per language and label and reused, and the tags join plain strings instead
# of rendering a template or calling format_html per piece. Translations do not change while
# the process runs, so what is kept stays right; it is a handful of short strings.
_LIGHT_HTML = (
    '<span class="{}"><span class="light__symbol" aria-hidden="true">{}</span> '
    '<span class="light__label">{}</span></span>'
)
_badges: dict[tuple[str | None, Light, str], str] = {}


def _badge(value: Light, label: str = "") -> str:
    """The light's markup with `label` (default: the light's own label), escaped once."""
    key = (get_language(), value, label)
    html = _badges.get(key)
    if html is None:
        text = escape(str(label or value.label))
        html = _badges[key] = _LIGHT_HTML.format(value.css_class, value.symbol, text)
    return html


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
        return SafeString(_badge(Light.GREY))
    value = assessment.light
    html = _badge(value, label or (action_label(assessment) if kind == "action" else ""))
    if getattr(assessment.reason, "generated", False):  # other reasons (spending) have none
        html += " " + generated_mark("light")
    reason = assessment.reason.html if show_reason else ""
    if reason:
        html += f' <span class="light__reason">{reason}</span>'
    return SafeString(html)


_distribution_items: dict[tuple[str | None, str], tuple[str, list[tuple[Light, str]]]] = {}


def _distribution_parts(kind: str) -> tuple[str, list[tuple[Light, str]]]:
    """The list's opening tag and each colour's item prefix, in the reader's language."""
    key = (get_language(), kind)
    parts = _distribution_items.get(key)
    if parts is None:
        word = action_count_label if kind == "action" else (lambda light: light.label)
        opening = f'<ul class="distribution" aria-label="{escape(gettext("Items by colour"))}">'
        items = [
            (
                lt,
                f'<li class="{lt.css_class}"><span aria-hidden="true">{lt.symbol}</span> '
                f"{escape(str(word(lt)))}: ",
            )
            for lt in Light
        ]
        parts = _distribution_items[key] = (opening, items)
    return parts


def count_text(number) -> str:
    """A whole number in the reader's locale: digits as they are unless the settings group
    thousands (what `localize` gives for an int, without looking up the format each time)."""
    number = int(number)
    return localize(number) if settings.USE_THOUSAND_SEPARATOR else str(number)


@register.simple_tag
def distribution(counts: dict | None, kind: str = "") -> str:
    """How many children of each colour: a light alone hides too much. Actions
    (`{% distribution counts "action" %}`) are counted in their own words, as in the PDF and
    the XLSX (done, late, …)."""
    if not counts:
        return ""
    opening, items = _distribution_parts(kind)
    shown = [f"{prefix}{count_text(counts[lt])}</li>" for lt, prefix in items if counts.get(lt)]
    return SafeString(f"{opening}{''.join(shown)}</ul>") if shown else ""


@register.filter(name="object_path")
def object_path_filter(pk: int, url_name: str) -> str:
    """`{{ action.pk|object_path:"objectives:action-detail" }}`: `{% url %}` for a page that
    takes one id, without walking the URL resolver for every row (portal/paths.py)."""
    return object_path(url_name, pk)


@register.filter
def action_count_word(light: Light) -> str:
    """`{{ light|action_count_word }}`: the word for actions counted under a light."""
    return action_count_label(light)


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


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css_class: str = "") -> str:
    """`{% sort_header "tila" label %}`: a column header whose link sorts the table by the
    column (`?jarjestys=`, the other parameters kept, back to the first page); pressed again
    it reverses. The current column says so in aria-sort and with an arrow."""
    request, sort = context["request"], context["sort"]
    current = sort.key == key
    query = request.GET.copy()
    query[SORT_PARAM] = f"-{key}" if current and not sort.descending else key
    query.pop(PAGE_PARAM, None)
    aria = format_html(' aria-sort="{}"', "descending" if sort.descending else "ascending")
    arrow = ("▼" if sort.descending else "▲") if current else "↕"
    return format_html(
        '<th scope="col"{}{}><a class="sort-link" href="?{}">{} <span aria-hidden="true">{}</span>'
        "</a></th>",
        format_html(' class="{}"', css_class) if css_class else "",
        aria if current else "",
        query.urlencode(),
        label,
        arrow,
    )


@register.simple_block_tag
def card(content, heading: str, *, id: str, css: str = "", section_id: str = "") -> str:
    """`{% card _("Risks") id="risks-heading" %}…{% endcard %}`: a `section.card` named by its
    h2 `heading`; the heading's `id` is written once, so the name always points at it. `css`
    adds classes to the section, `section_id` gives it an id (a link or htmx target).
    `heading` is a text or a value (`_("Risks")`, `project.display_name`); a card whose
    heading holds more (a count or a link beside it, several translated parts) or whose section
    carries more (htmx attributes) writes its own markup."""
    return format_html(
        '<section class="card{}"{} aria-labelledby="{}">\n  <h2 id="{}">{}</h2>{}</section>',
        f" {css}" if css else "",
        format_html(' id="{}"', section_id) if section_id else "",
        id,
        id,
        heading,
        content,
    )


# The frame every data table shares (issue 19): the scrolling region, the table with its
# classes and the caption, or the sentence that stands instead of an empty table. The page
# writes only the header row and the body.
_NO_ROWS = object()


@register.simple_block_tag
def data_table(
    content,
    caption: str = "",
    *,
    rows=_NO_ROWS,
    empty: str = "",
    css: str = "",
    id: str = "",
    hide_caption: bool = False,
    caption_id: str = "",
    scroll: str = "region",
    labelledby: str = "",
    label: str = "",
) -> str:
    """`{% data_table _("Risks") rows=risks empty=_("No risks yet.") %}<thead>…</thead>
    <tbody>…</tbody>{% enddata_table %}`: a `table.data` with its caption (`hide_caption`
    keeps it for screen readers only; `caption_id` names it). Given `rows` that are empty,
    the paragraph `empty` stands instead (nothing without it).

    `scroll`: "region" (default) wraps the table in a focusable `.table-scroll` region named
    by `labelledby` (an id), `label` or "Table, scrolls sideways"; "plain" in a bare
    `.table-scroll`; "none" (PDFs, tables inside a message) not at all. `css` adds classes to
    `data`, `id` gives the table one."""
    if rows is not _NO_ROWS and not rows:
        return format_html("<p>{}</p>", empty) if empty else ""
    return get_template("components/_data_table.html").render(
        {
            "content": content,
            "caption": caption,
            "css": css,
            "id": id,
            "hide_caption": hide_caption,
            "caption_id": caption_id,
            "scroll": scroll,
            "labelledby": labelledby,
            "label": label,
        }
    )
