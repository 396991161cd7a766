"""Writes for people (hanke memberships, programme roles and user accounts) and for a
hanke's money and risks (expenses, the risk register).

Contract (STYLE R3, R4):
- Every service is `@transaction.atomic`, keyword-only and takes the acting user as `actor`.
- Every service calls `access.check(actor, perm, obj)` itself, even when the view already
  did, so an admin action, a command or a test cannot skip the permission rule.
  `actor=None` is the system (commands, tasks) and is not checked.
- Rows are validated with `full_clean()`; refusals a person can fix are `ValidationError`s
  with a field message (the forms show them), forbidden calls are `PermissionDenied`.
- Saved models carry `_history_user = actor` (`portal.history_rows.history_save`), so
  django-simple-history records who changed what in the same transaction. Account
  activation has no history table: it is written to Django's admin log (`LogEntry`) instead.
- Nothing is sent (no e-mail): an invited person sets a password through the password-reset
  flow.

Access follows the data: `roles_for` (projects.models) reads memberships in force on every
request, so ending a membership or deactivating a user takes effect on the person's next
request.
`valid_to` is the *last* day of validity (`Membership.objects.active()` includes it), so
"end now" writes yesterday's date.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.history_rows import history_save
from portal.people import display_name
from portal.queue import enqueue_on_commit

from .access import Perm
from .access import can
from .access import check
from .choices import MembershipRole
from .choices import ProgrammeRoleKind
from .models import BudgetLine
from .models import Expenditure
from .models import Membership
from .models import ProgrammeRole
from .models import Project
from .models import Risk
from .models import forget_roles
from .money import CENT

USERNAME_MAX = 150  # django.contrib.auth's AbstractUser.username


class MembershipConflictError(Exception):
    """The membership changed after the user opened the page; nothing was overwritten."""

    def __init__(self, current: Membership | None):
        super().__init__("membership changed underneath")
        self.current = current


def _today() -> date:
    return timezone.localdate()


def _is_ended(row: Membership | ProgrammeRole, today: date) -> bool:
    return row.valid_to is not None and row.valid_to < today


def _end_dates(row: Membership | ProgrammeRole, today: date) -> None:
    """Make `row` inactive from today on: its last valid day becomes yesterday."""
    row.valid_to = today - timedelta(days=1)
    # A row that had not started yet cannot end before it starts (membership_dates_in_order);
    # the history keeps the planned start.
    if row.valid_from is not None and row.valid_from > row.valid_to:
        row.valid_from = row.valid_to


def _refuse_own_membership(membership: Membership, actor) -> None:
    # Nobody raises (or otherwise edits) their own hanke role; the programme office may.
    if (
        actor is not None
        and membership.user_id == actor.pk
        and not can(actor, Perm.MANAGE_PROGRAMME)
    ):
        raise ValidationError(
            _(
                "You cannot change your own membership. Ask another project manager "
                "or the programme office."
            )
        )


def _check_members_perm(actor, membership: Membership) -> None:
    # Region-wide memberships (regional steering groups) belong to the programme office.
    if membership.project_id is None:
        check(actor, Perm.MANAGE_PROGRAMME)
    else:
        check(actor, Perm.MANAGE_MEMBERS, membership.project)


def _checked_role(role: str) -> str:
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Choose a steering group, manager or worker role.")})
    return role


def _username_for(email: str) -> str:
    """A free username derived from the e-mail address (people log in with it)."""
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "-", email.lower())[:USERNAME_MAX]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[: USERNAME_MAX - len(suffix)] + suffix
    return candidate


def _user_for_invite(*, email: str, first_name: str, last_name: str, actor):
    User = get_user_model()
    matches = list(User.objects.filter(email__iexact=email).order_by("pk")[:2])
    if len(matches) > 1:
        raise ValidationError(
            {"email": _("Several accounts use this address. Ask the programme office.")}
        )
    if matches:
        user = matches[0]
        # An invite never renames an existing person (they may belong to other hankkeet),
        # and a project manager cannot undo the programme office's deactivation.
        if not user.is_active:
            raise ValidationError(
                {"email": _("This account has been deactivated. Ask the programme office.")}
            )
        return user
    user = User(
        username=_username_for(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.set_unusable_password()  # they choose one through the password-reset flow
    history_save(user, actor=actor)
    return user


@transaction.atomic
def member_invite(
    *, project: Project, actor, email: str, first_name: str, last_name: str, role: str
) -> Membership:
    """Give a person (found by e-mail, or created) a role in `project`.

    Permission: Perm.MANAGE_MEMBERS on the hanke.
    Side effects: may create a user with an unusable password (no e-mail is sent); creates
    the membership or reactivates an ended one (valid_to cleared, history keeps the old).
    Not idempotent by design: a second invite of an active member is a ValidationError.
    """
    check(actor, Perm.MANAGE_MEMBERS, project)
    _checked_role(role)
    email = get_user_model().objects.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    user = _user_for_invite(email=email, first_name=first_name, last_name=last_name, actor=actor)
    today = _today()
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .filter(user=user, project=project)
        .order_by()
        .first()
    )
    if membership is not None and not _is_ended(membership, today):
        raise ValidationError(
            {
                "email": _("%(name)s is already a member of this hanke.")
                % {"name": display_name(user)}
            }
        )
    if membership is None:
        membership = Membership(user=user, project=project, role=role)
        membership._change_reason = "invited"
    else:
        _grant_again(membership, role, today)
        membership.version += 1
        membership._change_reason = "invited again"
    return _grant_saved(membership, actor=actor, user=user)


def _grant_again(row, role: str, today: date) -> None:
    """Reopen an ended membership or programme role with `role`, valid from today at the
    latest (a start still in the future would keep the person out)."""
    row.role, row.valid_to = role, None
    if row.valid_from is not None and row.valid_from > today:
        row.valid_from = None


def _grant_saved(row, *, actor, user):
    """Save a membership or programme role with its history row; the user's cached roles go."""
    history_save(row, actor=actor)
    forget_roles(user)
    return row


