"""Writes for goals and actions.

`action_status_update` is the only way an action's status changes: atomic, guarded by the
row's version (optimistic concurrency, STYLE R4), with an append-only StatusUpdate row and a
history row carrying the actor, and the hanke's lights recomputed after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.history_rows import history_copy
from portal.models_common import in_all_languages
from portal.periods import parse_schedule
from projects.access import Perm
from projects.access import check
from projects.models import Membership
from projects.models import Project
from projects.models import WorkPackage
from projects.plan_services import PlanSave
from projects.plan_services import plan_row_retire
from projects.plan_services import plan_row_save
from projects.plan_services import plan_values_check
from projects.services import project_status_changed

from .choices import ActionStatus
from .models import Action
from .models import ProcessGoal
from .models import ReportingPeriod
from .models import StatusUpdate
from .status import comment_needed
from .status import reschedule_problem
from .status import status_change_problem


class ActionConflictError(Exception):
    """Someone else changed the action after the user opened it."""

    def __init__(self, current: Action):
        super().__init__("action changed underneath")
        self.current = current


_COMMENT_MESSAGES = {
    "final": gettext_lazy("Say why: a comment is needed for this status."),
    "backwards": gettext_lazy("The status moves back: say why in a comment."),
    "late": gettext_lazy("The action is late: explain the situation in a comment."),
}
_STATUS_CHANGE_MESSAGES = {
    "not_reported_again": gettext_lazy(
        "A status has been recorded for this action: it cannot go back to “not reported”."
    ),
}
_RESCHEDULE_MESSAGES = {
    "before_start": gettext_lazy("The new planned end cannot be before the planned start."),
    "reason_missing": gettext_lazy("Give a reason for the new planned end."),
}


def _validate(action: Action, status: str, comment: str, planned_end, reason: str, today) -> None:
    """The rules of objectives.status for a status change, as field errors."""
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = _("Choose a valid status.")
    elif problem := status_change_problem(old_status=action.status, new_status=status):
        errors["status"] = str(_STATUS_CHANGE_MESSAGES[problem])
    else:
        needed = comment_needed(
            old_status=action.status,
            new_status=status,
            planned_start=action.planned_start,
            planned_end=action.planned_end,
            today=today,
        )
        if needed and not comment.strip():
            errors["comment"] = _COMMENT_MESSAGES[needed]
    problem = reschedule_problem(
        planned_start=action.planned_start, new_end=planned_end, reason=reason
    )
    if problem:
        field = "planned_end" if problem == "before_start" else "planned_end_reason"
        errors[field] = _RESCHEDULE_MESSAGES[problem]
    if errors:
        raise ValidationError(errors)


def _round_for(action: Action, status_date: date):
    """The reporting round a status dated `status_date` belongs to: the first cut-off on or
    after the date, in the hanke's programme (None after the last round)."""
    return (
        ReportingPeriod.objects.filter(
            programme_id=action.project.programme_id, cut_off__gte=status_date
        )
        .order_by("cut_off")
        .first()
    )


