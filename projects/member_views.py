"""People pages: a hanke's members (invite, change role, end) and the programme office's
user list (activate, deactivate, programme role).

Thin views (R11): selectors read (404 outside the user's scope), `require(can(...))` answers
403 to a read-only user's write, services write and re-check. A refused or stale edit
re-renders the page (200, so htmx swaps it) with the person's input kept.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods

from portal.form_saves import form_save
from portal.forms import add_service_errors
from portal.people import display_name

from . import selectors
from .access import Perm
from .access import can
from .access import require
from .forms import InviteForm
from .forms import ProgrammeRoleForm
from .forms import RoleForm
from .services import MembershipConflictError
from .services import member_change_role
from .services import member_end
from .services import member_invite
from .services import programme_role_set
from .services import user_set_active


def _messages_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _form_errors(form) -> list[str]:
    return [*form.non_field_errors(), *(e for f in form for e in f.errors)]


def _template(request, template: str, partial: str, context: dict) -> str:
    if request.htmx and not request.htmx.boosted:
        context["partial"] = True
        return f"{template}#{partial}"
    return template


# --- A hanke's members ------------------------------------------------------------------


def _member_auto_id(pk: int) -> str:
    # Every row has its own role form; unique ids keep each <label for> pointing at its field.
    return f"member-{pk}-%s"


def _render_members(
    request,
    project,
    *,
    invite_form: InviteForm | None = None,
    edited_pk: int | None = None,
    edit_form: RoleForm | None = None,
    edit_errors: list[str] | None = None,
    conflict=None,
):
    members = selectors.membership_list(user=request.user, project=project)
    can_manage = can(request.user, Perm.MANAGE_MEMBERS, project)
    may_edit_self = can(request.user, Perm.MANAGE_PROGRAMME)
    rows, edited_shown = [], False
    for membership in members["current"]:
        is_self = membership.user_id == request.user.pk
        row = {
            "membership": membership,
            "is_self": is_self,
            "can_edit": can_manage and (may_edit_self or not is_self),
            "form": RoleForm(
                initial={"role": membership.role, "expected_version": membership.version},
                auto_id=_member_auto_id(membership.pk),
            ),
            "errors": [],
            "conflict": None,
        }
        if membership.pk == edited_pk:
            edited_shown = True
            row["form"] = edit_form or row["form"]
            row["errors"], row["conflict"] = edit_errors or [], conflict
        rows.append(row)
    context = {
        "project": project,
        "rows": rows,
        "ended": members["ended"],
        "regional": members["regional"],
        "can_manage": can_manage,
        "invite_form": invite_form or InviteForm(),
        # An error about a row that is no longer current (ended meanwhile) shows at the top.
        "general_errors": [] if edited_shown else (edit_errors or []),
        "general_conflict": None if edited_shown else conflict,
    }
    template = _template(request, "projects/members.html", "members", context)
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request, project_pk: int):
    """The hanke's people for anyone who may see the hanke; invite for its managers."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    invite_form = None
    if request.method == "POST":
        require(can(request.user, Perm.MANAGE_MEMBERS, project))
        invite_form = InviteForm(request.POST)
        if invite_form.is_valid():
            invite = partial(member_invite, project=project, actor=request.user)
            membership, _conflict = form_save(
                invite_form, lambda: invite(**invite_form.cleaned_data)
            )
            if membership is not None:
                messages.success(
                    request,
                    _("%(name)s is now a member of the hanke (%(role)s).")
                    % {
                        "name": display_name(membership.user),
                        "role": membership.get_role_display(),
                    },
                )
                if not request.htmx:
                    return redirect("project-members", project_pk=project.pk)
                invite_form = None
    return _render_members(request, project, invite_form=invite_form)