@transaction.atomic
def member_change_role(
    *, membership: Membership, actor, role: str, expected_version: int
) -> Membership:
    """Set the role of a membership unless someone changed it since `expected_version`.

    Permission: Perm.MANAGE_MEMBERS on the membership's hanke, and not on one's own
    membership (nobody raises their own role; the programme office may).
    Side effects: history row with the actor. Raises MembershipConflictError when stale.
    """
    _check_members_perm(actor, membership)
    _refuse_own_membership(membership, actor)
    _checked_role(role)
    if _is_ended(membership, _today()):
        raise ValidationError(
            _("This membership has ended. Invite the person again to give them a role.")
        )
    # Claim the row with a conditional UPDATE (R4): zero rows means it changed underneath.
    # The claim also locks the row until commit, so the save below cannot interleave.
    claimed = Membership.objects.filter(pk=membership.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise MembershipConflictError(
            Membership.objects.select_related("user").filter(pk=membership.pk).first()
        )
    membership.refresh_from_db()
    membership.role = role
    # a plain save, so django-simple-history writes the row with the actor
    history_save(membership, actor=actor, reason="role changed")
    forget_roles(membership.user)
    return membership


@transaction.atomic
def member_end(*, membership: Membership, actor, reason: str = "") -> Membership:
    """End a membership now: access ends on the person's next request.

    Permission: Perm.MANAGE_MEMBERS on the hanke, not on one's own membership.
    Side effects: valid_to becomes yesterday (the last day with access), version bumps and
    a history row keeps who ended it and why. Idempotent: an ended membership is unchanged.
    """
    _check_members_perm(actor, membership)
    _refuse_own_membership(membership, actor)
    today = _today()
    row = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk)
    )
    if _is_ended(row, today):
        return row
    _end_dates(row, today)
    row.version += 1
    history_save(row, actor=actor, reason=reason.strip() or "ended")
    forget_roles(row.user)
    return row


