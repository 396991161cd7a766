"""Writes for a hanke's plan rows (work packages here; goals, actions and indicators through
the same two helpers in their own apps' services).

Contract, for every plan row (work package, process goal, action, indicator):
- the actor must have Perm.EDIT_PLAN on the hanke (checked here, whatever the caller did);
- an edit names the `version` the user saw: a row changed since raises PlanConflictError
  with the current row, and nothing is written (STYLE R4);
- an edit or a retirement needs a reason, kept on the simple-history row with the actor;
- a new or changed row is marked in the hanke's current plan version ("new in this plan",
  "changed in this plan") unless the user marked it otherwise;
- rows are never deleted: a retired row leaves the live plan on its retirement date and
  stays in the history, in past rounds and in extracts of earlier dates
  (measures.history.plan_at);
- the hanke's lights are marked stale and recomputed after commit
  (`project_status_changed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from typing import Required
from typing import TypedDict
from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.history_rows import history_save

from .access import Perm
from .access import check
from .choices import PlanChange
from .models import PlanVersion
from .models import Project
from .models import WorkPackage
from .services import project_status_changed

NO_MARK = object()  # the caller leaves the plan-version mark to the service


class PlanConflictError(Exception):
    """Someone else changed the row after the user opened it; `current` is the row now."""

    def __init__(self, current):
        super().__init__("plan row changed underneath")
        self.current = current


def current_plan_version(project: Project) -> PlanVersion | None:
    """The hanke's newest plan version (by issue date, then creation), if it has any."""
    return (
        PlanVersion.objects.filter(project=project)
        .order_by("-issued_on", "-id")
        .only("id", "project_id", "name", "issued_on")
        .first()
    )


