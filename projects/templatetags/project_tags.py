"""`{% load project_tags %}`: the tags of a hanke's pages that ask what the user may do there
(projects.access), so they live in this app rather than in portal_tags."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy

from portal.paths import object_path
from projects.access import Perm
from projects.access import can

register = template.Library()


# The sections of a hanke, one tab bar shared by its pages (issue 18): (URL name, label,
# the pages under the tab, the permission needed to see the tab).
_HANKE_TABS = (
    ("objectives:hanke", gettext_lazy("Summary"), {"hanke"}, Perm.VIEW),
    ("objectives:action-list", gettext_lazy("Actions"), {"action-list"}, Perm.VIEW),
    ("measures:indicator-list", gettext_lazy("Indicators"), {"indicator-list"}, Perm.VIEW),
    (
        "project-budget",
        gettext_lazy("Budget"),
        {"project-budget", "project-budget-import"},
        Perm.VIEW,
    ),
    ("project-risks", gettext_lazy("Risks"), {"project-risks"}, Perm.VIEW),
    (
        "project-meetings",
        gettext_lazy("Steering group"),
        {"project-meetings", "meeting-detail"},
        Perm.VIEW,
    ),
    (
        "reporting:hanke-rounds",
        gettext_lazy("Reporting"),
        {"hanke-rounds", "assessment", "frozen-report", "hanke-round-compare"},
        Perm.VIEW,
    ),
    (
        "reporting:import-start",
        gettext_lazy("Import"),
        {"import-start", "import-map", "import-job"},
        Perm.ENTER_MEASUREMENTS,
    ),
    ("project-members", gettext_lazy("Members"), {"project-members"}, Perm.MANAGE_MEMBERS),
)


_CURRENT = ' aria-current="page"'


@register.simple_tag(takes_context=True)
def project_tabs(context, project) -> SafeString:
    """`{% project_tabs project %}`: the hanke's sections as one tab bar, the current one
    marked; a tab only for a section the user may open. Joined here rather than looped in a
    template: every hanke page draws it (~2 000 calls through the template engine, ~500 so)."""
    request = context["request"]
    current = request.resolver_match.url_name if request.resolver_match else ""
    items = "".join(
        f'\n    <li><a href="{object_path(name, project.pk)}"'
        f"{_CURRENT if current in pages else ''}>{escape(str(label))}</a></li>"
        for name, label, pages, perm in _HANKE_TABS
        if can(request.user, perm, project)
    )
    return SafeString(
        f'<nav class="hanke-tabs" aria-label="{escape(gettext("Sections of the hanke"))}">\n'
        f'  <ul class="hanke-tabs__list">{items}\n  </ul>\n</nav>'
    )