def _purge_sessions(user) -> int:
    """Delete every session logged in as `user`; returns how many.

    Sessions are opaque rows, so each one is decoded. Deleting through the configured
    SessionStore also clears the cache copy when the cached_db engine is used.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    deleted = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store_class(session_key=session.session_key).delete()
            deleted += 1
    return deleted


@transaction.atomic
def user_set_active(*, user, actor, active: bool):
    """Activate or deactivate an account.

    Permission: Perm.MANAGE_PROGRAMME; an admin cannot deactivate themselves.
    Side effects: deactivating deletes all of the user's sessions; an admin-log row records
    the actor. Idempotent: setting the current state changes nothing.
    """
    check(actor, Perm.MANAGE_PROGRAMME)
    if not active and actor is not None and user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    # Only the changed field is validated: switching an account off must never fail on an
    # unrelated legacy value (a username created before today's validators, say).
    user.clean_fields(exclude=[f.name for f in user._meta.fields if f.name != "is_active"])
    user._history_user = actor
    user.save(update_fields=["is_active"])
    if not active:
        # ModelBackend (user_can_authenticate) already refuses inactive users on every
        # request, and roles_for() gives them no roles; purging the sessions makes the
        # logout immediate and explicit rather than a side effect of the backend.
        _purge_sessions(user)
    forget_roles(user)
    if actor is not None:
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=type(user).objects.filter(pk=user.pk),
            action_flag=CHANGE,
            change_message="activated" if active else "deactivated",
            single_object=True,
        )
    return user


@transaction.atomic
def programme_role_set(*, user, actor, role: str | None) -> ProgrammeRole | None:
    """Give `user` a programme role (admin or viewer), or end it with `role=None`.

    Permission: Perm.MANAGE_PROGRAMME; nobody changes their own programme role (an admin
    could otherwise lock the programme office out by accident).
    Side effects: history row with the actor; ending keeps the row with valid_to set.
    Idempotent: setting the current role changes nothing.
    """
    check(actor, Perm.MANAGE_PROGRAMME)
    if actor is not None and user.pk == actor.pk:
        raise ValidationError(_("You cannot change your own programme role."))
    if role is not None and role not in ProgrammeRoleKind.values:
        raise ValidationError({"role": _("Choose a programme role or none.")})
    today = _today()
    row = ProgrammeRole.objects.select_for_update(of=("self",)).filter(user=user).order_by().first()
    current = None if row is None or _is_ended(row, today) else row.role
    if current == role and (row is None or row.valid_from is None or row.valid_from <= today):
        return row
    if role is None:
        _end_dates(row, today)
        row._change_reason = "ended"
    elif row is None:
        row = ProgrammeRole(user=user, role=role)
        row._change_reason = "granted"
    else:
        _grant_again(row, role, today)
        row._change_reason = "changed"
    return _grant_saved(row, actor=actor, user=user)


# --- Money and risks --------------------------------------------------------------------


@transaction.atomic
def expenditure_create(
    *,
    project: Project,
    actor,
    date: date,
    amount,
    category: str,
    description: str,
    budget_line: BudgetLine | None = None,
) -> Expenditure:
    """Record one expense of the hanke; `actor` is stored as who entered it.

    Permission: Perm.EDIT_PLAN on the hanke (project manager, programme admin).
    `amount` is an exact Decimal in euros (projects.money.parse_money reads typed text);
    zero, negative or finer than a cent is refused as a field error.
    Side effects: the row and its history row (with the actor). Not idempotent: each call
    records a new expense.
    """
    check(actor, Perm.EDIT_PLAN, project)
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("Enter an amount over zero, to the cent at most.")})
    expense = Expenditure(
        project=project,
        date=date,
        amount=amount,
        category=category,
        description=description,
        budget_line=budget_line,
        entered_by=actor,
    )
    history_save(expense, actor=actor)
    return expense


class RiskConflictError(Exception):
    """The risk changed after the user opened it; their input must not overwrite it silently."""

    def __init__(self, current: Risk):
        super().__init__("risk changed underneath")
        self.current = current


RISK_FIELDS = (
    "title",
    "description",
    "cause",
    "likelihood",
    "impact",
    "mitigation",
    "owner_text",
    "owner",
    "status",
    "next_review",
)


@transaction.atomic
def risk_save(
    *,
    project: Project,
    actor,
    values: dict,
    risk: Risk | None = None,
    expected_version: int | None = None,
) -> Risk:
    """Add a risk to the hanke's register (`risk` None) or edit one, and return it fresh.

    Permission: Perm.EDIT_PLAN on the hanke. `values` holds the fields of RISK_FIELDS
    (others are ignored); likelihood and impact are 1–5 or None (not rated).
    An edit is guarded by the row's version (STYLE R4): RiskConflictError when
    `expected_version` is no longer current, so nobody overwrites a change unseen.
    Side effects: the row (version + 1) and its history row with the actor.
    """
    check(actor, Perm.EDIT_PLAN, project)
    clean_values = {name: values[name] for name in RISK_FIELDS if name in values}
    if risk is None:
        row = Risk(project=project, **clean_values)
    else:
        if risk.project_id != project.pk:
            raise PermissionDenied
        row = Risk.objects.select_for_update().get(pk=risk.pk)
        if row.version != expected_version:
            raise RiskConflictError(row)
        for name, value in clean_values.items():
            setattr(row, name, value)
        # The row is locked and its version checked, so the next version is known exactly.
        row.version = expected_version + 1
    if clean_values.get("owner") is not None:
        _check_risk_owner(project, clean_values["owner"])
    history_save(row, actor=actor)
    row.refresh_from_db()
    return row


def _check_risk_owner(project: Project, owner) -> None:
    people = Membership.objects.active().filter(project=project, user=owner)
    if not people.exists():
        raise ValidationError({"owner": _("The owner must be a member of the hanke.")})


# --- Lights out of date ------------------------------------------------------------------------

STATUS_RECOMPUTE_TASK = "measures.tasks.status_recompute_project_task"


def project_status_changed(*, project_id: int) -> None:
    """Mark the hanke's lights out of date and queue their recomputation after commit.

    Called by every service that changes what a light depends on (a measurement, a target,
    an action's status or schedule), inside its transaction. When the broker is down the
    save still succeeds and the dirty mark stays for the catch-up task; until the lights are
    recomputed, pages say they are being updated.
    """
    now = timezone.now()
    Project.objects.filter(pk=project_id).update(status_dirty_at=now, last_change_at=now)
    enqueue_on_commit(STATUS_RECOMPUTE_TASK, project_id)
