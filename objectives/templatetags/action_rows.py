"""An action's row in a list of actions (the hanke page's tree, My work, a saved row).

A list draws up to `PAGE_SIZE` rows, each with its title, light and reason, four facts and
its edit link. Written with the template engine a row took ~1 600 Python calls (each
variable, filter and `{% translate %}` resolves through the engine, ~30–70 calls apiece),
the largest part of the hanke page (docs/performance.md). Here the row's markup is one
string with every value escaped (`html.escape`, what Django's `escape` does) and its words
translated once per language, as the light tags do (portal/templatetags/portal_tags.py).
`templates/objectives/_action_item.html` keeps the row's frame: the saved message and the
status form that replaces the edit link.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from objectives.choices import ActionStatus
from objectives.choices import PlanChange
from portal.paths import object_path
from portal.people import display_name
from portal.templatetags.portal_tags import light

register = template.Library()

TITLE_CHARS = 160  # a longer title ends with "…" in the list; its page shows it whole
NONE = "–"  # a fact the plan does not give
WORDS = {  # the row's fixed words: their msgids
    "new": gettext_noop("New in this plan"),
    "ends": gettext_noop("ends"),
    "schedule": gettext_noop("Schedule"),
    "responsible": gettext_noop("Responsible party"),
    "owner": gettext_noop("Owner"),
    "updated": gettext_noop("Last update"),
    "update": gettext_noop("Update status"),
    "process_goal": gettext_noop("Process goal"),
}
_words: dict[str | None, dict[str, str]] = {}


def _words_now() -> dict[str, str]:
    """The row's words in the active language, escaped (translations do not change while
    the process runs)."""
    language = get_language()
    words = _words.get(language)
    if words is None:
        words = _words[language] = {key: escape(gettext(msgid)) for key, msgid in WORDS.items()}
    return words


def day(value) -> str:
    """A date, or a time as its local date, as d.m.yyyy (`|date:"j.n.Y"`); "" for none."""
    if value is None:
        return ""
    value = template_localtime(value)
    return f"{value.day}.{value.month}.{value.year}"


def _title(action) -> str:
    title = action.display_name
    return Truncator(title).chars(TITLE_CHARS) if len(title) > TITLE_CHARS else title


@register.simple_tag
def action_summary(action, show_project: bool = False) -> SafeString:
    """The row's title (a link to the action's page), light with its reason, and facts:
    schedule, responsible party, owner and last update (`action.last_update`)."""
    words = _words_now()
    new = f' <span class="badge">{words["new"]}</span>' if action.change == PlanChange.NEW else ""
    ends = f" ({words['ends']} {day(action.planned_end)})" if action.planned_end else ""
    project = ""
    if show_project:
        project = (
            f'\n  <p class="tree__project">{escape(action.project.display_name)} · '
            f"{escape(action.work_package.code)}</p>"
        )
    return SafeString(
        f'<p class="tree__node"><a class="tree__title" href="{_detail(action)}">'
        f"{escape(action.number)} {escape(_title(action))}</a>{new} "
        f"{light(action.light, 'action')}</p>{project}\n"
        '  <dl class="tree__meta">\n'
        f"    <div><dt>{words['schedule']}</dt>"
        f"<dd>{escape(action.schedule_text or NONE)}{ends}</dd></div>\n"
        f"    <div><dt>{words['responsible']}</dt>"
        f"<dd>{escape(action.responsible_text or NONE)}</dd></div>\n"
        f"    <div><dt>{words['owner']}</dt>"
        f"<dd>{escape(display_name(action.owner) or NONE)}</dd></div>\n"
        f"    <div><dt>{words['updated']}</dt><dd>{day(action.last_update) or NONE}</dd></div>\n"
        "  </dl>"
    )


def _detail(action) -> str:
    return object_path("objectives:action-detail", action.pk)


@register.simple_tag
def action_edit_link(action, row_query: str, focus: bool = False) -> SafeString:
    """The "Update status" link: the action's page without JS, the row's status form in
    place with htmx (`row_query`: the list's parameters, for the row's links)."""
    row = object_path("objectives:action-row", action.pk)
    focus_mark = " data-focus-after-swap" if focus else ""
    return SafeString(
        '<p class="row-actions"><a class="button button--small button--secondary" '
        f'href="{_detail(action)}" hx-get="{row}?edit=1&amp;{escape(row_query)}" '
        f'hx-target="closest .tree__action" hx-swap="outerHTML"{focus_mark}>'
        f"{_words_now()['update']}"
        f'<span class="visually-hidden">: {escape(action.number)}</span></a></p>'
    )


@register.simple_tag
def action_item_class(action) -> str:
    """The class of an action's `<li>` in a list: cancelled actions are marked."""
    cancelled = " tree__action--cancelled" if action.status == ActionStatus.CANCELLED else ""
    return f"tree__action{cancelled}"


@register.simple_tag
def action_items(actions, row_query: str, show_project: bool = False) -> SafeString:
    """A list's action rows (`<li>` each): the summary and, for an action the user may
    update, the edit link. A saved row or one with its status form open is drawn by
    `objectives/_action_item.html`, which adds what those show to the same row."""
    return SafeString(
        "".join(
            f'<li class="{action_item_class(action)}">\n  {action_summary(action, show_project)}\n'
            + (f"  {action_edit_link(action, row_query)}\n" if action.can_update else "")
            + "</li>"
            for action in actions
        )
    )


@register.simple_tag
def goal_line(node) -> SafeString:
    """A process goal's line in the hanke's tree: its number and title linked to its page
    (only "Process goal N" where the title repeats its package's name), HT badges, light."""
    goal = node.goal
    if goal.repeats_package:
        title = f"{_words_now()['process_goal']} {escape(goal.number)}"
    else:
        title = f"{escape(goal.number)} {escape(Truncator(goal.display_name).chars(200))}"
    badges = "".join(f' <span class="badge">{escape(ht)}</span>' for ht in node.hts)
    return SafeString(
        f'<p class="tree__node"><a class="tree__title" '
        f'href="{object_path("objectives:goal-detail", goal.pk)}">{title}</a>{badges} '
        f'<span id="goal-light-{goal.pk}">{light(node.light)}</span></p>'
    )