def _reason(reason: str, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationError({"reason": _("Give a reason for the change.")})
    return text[:100]


def _mark(row, project: Project, created: bool, mark) -> None:
    """Mark the row in the current plan version, or as the user chose (`mark`)."""
    version = current_plan_version(project)
    if mark is not NO_MARK:
        row.change = mark or ""
        if version is not None and mark:
            row.plan_version = version
        return
    if version is None:
        return
    if created:
        row.plan_version, row.change = version, PlanChange.NEW
    elif not (row.plan_version_id == version.pk and row.change == PlanChange.NEW):
        row.plan_version, row.change = version, PlanChange.CHANGED


def _locked(model, pk: int, expected_version: int):
    current = model.objects.select_for_update().get(pk=pk)
    if current.version != expected_version:
        raise PlanConflictError(current)
    return current


def _set_links(row, links: dict[str, Iterable] | None) -> None:
    for name, values in (links or {}).items():
        getattr(row, name).set(list(values))


def plan_values_check(
    values: dict, allowed: tuple[str, ...], what: str, *, parent: str = "", retired: str = ""
) -> None:
    """Refuse a field outside `allowed` (the caller's mistake: ValueError naming `what`) and,
    with `parent`, a retired row in that field (ValidationError with the `retired` message)."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"not {what} plan field: {sorted(unknown)}")
    row = values.get(parent) if parent else None
    if row is not None and row.is_retired:
        raise ValidationError({parent: retired})


class PlanSave(TypedDict, total=False):
    """What each app's `*_save` of a plan row passes on to `plan_row_save` as it came: who
    saves, the version the user saw and the reason (an edit), the plan-version mark."""

    actor: Required[Any]
    expected_version: int | None
    reason: str
    mark: Any


@transaction.atomic
def plan_row_save(
    *,
    model: type[models.Model],
    project: Project,
    actor,
    values: dict,
    row=None,
    expected_version: int | None = None,
    reason: str = "",
    links: dict[str, Iterable] | None = None,
    mark=NO_MARK,
):
    """Create (`row` None) or edit one plan row of `project` with `values` and many-to-many
    `links`; return the saved row. Permission: Perm.EDIT_PLAN on the hanke.
    An edit needs `expected_version` (PlanConflictError when stale) and a `reason`.
    Side effects: a history row with the actor and the reason; the row marked in the
    current plan version; the hanke's lights marked stale, recomputed after commit."""
    check(actor, Perm.EDIT_PLAN, project)
    created = row is None
    text = _reason(reason, required=not created)
    if created:
        row = model(project=project)
        row.order = (model.objects.filter(project=project).aggregate(m=Max("order"))["m"] or 0) + 1
    else:
        if row.project_id != project.pk:
            raise ValidationError(_("The row belongs to another hanke."))
        if row.is_retired:
            raise ValidationError(_("A retired row cannot be edited."))
        row = _locked(model, row.pk, expected_version)
        row.version += 1
    for name, value in values.items():
        setattr(row, name, value)
    _mark(row, project, created, mark)
    history_save(row, actor=actor, reason=text or "created")
    _set_links(row, links)
    project_status_changed(project_id=project.pk)
    return row


@transaction.atomic
def plan_row_retire(
    *,
    row,
    actor,
    expected_version: int,
    reason: str,
    on: date | None = None,
    still_in_use: str = "",
):
    """Retire a plan row on `on` (today by default): it leaves the live plan, stays in the
    history and in the plan of earlier days. Permission: Perm.EDIT_PLAN on the hanke.
    `still_in_use` (a message) refuses it when the caller found live rows under it.
    Side effects: a history row with the actor and the reason; lights recomputed."""
    check(actor, Perm.EDIT_PLAN, row.project)
    text = _reason(reason, required=True)
    current = _locked(type(row), row.pk, expected_version)
    if current.is_retired:
        raise ValidationError(_("The row is already retired."))
    if still_in_use:
        raise ValidationError(still_in_use)
    today = timezone.localdate()
    current.retired_on = on or today
    if current.retired_on > today:
        raise ValidationError({"retired_on": _("The retirement date cannot be in the future.")})
    current.version += 1
    current._history_user = actor
    current._change_reason = text
    current.save()
    project_status_changed(project_id=current.project_id)
    return current


# --- Work packages ----------------------------------------------------------------------------

WORK_PACKAGE_FIELDS = ("code", "name_fi", "name_sv", "name_en", "kind_as_written", "parent")


def work_package_save(
    *, project: Project, values: dict, package: WorkPackage | None = None, **save: Unpack[PlanSave]
) -> WorkPackage:
    """Create or edit a work package (see `plan_row_save`; fields WORK_PACKAGE_FIELDS)."""
    plan_values_check(
        values,
        WORK_PACKAGE_FIELDS,
        "a work package",
        parent="parent",
        retired=_("The parent is retired."),
    )
    return plan_row_save(model=WorkPackage, project=project, values=values, row=package, **save)


def work_package_retire(
    *, package: WorkPackage, actor, expected_version: int, reason: str
) -> WorkPackage:
    """Retire a work package; refused while live goals, actions or sub-packages hang on it
    (move or retire them first), so no live row is left under a retired package."""
    in_use = (
        package.children.filter(retired_on__isnull=True).exists()
        or package.goals.filter(retired_on__isnull=True).exists()
        or package.actions.filter(retired_on__isnull=True).exists()
    )
    message = _("Move or retire its goals, actions and sub-packages first.") if in_use else ""
    return plan_row_retire(
        row=package,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
        still_in_use=message,
    )


# --- Plan versions ----------------------------------------------------------------------------


@transaction.atomic
def plan_version_start(*, project: Project, actor, name: str, issued_on: date) -> PlanVersion:
    """Start a new plan version of the hanke (e.g. "2023–2025 plan"), superseding the
    current one. From then on rows added or edited in the portal are marked new or changed
    in it (`plan_row_save`); rows retired on or after `issued_on` count as retired in it.
    Permission: Perm.EDIT_PLAN. Side effects: a history row with the actor."""
    check(actor, Perm.EDIT_PLAN, project)
    previous = current_plan_version(project)
    if previous is not None and previous.issued_on and issued_on < previous.issued_on:
        raise ValidationError(
            {"issued_on": _("A new plan version cannot be issued before the current one.")}
        )
    base = slugify(name)[:40] or "plan"
    key, n = base, 1
    while PlanVersion.objects.filter(project=project, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    version = PlanVersion(
        project=project, key=key, name=name.strip(), issued_on=issued_on, supersedes=previous
    )
    history_save(version, actor=actor, reason="plan version started")
    return version
