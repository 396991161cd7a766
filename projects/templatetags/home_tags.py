"""The home page's region cards: each region with its hankkeet, their lights and counts.

The home page draws every region the user may see (22 for the ministry) with each hanke's
light, distribution, three counts and four links. Through the template engine a card cost
~1 900 Python calls (each variable, filter and `{% blocktranslate %}` resolving through the
engine), two thirds of the page (docs/performance.md). Here a card is joined once, as the
overview's rows are (reporting/templatetags/overview_tags.py): every text escaped
(`html.escape`, what Django's `escape` does), the lights drawn by the portal's light tags,
the words translated in the reader's language.
"""

from __future__ import annotations

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from django.utils.translation import ngettext

from portal.paths import object_path
from portal.templatetags.portal_tags import distribution
from portal.templatetags.portal_tags import light

register = template.Library()


def _counted(singular: str, plural: str, count: int) -> str:
    return escape(ngettext(singular, plural, count) % {"counter": count})


def _project(project, words: dict[str, str]) -> str:
    name = escape(project.display_name)
    actions = _counted("%(counter)s action", "%(counter)s actions", project.action_count)
    indicators = _counted(
        "%(counter)s indicator", "%(counter)s indicators", project.indicator_count
    )
    coordinator = escape(project.coordinator.display_name)
    return (
        f'\n        <h3><a href="{object_path("objectives:hanke", project.pk)}">{name}</a></h3>'
        f'\n        <p class="muted">{words["coordinator"]}: {coordinator}</p>'
        f"\n        <p>{light(project.light)}</p>"
        f"\n        {distribution(project.light_counts)}"
        '\n        <dl class="counts">'
        f"\n          <div><dt>{words['goals']}</dt><dd>{project.goal_count}</dd></div>"
        f"\n          <div><dt>{words['actions']}</dt><dd><a "
        f'href="{object_path("objectives:action-list", project.pk)}" aria-label="{actions}">'
        f"{project.action_count}</a></dd></div>"
        f"\n          <div><dt>{words['indicators']}</dt><dd><a "
        f'href="{object_path("measures:indicator-list", project.pk)}" aria-label="{indicators}">'
        f"{project.indicator_count}</a></dd></div>"
        "\n        </dl>"
        f'\n        <p><a href="{object_path("project-members", project.pk)}">{words["members"]}'
        f'<span class="visually-hidden">: {name}</span></a></p>'
    )


@register.simple_tag
def region_cards(entries) -> SafeString:
    """`{% region_cards regions %}`: a card per region (`entry.region`, `entry.projects`, each
    hanke with its light, `light_counts` and counts)."""
    words = {
        key: escape(gettext(msgid))
        for key, msgid in (
            ("coordinator", gettext_noop("Coordinator")),
            ("goals", gettext_noop("Process goals")),
            ("actions", gettext_noop("Actions")),
            ("indicators", gettext_noop("Indicators")),
            ("members", gettext_noop("Members")),
        )
    }
    return SafeString("\n  ".join(_card(entry, words) for entry in entries))


def _card(entry, words: dict[str, str]) -> str:
    region = entry.region
    code = escape(str(region.code))
    population = ""
    if region.population:
        number = floatformat(region.population, "0g")
        text = gettext("Population %(population)s") % {"population": number}
        population = f'\n      <p class="muted">{escape(text)}</p>'
    projects = "".join(_project(project, words) for project in entry.projects)
    return (
        f'<section class="card region" aria-labelledby="region-{code}">'
        f'\n      <h2 id="region-{code}">{escape(region.display_name)}</h2>{population}'
        f"{projects}\n    </section>"
    )
