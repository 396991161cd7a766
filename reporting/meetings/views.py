"""The steering group's meetings of a hanke: the list (managers record a new meeting), one
meeting's page (status, changes since the previous meeting, budget, top risks, decisions;
managers add decisions) and marking a follow-up item done.

Thin views (R11), as in finance_views: selectors read (404 outside the user's scope),
`require(can(...))` answers 403 to a read-only user's write, services write and re-check.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from objectives.models import Action
from portal.htmx_views import Entry
from portal.htmx_views import saved_response
from projects import selectors
from projects.access import Perm
from projects.access import can
from projects.access import require
from projects.add_row_pages import AddRowPage
from projects.charts import budget_burn_figure
from projects.forms import DecisionForm
from projects.forms import MeetingForm
from projects.selectors import project_people

from . import selectors as meeting_selectors
from .services import meeting_decision_create
from .services import meeting_decision_set_done
from .services import steering_meeting_create

_MEETING = Entry("projects/meetings.html", "meeting-form", gettext_lazy("Meeting recorded."))
_DECISION = Entry("projects/meeting.html", "decision-form", gettext_lazy("Decision added."))


def _meeting_form(project, data=None) -> MeetingForm:
    return MeetingForm(data, initial={"date": timezone.localdate()})


def _meetings(project) -> dict:
    return {"meetings": meeting_selectors.meeting_list(project=project)}


def _meeting_url(project, meeting) -> str:  # a new meeting's own page
    return reverse("meeting-detail", args=[project.pk, meeting.pk])


_MEETINGS_PAGE = AddRowPage(
    _MEETING, _meeting_form, steering_meeting_create, _meetings, _meeting_url
)


@login_required
@require_http_methods(["GET", "POST"])
def project_meetings(request, project_pk: int):
    """The hanke's steering group meetings; managers record a new one."""
    return _MEETINGS_PAGE.respond(request, project_pk)


def _decision_form(project, data=None) -> DecisionForm:
    actions = Action.objects.filter(project=project).order_by("order", "number", "id")
    return DecisionForm(data, people=project_people(project=project), actions=actions)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, project_pk: int, pk: int):
    """One meeting: the page the steering group reads (and prints) for it."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    meeting = meeting_selectors.meeting_get(project=project, pk=pk)
    can_edit = can(request.user, Perm.EDIT_PLAN, project)
    form = _decision_form(project) if can_edit else None
    if request.method == "POST":
        require(can_edit)
        form = _decision_form(project, request.POST)
        save = partial(meeting_decision_create, meeting=meeting, actor=request.user)
        context = {"project": project, "meeting": meeting, "can_edit": can_edit}
        if response := _DECISION.post(request, form, save, **context):
            return response
    view = meeting_selectors.meeting_view(meeting=meeting, today=timezone.localdate())
    budget = view.budget
    context = {
        "project": project,
        "meeting": meeting,
        "view": view,
        "chart": budget_burn_figure(budget) if budget.budget and budget.period else None,
        "form": form,
        "can_edit": can_edit,
        "today": timezone.localdate(),
    }
    return render(request, "projects/meeting.html", context)


@login_required
@require_GET
def meeting_pdf(request, project_pk: int, pk: int):
    """The meeting page as a PDF download: same readers, same content, no forms."""
    # Imported here: WeasyPrint takes a while to import, and only PDF requests need it.
    from reporting.exports.documents import meeting_pdf as meeting_pdf_document
    from reporting.exports.pdf import PDF_CONTENT_TYPE

    project = selectors.project_get(user=request.user, pk=project_pk)
    meeting = meeting_selectors.meeting_get(project=project, pk=pk)
    view = meeting_selectors.meeting_view(meeting=meeting, today=timezone.localdate())
    content = meeting_pdf_document(
        project=project,
        meeting=meeting,
        view=view,
        language=get_language() or "fi",
        base_url=request.build_absolute_uri("/"),
    )
    name = slugify(project.short_name or project.name_fi) or f"hanke-{project.pk}"
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-ohjausryhma-{meeting.date:%Y-%m-%d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def decision_done(request, project_pk: int, pk: int):
    """Mark a follow-up item done, or open it again (`done` = "1" or "0")."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    decision = meeting_selectors.decision_get(project=project, pk=pk)
    require(can(request.user, Perm.EDIT_PLAN, project))
    done = request.POST.get("done") == "1"
    meeting_decision_set_done(decision=decision, actor=request.user, done=done, project=project)
    # Back to the page it was marked on: the next meeting's page lists it too.
    back = request.POST.get("back", "")
    meeting_pk = int(back) if back.isdigit() else decision.meeting_id
    url = reverse("meeting-detail", args=[project.pk, meeting_pk])
    return saved_response(request, url, _("Follow-up saved."))