def _check_owner(project_id: int, owner) -> None:
    """A new owner must have a role in the hanke (the form offers only them)."""
    if not Membership.objects.active().filter(project_id=project_id, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the hanke.")})


@transaction.atomic
def action_status_update(
    *,
    action: Action,
    actor,
    status: str,
    comment: str,
    status_date: date,
    expected_version: int,
    owner=None,
    planned_end: date | None = None,
    planned_end_reason: str = "",
    today: date | None = None,
) -> Action:
    """Record a new status for `action` (with comment, date and owner) and return it fresh.

    Permission: Perm.UPDATE_ACTION_STATUS on the action (a worker: only actions they own);
    checked here again, whatever the caller did.
    Rules (objectives.status): a comment is required when the action is closed, moves back
    or is late; a new owner must have a role in the hanke; a new planned end (optional)
    needs a reason and cannot precede the start.
    Side effects: StatusUpdate (from → to, reporting round) + history rows; the hanke's
    lights are recomputed after commit.
    Raises ActionConflictError when `expected_version` is no longer current.
    """
    check(actor, Perm.UPDATE_ACTION_STATUS, action)
    today = today or timezone.localdate()
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.version != expected_version:
        raise ActionConflictError(current)
    if current.is_retired:
        raise ValidationError({"status": _("A retired row cannot be edited.")})
    if planned_end == current.planned_end:
        planned_end = None  # unchanged: nothing to explain
    _validate(current, status, comment, planned_end, planned_end_reason, today)
    if owner is not None and owner.pk != current.owner_id:
        _check_owner(current.project_id, owner)
    changes = {"status": status, "version": F("version") + 1}
    if owner is not None:
        changes["owner"] = owner
    if planned_end is not None:
        changes["planned_end"] = planned_end
    Action.objects.filter(pk=action.pk).update(**changes)
    fresh = Action.objects.select_related("project").get(pk=action.pk)
    fresh._history_user = actor
    fresh._change_reason = (comment or planned_end_reason)[:100]
    fresh.save(update_fields=["updated_at"])  # writes the history row with the actor
    StatusUpdate.objects.create(
        action=fresh,
        status=status,
        previous_status=current.status,
        comment=comment,
        status_date=status_date,
        owner=fresh.owner,
        author=actor,
        previous_planned_end=current.planned_end if planned_end is not None else None,
        new_planned_end=planned_end,
        planned_end_reason=planned_end_reason if planned_end is not None else "",
        reporting_period=_round_for(fresh, status_date),
    )
    project_status_changed(project_id=fresh.project_id)
    return fresh


# --- Bulk import (reporting.imports.services plans the rows; this writes them) ---------------

# The plan fields an import may set; the status goes through the status rules below.
IMPORT_FIELDS = frozenset(
    {
        *in_all_languages("title"),
        "schedule_text",
        "planned_start",
        "planned_end",
        "owner",
        "responsible_organisation",
    }
)
# Foreign keys are checked by the caller (set-based); full_clean would read each one.
_FK_FIELDS = ["project", "work_package", "owner", "responsible_organisation", "plan_version"]


@dataclass
class ActionImportRow:
    """One row of an action import: a new action (`action_id` None) or changes to one."""

    work_package: WorkPackage
    number: str
    values: dict[str, Any] = field(default_factory=dict)  # IMPORT_FIELDS only
    status: str | None = None  # a new status, through the status rules
    benefit_target_ids: set[int] | None = None  # the action's own HT tags (None: unchanged)
    goal_ids: set[int] | None = None  # the goals it serves (None: unchanged)
    action_id: int | None = None
    expected_version: int | None = None


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0


_ACTION_FIELDS = [f.name for f in Action._meta.concrete_fields]


def _clean_exclude(row: ActionImportRow) -> list[str]:
    checked = {*row.values, "number", "status"} - set(_FK_FIELDS)
    return [name for name in _ACTION_FIELDS if name not in checked]


def _import_error(row: ActionImportRow, messages: dict) -> ValidationError:
    text = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in messages.items())
    return ValidationError(f"{row.work_package.code} {row.number}: {text}")