@login_required
@require_http_methods(["POST"])
def member_edit(request, pk: int):
    """Change the role of a membership (`action=role`) or end it (`action=end`)."""
    membership = selectors.membership_get(user=request.user, pk=pk)
    project = membership.project
    require(can(request.user, Perm.MANAGE_MEMBERS, project))
    action = request.POST.get("action")
    name = display_name(membership.user)
    form, errors, conflict, done = None, [], None, False
    if action == "end":
        try:
            member_end(membership=membership, actor=request.user)
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            done = True
            messages.success(
                request, _("%(name)s no longer has access to the hanke.") % {"name": name}
            )
    elif action == "role":
        form = RoleForm(request.POST, auto_id=_member_auto_id(pk))
        if form.is_valid():
            change = partial(member_change_role, membership=membership, actor=request.user)
            changed, conflict = form_save(
                form, lambda: change(**form.cleaned_data), MembershipConflictError
            )
            if conflict is not None:
                # Keep the person's choice, but against the current version: saving again
                # is then a deliberate overwrite.
                form = RoleForm(
                    initial={
                        "role": form.cleaned_data["role"],
                        "expected_version": conflict.version,
                    },
                    auto_id=_member_auto_id(pk),
                )
            elif changed is not None:
                done = True
                messages.success(
                    request,
                    _("The role of %(name)s is now %(role)s.")
                    % {"name": name, "role": changed.get_role_display()},
                )
        if not done and conflict is None:
            errors = _form_errors(form)
    else:
        return HttpResponseBadRequest()
    if done and not request.htmx:
        return redirect("project-members", project_pk=project.pk)
    if done:
        return _render_members(request, project)
    return _render_members(
        request, project, edited_pk=pk, edit_form=form, edit_errors=errors, conflict=conflict
    )


# --- The programme office's user list -----------------------------------------------------


def _render_users(
    request,
    *,
    edited_pk: int | None = None,
    edit_form: ProgrammeRoleForm | None = None,
    edit_errors: list[str] | None = None,
):
    rows = []
    for account in selectors.user_list(user=request.user):
        role = account.current_programme_role
        form = ProgrammeRoleForm(
            initial={"programme_role": role.role if role else ""},
            auto_id=f"user-{account.pk}-%s",
        )
        row = {"account": account, "is_self": account.pk == request.user.pk, "form": form}
        row["errors"] = []
        if account.pk == edited_pk:
            row["form"] = edit_form or form
            row["errors"] = edit_errors or []
        rows.append(row)
    context = {"rows": rows}
    template = _template(request, "projects/user_list.html", "users", context)
    return render(request, template, context)


@login_required
@require_GET
def user_list(request):
    """Every account with its programme role, memberships and state (programme office)."""
    require(can(request.user, Perm.MANAGE_PROGRAMME))
    return _render_users(request)


@login_required
@require_http_methods(["POST"])
def user_edit(request, pk: int):
    """Activate / deactivate an account (`action`) or set its programme role (`action=role`)."""
    require(can(request.user, Perm.MANAGE_PROGRAMME))
    account = selectors.user_get(user=request.user, pk=pk)
    action = request.POST.get("action")
    name = display_name(account)
    form, errors, done = None, [], False
    if action in ("activate", "deactivate"):
        try:
            user_set_active(user=account, actor=request.user, active=action == "activate")
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            done = True
            text = (
                _("%(name)s can log in again.")
                if action == "activate"
                else _("%(name)s has been deactivated and logged out everywhere.")
            )
            messages.success(request, text % {"name": name})
    elif action == "role":
        form = ProgrammeRoleForm(request.POST, auto_id=f"user-{pk}-%s")
        if form.is_valid():
            try:
                programme_role_set(
                    user=account,
                    actor=request.user,
                    role=form.cleaned_data["programme_role"] or None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                done = True
                messages.success(
                    request, _("The programme role of %(name)s was saved.") % {"name": name}
                )
        if not done:
            errors = _form_errors(form)
    else:
        return HttpResponseBadRequest()
    if done and not request.htmx:
        return redirect("user-list")
    if done:
        return _render_users(request)
    return _render_users(request, edited_pk=pk, edit_form=form, edit_errors=errors)
