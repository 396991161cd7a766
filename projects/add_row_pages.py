"""A hanke's page with an "add a row" form (the budget's expenses, the risk register, the
steering group's meetings): one flow for all of them.

The hanke is read in the user's scope (404 outside it); everyone who sees the page gets it
with the form, only a user who may edit the plan may post (403 otherwise); the post is
answered through the page's `Entry` (saved: reload; refused: the form with its errors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.shortcuts import render

from portal.htmx_views import Entry

from . import selectors
from .access import Perm
from .access import can
from .access import require
from .models import Project


@dataclass(frozen=True)
class AddRowPage:
    entry: Entry  # the page's template, the form's partial in it, what a saved row says
    form: Callable[[Project, Any], Any]  # form(project, data): blank (None) or posted
    save: Callable[..., Any]  # the service: save(project=, actor=, **cleaned_data)
    context: Callable[[Project], dict]  # what the page shows besides the form
    url: Callable[[Project, Any], str] | None = None  # url(project, row): its own page

    def respond(self, request, project_pk: int):
        """The page (GET), or the answer to its posted form (POST)."""
        project = selectors.project_get(user=request.user, pk=project_pk)
        can_edit = can(request.user, Perm.EDIT_PLAN, project)
        form = self.form(project, None)
        if request.method == "POST":
            require(can_edit)
            form = self.form(project, request.POST)
            save = partial(self.save, project=project, actor=request.user)
            url = partial(self.url, project) if self.url else None
            shown = {"project": project, "can_edit": can_edit}
            if response := self.entry.post(request, form, save, url=url, **shown):
                return response
        context = {"project": project, "form": form, "can_edit": can_edit}
        return render(request, self.entry.template, {**context, **self.context(project)})