@transaction.atomic
def actions_import(
    *,
    project: Project,
    actor,
    rows: list[ActionImportRow],
    comment: str,
    today: date | None = None,
) -> ImportCounts:
    """Create and change many actions of one hanke at once (set-based, all or nothing).

    Permission: Perm.EDIT_PLAN on the hanke, and Perm.UPDATE_ACTION_STATUS when a row changes
    a status (checked once for the hanke: every row belongs to it). Rules: the fields'
    validation (`full_clean` without the per-row queries), dates in order, a valid status,
    work packages of this hanke; a new action without a status is "not reported"; an
    action with a recorded status cannot go back to "not reported"; a status change is
    recorded as a StatusUpdate with
    `comment` (which satisfies the "say why" rule). Each changed action's `version` must
    still be `expected_version` (ActionConflictError otherwise).
    Side effects: history rows (bulk, with the actor and `comment` as the reason) and
    StatusUpdate rows in the same transaction; the hanke's lights are recomputed after
    commit. Not idempotent by itself: the import job runs it once (reporting.imports.services).
    """
    check(actor, Perm.EDIT_PLAN, project)
    if any(row.status is not None for row in rows):
        check(actor, Perm.UPDATE_ACTION_STATUS, project)
    today = today or timezone.localdate()
    now = timezone.now()
    reason = comment[:100]
    ids = [row.action_id for row in rows if row.action_id]
    current = {
        a.pk: a for a in Action.objects.select_for_update().filter(project=project, pk__in=ids)
    }
    next_order = (Action.objects.filter(project=project).aggregate(m=Max("order"))["m"] or 0) + 1
    creates: list[Action] = []
    updates: list[Action] = []
    changed_fields: set[str] = set()
    status_changes: list[tuple[Action, str]] = []  # (action, previous status)
    tags: dict[int, set[int]] = {}  # id(action) → HT ids
    goal_links: dict[int, set[int]] = {}  # id(action) → goal ids
    for row in rows:
        if row.work_package.project_id != project.pk:
            raise _import_error(row, {"work_package": [_("Another hanke's work package.")]})
        unknown = set(row.values) - IMPORT_FIELDS
        if unknown:
            raise ValueError(f"fields not importable: {sorted(unknown)}")
        if row.status is not None and row.status not in ActionStatus.values:
            raise _import_error(row, {"status": [_("Choose a valid status.")]})
        if row.action_id is None:
            action = Action(
                project=project,
                work_package=row.work_package,
                number=row.number,
                order=next_order,
                # A row without a status states none: "not reported", never a guess.
                status=row.status or ActionStatus.NOT_REPORTED,
                **row.values,
            )
            next_order += 1
            creates.append(action)
            if row.status and row.status != ActionStatus.NOT_REPORTED:
                status_changes.append((action, ""))
        else:
            action = current.get(row.action_id)
            if action is None or action.version != row.expected_version:
                raise ActionConflictError(action)
            problem = row.status and status_change_problem(
                old_status=action.status, new_status=row.status
            )
            if problem:
                raise _import_error(row, {"status": [str(_STATUS_CHANGE_MESSAGES[problem])]})
            action.work_package = row.work_package  # the same row: clean() reads it
            for name, value in row.values.items():
                setattr(action, name, value)
            changed_fields.update(row.values)
            if row.status is not None and row.status != action.status:
                status_changes.append((action, action.status))
                action.status = row.status
                changed_fields.add("status")
            action.version += 1
            action.updated_at = now
            updates.append(action)
        try:
            # Only the fields this row sets: the others are as saved (or the defaults).
            action.full_clean(
                exclude=_clean_exclude(row), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            raise _import_error(row, exc.message_dict) from None
        start, end = action.planned_start, action.planned_end
        if start and end and end < start:
            raise _import_error(
                row, {"planned_end": [_("The planned end cannot be before the planned start.")]}
            )
        if row.benefit_target_ids is not None:
            tags[id(action)] = row.benefit_target_ids
        if row.goal_ids is not None:
            goal_links[id(action)] = row.goal_ids
    if creates:
        Action.objects.bulk_create(creates, batch_size=1000)
        history_copy(
            Action, [a.pk for a in creates], kind="+", actor=actor, reason=reason, when=now
        )
    if updates:
        _update_rows(updates, sorted(changed_fields | {"version", "updated_at"}))
        history_copy(
            Action, [a.pk for a in updates], kind="~", actor=actor, reason=reason, when=now
        )
    _set_benefit_targets([a for a in creates + updates if id(a) in tags], tags)
    _set_goals(project, [a for a in creates + updates if id(a) in goal_links], goal_links)
    if status_changes:
        period = (
            ReportingPeriod.objects.filter(programme_id=project.programme_id, cut_off__gte=today)
            .order_by("cut_off")
            .first()
        )
        StatusUpdate.objects.bulk_create(
            [
                StatusUpdate(
                    action=action,
                    status=action.status,
                    previous_status=previous,
                    comment=comment,
                    status_date=today,
                    owner_id=action.owner_id,
                    author=actor,
                    reporting_period=period,
                )
                for action, previous in status_changes
            ],
            batch_size=1000,
        )
    if creates or updates:
        project_status_changed(project_id=project.pk)
    return ImportCounts(created=len(creates), updated=len(updates))


def _update_rows(actions: list[Action], fields: list[str]) -> None:
    """One UPDATE per action, sent with executemany (psycopg pipelines it): 10 000 rows in
    about a second, where QuerySet.bulk_update's CASE expressions took 20 s for 3 000
    (measured with bench/bulk_import.py). The rows are locked (select_for_update) and
    already validated; history is written by the caller."""
    meta, quote = Action._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(meta.db_table),
        ", ".join(f"{quote(column.column)} = %s" for column in columns),
        quote(meta.pk.column),
    )
    params = [
        [c.get_db_prep_save(getattr(a, c.attname), connection) for c in columns] + [a.pk]
        for a in actions
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _set_goals(project: Project, actions: list[Action], links: dict[int, set[int]]) -> None:
    """Replace these actions' goals (live goals of the same hanke only; set-based)."""
    if not actions:
        return
    wanted = set().union(*links.values())
    live = set(
        ProcessGoal.objects.filter(
            project=project, pk__in=wanted, retired_on__isnull=True
        ).values_list("pk", flat=True)
    )
    if wanted - live:
        raise ValidationError(_("Choose live goals of this hanke."))
    _replace_links(Action.goals.through, "processgoal_id", actions, links)


def _set_benefit_targets(actions: list[Action], tags: dict[int, set[int]]) -> None:
    if actions:
        _replace_links(Action.benefit_targets.through, "benefittarget_id", actions, tags)


def _replace_links(through, column: str, actions: list[Action], links: dict[int, set[int]]):
    """Replace the rows of a many-to-many `through` table of these actions (set-based):
    `links[id(action)]` holds the ids the action's `column` points to."""
    through.objects.filter(action_id__in=[a.pk for a in actions]).delete()
    through.objects.bulk_create(
        [
            through(action_id=a.pk, **{column: other})
            for a in actions
            for other in sorted(links[id(a)])
        ],
        batch_size=2000,
    )


# --- The plan in the browser: goals and actions (projects.plan_services has the contract) --

GOAL_FIELDS = (
    "number",
    "kind",
    *in_all_languages("title"),
    "ht_as_written",
    "target_date",
    "work_package",
)
# Who answers for an action and when it is planned (its admin page shows them as one group).
ACTION_SCHEDULE_FIELDS = (
    "responsible_text",
    "responsible_organisation",
    "owner",
    "schedule_text",
    "planned_start",
    "planned_end",
)
ACTION_FIELDS = ("number", *in_all_languages("title"), "work_package", *ACTION_SCHEDULE_FIELDS)


def _plan_fields(values: dict, allowed: tuple[str, ...], what: str) -> None:
    retired = _("The work package is retired.")
    plan_values_check(values, allowed, what, parent="work_package", retired=retired)


def live_goals(goals, project: Project) -> list[ProcessGoal] | None:
    """The goals an action or indicator is to serve, as a list, when all are live goals of
    `project` (else ValidationError on "goals"); None (links left as they are) stays None."""
    if goals is None:
        return None
    goals = list(goals)
    if any(g.project_id != project.pk or g.is_retired for g in goals):
        raise ValidationError({"goals": _("Choose live goals of this hanke.")})
    return goals


def goal_save(
    *,
    project: Project,
    values: dict,
    benefit_targets=None,
    goal: ProcessGoal | None = None,
    **save: Unpack[PlanSave],
) -> ProcessGoal:
    """Create or edit a process goal (fields GOAL_FIELDS, its HT tags `benefit_targets`;
    None leaves them). Permission, version check, history and lights: `plan_row_save`."""
    _plan_fields(values, GOAL_FIELDS, "a goal")
    links = None if benefit_targets is None else {"benefit_targets": benefit_targets}
    return plan_row_save(
        model=ProcessGoal, project=project, values=values, row=goal, links=links, **save
    )


def goal_retire(*, goal: ProcessGoal, actor, expected_version: int, reason: str) -> ProcessGoal:
    """Retire a goal: it leaves the live plan (its actions stay, without it). See
    `plan_row_retire`."""
    return plan_row_retire(row=goal, actor=actor, expected_version=expected_version, reason=reason)


def action_save(
    *,
    project: Project,
    values: dict,
    goals=None,
    benefit_targets=None,
    action: Action | None = None,
    **save: Unpack[PlanSave],
) -> Action:
    """Create or edit an action's plan fields (ACTION_FIELDS; its goals and own HT tags,
    None leaves them). The status is not a plan field: it changes only through
    `action_status_update` (a new action is "not reported"). Dates left empty are read
    from the schedule as written. Goals must be live goals of the same hanke.
    Permission, version check, history and lights: `plan_row_save`."""
    _plan_fields(values, ACTION_FIELDS, "an action")
    goals = live_goals(goals, project)
    if "schedule_text" in values and not (values.get("planned_start") or values.get("planned_end")):
        values["planned_start"], values["planned_end"] = parse_schedule(values["schedule_text"])
    start, end = values.get("planned_start"), values.get("planned_end")
    if start and end and end < start:
        raise ValidationError(
            {"planned_end": _("The planned end cannot be before the planned start.")}
        )
    if action is None:
        values = {"status": ActionStatus.NOT_REPORTED, **values}
    links = {}
    if goals is not None:
        links["goals"] = goals
    if benefit_targets is not None:
        links["benefit_targets"] = benefit_targets
    return plan_row_save(
        model=Action, project=project, values=values, row=action, links=links, **save
    )


def action_retire(*, action: Action, actor, expected_version: int, reason: str) -> Action:
    """Retire an action: it leaves the live plan and the lights; its status log, history,
    past rounds and extracts of earlier cut-offs keep it. See `plan_row_retire`."""
    return plan_row_retire(
        row=action, actor=actor, expected_version=expected_version, reason=reason
    )
