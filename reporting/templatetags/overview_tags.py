"""The programme overview's rows: a region's lights, and its follow-up figures.

The overview draws 26 regions, each with six lights (five HTs and "All"; a light with its
reason naming the items behind, linked, and its distribution), its hankkeet with their links,
and a follow-up row (counts, budget use, risks, the last update of each hanke). Through the
template engine each value paid for its variable lookups, filters, loop steps and
`{% blocktranslate %}` (30–180 Python calls apiece: two thirds of the page,
docs/performance.md). Here a row is joined once: every text escaped (`html.escape`, what
Django's `escape` does), the lights drawn by the tags the rest of the portal uses
(portal/templatetags/portal_tags.py), the words translated in the reader's language.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from django.utils.translation import ngettext

from portal.paths import object_path
from portal.templatetags.portal_tags import count_text
from portal.templatetags.portal_tags import distribution
from portal.templatetags.portal_tags import light
from projects.templatetags.money import euros
from projects.templatetags.money import percent

register = template.Library()


def _cell(key: object, cell) -> str:
    return f'<td data-ht="{key}">{light(cell.assessment)}{distribution(cell.counts)}</td>'


@register.simple_tag
def overview_cells(row) -> SafeString:
    """`{% overview_cells row %}`: a `<td>` per shown HT (`row.cells`) and the "All" one."""
    cells = [_cell(number, cell) for number, cell in row.cells]
    cells.append(_cell("all", row.total))
    return SafeString("\n      ".join(cells))


def _links(project, indicators: str, actions: str) -> str:
    name = escape(project.display_name)
    hidden = f'<span class="visually-hidden">: {name}</span>'
    indicator_list = object_path("measures:indicator-list", project.pk)
    action_list = object_path("objectives:action-list", project.pk)
    return (
        f'<li>{name}:\n            <a href="{indicator_list}">{indicators}{hidden}</a> ·\n'
        f'            <a href="{action_list}">{actions}{hidden}</a></li>'
    )


@register.simple_tag
def overview_region(row) -> SafeString:
    """`{% overview_region row %}`: the row's heading today: the region (linked to its
    indicators when it has one hanke) and each hanke with links to its indicators and actions."""
    projects = row.projects
    region = escape(row.region.display_name)
    if len(projects) == 1:
        region = f'<a href="{object_path("measures:indicator-list", projects[0].pk)}">{region}</a>'
    indicators, actions = escape(gettext("Indicators")), escape(gettext("Actions"))
    items = "\n        ".join(_links(project, indicators, actions) for project in projects)
    return SafeString(
        f'{region}\n        <ul class="overview__hankkeet">\n        {items}\n        </ul>'
    )


def _count(key: str, number: int) -> str:
    return f'<td class="num" data-count="{key}">{count_text(number)}</td>'


def _budget(row) -> str:
    text = "–"
    if row.budget is not None:
        spent = gettext("%(spent)s of %(budget)s") % {
            "spent": euros(row.spent),
            "budget": euros(row.budget),
        }
        text = f'{percent(row.budget_share)}<span class="help"> {escape(spent)}</span>'
    if row.no_budget:
        missing = ngettext(
            "(%(counter)s hanke without budget figures)",
            "(%(counter)s hankkeet without budget figures)",
            row.no_budget,
        ) % {"counter": row.no_budget}
        text += f'<span class="help"> {escape(missing)}</span>'
    return f'<td class="num" data-count="budget-used">{text}</td>'


def _last_update(project) -> str:
    name = escape(project.display_name)
    when = project.last_update
    if not when:
        return f"<li>{name}: {escape(gettext('no updates yet'))}</li>"
    local = template_localtime(when)
    shown = formats.date_format(local, "SHORT_DATETIME_FORMAT")
    return f'<li>{name}: <time datetime="{local.isoformat()}">{escape(shown)}</time></li>'


@register.simple_tag
def follow_up_cells(row, as_of: bool = False) -> SafeString:
    """`{% follow_up_cells row as_of %}`: the row's counts; today (not `as_of`) also its
    budget use, risks rated high and the last update of each of its hankkeet."""
    cells = [
        _count("late", row.late_actions),
        _count("off-track", row.indicators_off_track),
        _count("stale", row.indicators_stale),
    ]
    if not as_of:
        updates = "\n      ".join(_last_update(project) for project in row.projects)
        cells += [
            _budget(row),
            _count("high-risks", row.high_risks),
            f'<td>\n      <ul class="overview__hankkeet">\n      {updates}\n      </ul>\n    </td>',
        ]
    return SafeString("\n    ".join(cells))
