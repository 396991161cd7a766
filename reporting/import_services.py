"""Bulk import of actions, indicators and measurements: upload → mapping → dry run → confirm.

Contract:
- `import_job_create` reads the file (reporting.imports; a bad file raises ValidationError
  and nothing is stored) and stores its cells as a portal.Job of the kind (what the file
  holds) owned by the user and the hanke, with a portal.JobUpload holding the cells and the
  columns preselected (the hanke's remembered mapping, else our labels).
- `import_job_map` saves the mapping (and remembers it for the hanke and kind), then runs
  the dry run: inline for small files, as `import_job_check_task` from
  `settings.IMPORT_SYNC_ROWS` rows on.
- `import_job_check` (the dry run) plans every row against the database without writing
  any domain row: new, changed (field by field), unchanged or rejected (row, column and
  reason in the user's language). Idempotent: it only rewrites the job's preview.
- `import_job_confirm` claims the previewed job (conditional UPDATE, so a double click
  imports once) and runs `import_job_apply`, inline or as `import_job_apply_task`.
- `import_job_apply` plans the rows again; if the outcome differs from the preview (someone
  changed the data meanwhile) it refuses and shows the new preview; otherwise it writes all
  rows through the domain services (objectives.services.actions_import,
  measures.services.indicators_import / measurements_import: permissions, validation and
  history apply) in one transaction, together with the job's "done": all rows or none. A
  rerun of a crashed job is safe: a done job is left alone, a rolled-back one runs again.

Permissions: Perm.EDIT_PLAN for actions and indicators, Perm.ENTER_MEASUREMENTS for
measurements, checked here and again by the domain services.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from measures.choices import Unit
from measures.models import Indicator, Measurement
from measures.services import (
    ConflictError,
    IndicatorConflictError,
    IndicatorImportRow,
    MeasurementImportRow,
    _checked_period,
    indicators_import,
    measurements_import,
)
from measures.values import ValueRejected, parse_value, unit_change_problem
from objectives.choices import ActionStatus
from objectives.models import Action, BenefitTarget, ProcessGoal
from objectives.selectors import hanke_people
from objectives.services import ActionConflictError, ActionImportRow, actions_import
from objectives.status import status_change_problem
from portal.models import Job, JobStatus, JobUpload
from portal.services import job_claim, job_create, job_progress, job_queue, job_rerun
from projects.access import Perm, can, check
from projects.models import Organisation, Project, WorkPackage

from .imports import (
    FIELDS,
    CellError,
    ImportFileError,
    ImportKind,
    choice_lookup,
    field_label,
    is_generated_source,
    mapping_problems,
    norm,
    parse_date,
    parse_number,
    read_upload,
    suggest_mapping,
)
from .models import ImportMapping

logger = logging.getLogger(__name__)

KIND_PERMS = {
    ImportKind.ACTIONS: Perm.EDIT_PLAN,
    ImportKind.INDICATORS: Perm.EDIT_PLAN,
    ImportKind.MEASUREMENTS: Perm.ENTER_MEASUREMENTS,
}
NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
OUTCOMES = (NEW, CHANGED, UNCHANGED, REJECTED)
PROGRESS_EVERY = 500  # rows between progress writes: one UPDATE, ~20 per 10 000 rows


class ImportChangedError(Exception):
    """The data changed between the preview and the confirmation."""


def kinds_allowed(user, project) -> list[str]:
    return [kind for kind, perm in KIND_PERMS.items() if can(user, perm, project)]


# --- Upload and mapping --------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, project: Project, actor, kind: str, name: str, content: bytes):
    """Store an uploaded file's cells as a job (nothing else is written).

    Permission: the kind's permission on the hanke. Raises ValidationError with the reason
    for a file that cannot be read (the message is in the user's language).
    """
    if kind not in KIND_PERMS:
        raise ValidationError(_("Choose what the file contains."))
    check(actor, KIND_PERMS[kind], project)
    try:
        sheet = read_upload(name=name, content=content, kind=kind)
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from None
    remembered = (
        ImportMapping.objects.filter(project=project, kind=kind)
        .values_list("mapping", flat=True)
        .first()
    )
    job = job_create(
        kind=kind,
        actor=actor,
        project=project,
        params={},
        status=JobStatus.UPLOADED,
        filename=name[:255],
        progress_total=len(sheet.rows),
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
        expires_at=timezone.now() + timedelta(hours=settings.IMPORT_JOB_HOURS),
    )
    job.upload = JobUpload.objects.create(
        job=job,
        headers=sheet.headers,
        rows=sheet.rows,
        row_numbers=sheet.row_numbers,
        notes=sheet.notes,
        mapping=suggest_mapping(kind, sheet.headers, remembered),
    )
    return job


def import_job_map(*, job: Job, actor, mapping: dict[str, str]) -> Job:
    """Save the column mapping (remembered for the hanke and kind) and start the dry run.

    Raises ValidationError when a required field has no column or a field has two.
    Files over IMPORT_SYNC_ROWS rows are checked by a Celery job after commit.
    """
    _check_owner(job, actor)
    if job.status not in (JobStatus.UPLOADED, JobStatus.PREVIEWED, JobStatus.FAILED):
        raise ValidationError(_("This import can no longer be changed."))
    upload = job.upload
    mapping = {header: mapping.get(header, "") for header in upload.headers}
    problems = mapping_problems(job.kind, mapping)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        ImportMapping.objects.update_or_create(
            project=job.project,
            kind=job.kind,
            defaults={"mapping": mapping, "updated_by": actor},
        )
        JobUpload.objects.filter(pk=job.pk).update(mapping=mapping, preview={})
        Job.objects.filter(pk=job.pk).update(
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
            status=JobStatus.CHECKING,
            message="",
            progress_done=0,
            heartbeat_at=timezone.now(),
        )
        job.refresh_from_db()
        large = len(upload.rows) > settings.IMPORT_SYNC_ROWS
        if large:
            job_queue(job)
    if not large:
        import_job_check(job_id=job.pk)
    job.refresh_from_db()
    job.upload.refresh_from_db()
    return job


def _check_owner(job: Job, actor) -> None:
    if job.owner_id != actor.pk:
        raise PermissionDenied
    check(actor, KIND_PERMS[job.kind], job.project)


# --- The dry run -----------------------------------------------------------------------------


@dataclass
class RowPlan:
    number: int
    key: str
    outcome: str = UNCHANGED
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    target: tuple[int, int] | None = None  # (id, version) of the row it changes
    payload: object = None  # the service row (not stored)

    def reject(self, column: str, message: str) -> None:
        self.errors.append((column, str(message)))
        self.outcome = REJECTED

    def settle(self, payload, existing, id_field: str) -> None:
        """New when nothing exists yet; else changed or unchanged, with the (id, version)
        that the confirmation must still find, on the plan and on the service row."""
        if existing is None:
            self.outcome = NEW
        else:
            self.target = (existing.pk, existing.version)
            setattr(payload, id_field, existing.pk)
            payload.expected_version = existing.version
            self.outcome = CHANGED if self.changes else UNCHANGED
        self.payload = payload

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "key": self.key,
            "outcome": self.outcome,
            "changes": [list(c) for c in self.changes],
            "errors": [list(e) for e in self.errors],
            "note": self.note,
        }


@dataclass
class Plan:
    rows: list[RowPlan]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def fingerprint(self) -> list:
        """What the confirmation must find again: outcome and version of every row."""
        return [[r.number, r.outcome, list(r.target) if r.target else None] for r in self.rows]


class _Cells:
    """One file row as our fields: `get(key)` is the text, '' when the column is unmapped."""

    def __init__(self, job: JobUpload):
        self.index = {key: job.headers.index(header) for header, key in job.mapping.items() if key}
        self.headers = {key: job.headers[i] for key, i in self.index.items()}

    def rows(self, job: JobUpload):
        for number, cells in zip(job.row_numbers, job.rows, strict=True):
            yield number, {key: cells[i].strip() for key, i in self.index.items()}

    def has(self, key: str) -> bool:
        return key in self.index


def plan_job(job: Job, progress: Callable[[int], None] | None = None) -> Plan:
    """Plan every row of the job's upload against the current data (reads only)."""
    planner = {
        ImportKind.ACTIONS: _plan_actions,
        ImportKind.INDICATORS: _plan_indicators,
        ImportKind.MEASUREMENTS: _plan_measurements,
    }[job.kind]
    project = Project.objects.select_related("region", "programme").get(pk=job.project_id)
    upload = job.upload
    return planner(upload, project, _Cells(upload), progress or (lambda done: None))


def import_job_check(*, job_id: int) -> Job | None:
    """The dry run of a job: store its preview (counts and rows); writes nothing else.

    Idempotent (a rerun recomputes the same preview). Runs in the uploader's language.
    """
    if not job_claim(job_id=job_id, statuses=[JobStatus.CHECKING]):
        return Job.objects.filter(pk=job_id).first()
    job = Job.objects.select_related("owner", "project", "upload").get(pk=job_id)

    def progress(done: int) -> None:
        job_progress(job.pk, done)

    with translation.override(_language(job)):
        plan = plan_job(job, progress)
        preview = _preview(job, plan)
    with transaction.atomic():
        if Job.objects.filter(pk=job.pk, status=JobStatus.CHECKING).update(
            status=JobStatus.PREVIEWED,
            progress_done=job.progress_total,
            heartbeat_at=timezone.now(),
        ):
            JobUpload.objects.filter(pk=job.pk).update(preview=preview)
    job.refresh_from_db()
    job.upload.refresh_from_db()
    return job


def _language(job: Job) -> str:
    return job.language or settings.LANGUAGE_CODE


def _preview(job: Job, plan: Plan) -> dict:
    return {
        "counts": plan.counts(),
        "rows": [r.as_json() for r in plan.rows],
        "fingerprint": plan.fingerprint(),
        "columns": {key: field_label(job.kind, key) for key in _Cells(job.upload).index},
    }


def _check_hanke(plan: RowPlan, cells: dict, headers: dict, project: Project) -> None:
    text = cells.get("hanke", "")
    if text:
        names = {norm(n) for n in (project.name_fi, project.name_sv, project.name_en) if n}
        names |= {norm(project.short_name)} if project.short_name else set()
        if norm(text) not in names:
            plan.reject(
                headers["hanke"],
                _("Unknown hanke “%(name)s”: this import is for %(hanke)s.")
                % {"name": text, "hanke": project.display_name},
            )
    text = cells.get("region", "")
    if text:
        region = project.region
        names = {norm(n) for n in (region.name_fi, region.name_sv, region.name_en) if n}
        if norm(text) not in names | {norm(region.code)}:
            plan.reject(
                headers["region"],
                _("Unknown region “%(name)s”: this hanke is in %(region)s.")
                % {"name": text, "region": region.display_name},
            )


def _title_field(obj, prefix: str) -> str:
    """The language field a changed title is written to: the one the user reads (their
    language's when it has text, else the Finnish one that `display_name` falls back to)."""
    language = (translation.get_language() or "fi")[:2]
    name = f"{prefix}_{language}"
    return name if language in ("sv", "en") and getattr(obj, name, "") else f"{prefix}_fi"


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


_HT_SPLIT = re.compile(r"[,;\s]+")


def _plan_actions(job, project, cells: _Cells, progress) -> Plan:
    headers = cells.headers
    packages = {norm(p.code): p for p in WorkPackage.objects.filter(project=project)}
    existing = {
        (a.work_package_id, a.number): a
        for a in Action.objects.filter(project=project).select_related(
            "owner", "responsible_organisation"
        )
    }
    # HT tags as id pairs (three flat reads): prefetching them as objects cost seconds.
    own_hts: dict[int, set[int]] = {}
    for action_id, target_id in Action.benefit_targets.through.objects.filter(
        action__project=project
    ).values_list("action_id", "benefittarget_id"):
        own_hts.setdefault(action_id, set()).add(target_id)
    goal_hts: dict[int, set[int]] = {}
    for goal_id, target_id in ProcessGoal.benefit_targets.through.objects.filter(
        processgoal__project=project
    ).values_list("processgoal_id", "benefittarget_id"):
        goal_hts.setdefault(goal_id, set()).add(target_id)
    inherited_hts: dict[int, set[int]] = {}
    for action_id, goal_id in Action.goals.through.objects.filter(
        action__project=project
    ).values_list("action_id", "processgoal_id"):
        inherited_hts.setdefault(action_id, set()).update(goal_hts.get(goal_id, ()))
    hts = {norm(t.code): t for t in BenefitTarget.objects.all()}
    hts.update({str(t.number): t for t in hts.values()})
    people: dict[str, list] = {}
    owners = {a.owner for a in existing.values() if a.owner}
    for user in set(hanke_people(project=project)) | owners:
        for name in {_person(user), user.get_username()}:
            people.setdefault(norm(name), []).append(user)
    statuses = choice_lookup(ActionStatus)
    label = {f.key: field_label(job.kind, f.key) for f in FIELDS[job.kind][1]}
    goals = _GoalMatcher(project) if cells.has("goals") else None
    current_goals: dict[int, set[int]] = {}
    if goals is not None:
        for action_id, goal_id in Action.goals.through.objects.filter(
            action__project=project
        ).values_list("action_id", "processgoal_id"):
            current_goals.setdefault(action_id, set()).add(goal_id)
    orgs = _organisations(project) if cells.has("responsible_organisation") else {}
    seen: dict[tuple, int] = {}
    rows = []
    for done, (number, c) in enumerate(cells.rows(job), start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done)
        plan = RowPlan(number, f"{c.get('work_package', '')} {c.get('number', '')}".strip())
        rows.append(plan)
        _check_hanke(plan, c, headers, project)
        package = packages.get(norm(c["work_package"])) if c["work_package"] else None
        if not c["work_package"]:
            plan.reject(headers["work_package"], _("The work package is missing."))
        elif package is None:
            plan.reject(
                headers["work_package"],
                _("No work package “%(code)s” in this hanke.") % {"code": c["work_package"]},
            )
        action_number = c["number"]
        if not action_number:
            plan.reject(headers["number"], _("The action number is missing."))
        elif len(action_number) > 30:
            plan.reject(headers["number"], _("At most 30 characters."))
        if package is None or not action_number:
            continue
        key = (package.pk, action_number)
        if key in seen:
            plan.reject(
                headers["number"],
                _("Row %(row)s has the same work package and action number.") % {"row": seen[key]},
            )
            continue
        seen[key] = number
        action = existing.get(key)
        row = ActionImportRow(work_package=package, number=action_number)

        def change(key: str, model_field: str, old, new, shown=None, row=row, plan=plan):
            row.values[model_field] = new
            old_text, new_text = shown or (_text(old), _text(new))
            plan.changes.append((label[key], old_text, new_text))

        # title
        title = c.get("title", "")
        if action is None and not title:
            plan.reject(headers.get("title", label["title"]), _("The title is missing."))
        elif title and (action is None or title != action.display_name):
            name = "title_fi" if action is None else _title_field(action, "title")
            change("title", name, action.display_name if action else "", title)
        # dates
        dates = {}
        for key_ in ("planned_start", "planned_end"):
            if not cells.has(key_):
                continue
            try:
                dates[key_] = parse_date(c[key_])
            except CellError as exc:
                plan.reject(headers[key_], str(exc))
                continue
            old = getattr(action, key_) if action else None
            if dates[key_] != old:
                change(key_, key_, old, dates[key_])
        start = dates.get("planned_start", action.planned_start if action else None)
        end = dates.get("planned_end", action.planned_end if action else None)
        if start and end and end < start:
            plan.reject(
                headers.get("planned_end") or headers.get("planned_start"),
                _("The planned end cannot be before the planned start."),
            )
        # schedule
        if cells.has("schedule"):
            schedule = c["schedule"]
            if len(schedule) > 100:
                plan.reject(headers["schedule"], _("At most 100 characters."))
            elif schedule != (old := action.schedule_text if action else ""):
                change("schedule", "schedule_text", old, schedule)
        # status
        if cells.has("status") and c["status"]:
            status = statuses.get(norm(c["status"]))
            if status is None:
                plan.reject(
                    headers["status"],
                    _("Unknown status “%(text)s”; use one of: %(choices)s.")
                    % {"text": c["status"], "choices": ", ".join(map(str, ActionStatus.labels))},
                )
            elif action and status_change_problem(old_status=action.status, new_status=status):
                plan.reject(
                    headers["status"],
                    _(
                        "A status has been recorded for this action: it cannot go back to "
                        "“not reported”."
                    ),
                )
            elif status != (action.status if action else ActionStatus.NOT_REPORTED):
                row.status = status
                plan.changes.append(
                    (
                        label["status"],
                        str(action.get_status_display()) if action else "",
                        str(ActionStatus(status).label),
                    )
                )
        # owner
        if cells.has("owner"):
            text = c["owner"]
            matches = people.get(norm(text), []) if text else [None]
            if len(matches) != 1:
                message = (
                    _("No member of this hanke is called “%(name)s”.")
                    if not matches
                    else _("More than one member of this hanke is called “%(name)s”.")
                )
                plan.reject(headers["owner"], message % {"name": text})
            else:
                owner = matches[0]
                old_owner = action.owner if action else None
                if owner != old_owner:
                    change("owner", "owner", None, owner, (_person(old_owner), _person(owner)))
        # HT tags: the file lists the action's own and its goals' tags (as the export does)
        if cells.has("ht"):
            codes = [code for code in _HT_SPLIT.split(c["ht"]) if code]
            unknown = [code for code in codes if norm(code) not in hts]
            if unknown:
                plan.reject(
                    headers["ht"],
                    _("Unknown benefit target “%(code)s”; use HT1 to HT5.") % {"code": unknown[0]},
                )
            else:
                wanted = {hts[norm(code)].pk for code in codes}
                own = own_hts.get(action.pk, set()) if action else set()
                inherited = inherited_hts.get(action.pk, set()) if action else set()
                if wanted != own | inherited and wanted - inherited != own:
                    row.benefit_target_ids = wanted - inherited
                    by_pk = {t.pk: t.code for t in hts.values()}
                    plan.changes.append(
                        (
                            label["ht"],
                            ", ".join(sorted(by_pk[p] for p in own | inherited)),
                            ", ".join(sorted(by_pk[p] for p in wanted)),
                        )
                    )
        if goals is not None:
            _plan_goals(plan, row, action, c["goals"], goals, current_goals, headers, label)
        if cells.has("responsible_organisation"):
            _plan_organisation(
                plan, row, action, c["responsible_organisation"], orgs, headers, label
            )
        if plan.outcome == REJECTED:
            continue
        plan.settle(row, action, "action_id")
    return Plan(rows)


_LIST_SPLIT = re.compile(r"[;\n]+")  # goal titles may hold commas: ";" or a line separates


class _GoalMatcher:
    """The hanke's live goals by number and by title (two dicts, one query): a file names a
    goal by its number ("T2", "1.3") or its title in any language."""

    def __init__(self, project: Project):
        self.by_number: dict[str, list[ProcessGoal]] = {}
        self.by_title: dict[str, list[ProcessGoal]] = {}
        self.numbers: dict[int, str] = {}
        live = ProcessGoal.objects.filter(project=project, retired_on__isnull=True)
        for goal in live.select_related("work_package"):
            self.numbers[goal.pk] = goal.number
            self.by_number.setdefault(norm(goal.number), []).append(goal)
            for title in {goal.title_fi, goal.title_sv, goal.title_en} - {""}:
                self.by_title.setdefault(norm(title), []).append(goal)

    def find(self, text: str, package: WorkPackage) -> tuple[ProcessGoal | None, str]:
        """The goal `text` names, or None and why. Numbers repeat across work packages, so
        one in the action's own package wins; more than one left is ambiguous."""
        found = self.by_number.get(norm(text)) or self.by_title.get(norm(text)) or []
        if len(found) > 1:
            found = [g for g in found if g.work_package_id == package.pk] or found
        if not found:
            return None, _("No process goal “%(goal)s” in this hanke.") % {"goal": text}
        if len(found) > 1:
            numbers = ", ".join(f"{g.work_package.code} {g.number}" for g in found[:3])
            return None, _(
                "More than one process goal matches “%(goal)s” (%(found)s): use its title."
            ) % {"goal": text, "found": numbers}
        return found[0], ""


def _plan_goals(plan, row, action, text, matcher, current, headers, label) -> None:
    wanted: list[ProcessGoal] = []
    for token in (t.strip() for t in _LIST_SPLIT.split(text or "")):
        if not token:
            continue
        goal, problem = matcher.find(token, row.work_package)
        if problem:
            plan.reject(headers["goals"], problem)
            return
        wanted.append(goal)
    old = current.get(action.pk, set()) if action else set()
    if {g.pk for g in wanted} != old:
        row.goal_ids = {g.pk for g in wanted}
        plan.changes.append(
            (
                label["goals"],
                ", ".join(sorted(matcher.numbers.get(pk, "?") for pk in old)),
                ", ".join(sorted(g.number for g in wanted)),
            )
        )


def _organisations(project: Project) -> dict[str, list[Organisation]]:
    """Organisations by name in any language (one query): those of the hanke's region, its
    coordinator and participants; a file names one as the plan writes it."""
    found: dict[str, list[Organisation]] = {}
    candidates = Organisation.objects.filter(
        Q(region_id=project.region_id) | Q(pk=project.coordinator_id) | Q(projects=project)
    ).distinct()
    for org in candidates:
        for name in {org.name_fi, org.name_sv, org.name_en} - {""}:
            found.setdefault(norm(name), []).append(org)
    return found


def _plan_organisation(plan, row, action, text, orgs, headers, label) -> None:
    if not text:
        new = None
    else:
        matches = {o.pk: o for o in orgs.get(norm(text), [])}
        if len(matches) != 1:
            message = (
                _("No organisation “%(name)s” in this hanke's region.")
                if not matches
                else _("More than one organisation is called “%(name)s”.")
            )
            plan.reject(headers["responsible_organisation"], message % {"name": text})
            return
        new = next(iter(matches.values()))
    old = action.responsible_organisation if action else None
    if (new.pk if new else None) != (old.pk if old else None):
        row.values["responsible_organisation"] = new
        plan.changes.append(
            (
                label["responsible_organisation"],
                old.display_name if old else "",
                new.display_name if new else "",
            )
        )


def _plan_indicators(job, project, cells: _Cells, progress) -> Plan:
    headers = cells.headers
    label = {k: field_label(job.kind, k) for k in cells.index}
    existing = {
        norm(i.code): i
        for i in Indicator.objects.filter(project=project).prefetch_related("targets")
    }
    with_values = set(
        Measurement.objects.filter(indicator__project=project).values_list(
            "indicator_id", flat=True
        )
    )
    units = choice_lookup(Unit)
    seen: dict[str, tuple[int, tuple]] = {}
    rows = []
    for number, c in cells.rows(job):
        code = c["code"]
        plan = RowPlan(number, code)
        rows.append(plan)
        _check_hanke(plan, c, headers, project)
        if not code:
            plan.reject(headers["code"], _("The indicator code is missing."))
            continue
        if len(code) > 30:
            plan.reject(headers["code"], _("At most 30 characters."))
            continue
        indicator = existing.get(norm(code))
        row = IndicatorImportRow(code=code)
        parsed = {}
        for key in ("baseline", "final_target"):
            if cells.has(key):
                try:
                    parsed[key] = parse_number(c[key])
                except CellError as exc:
                    plan.reject(headers[key], str(exc))
        if cells.has("targets"):
            try:
                parsed["targets"] = _yearly_targets(c["targets"])
            except CellError as exc:
                plan.reject(headers["targets"], str(exc))
        unit = None
        if cells.has("unit") and c["unit"]:
            unit = units.get(norm(c["unit"]))
            if unit is None:
                plan.reject(
                    headers["unit"],
                    _("Unknown unit “%(text)s”; use one of: %(choices)s.")
                    % {"text": c["unit"], "choices": ", ".join(map(str, Unit.labels))},
                )
        if indicator is None and not unit and plan.outcome != REJECTED:
            plan.reject(headers.get("unit", label.get("code")), _("The unit is missing."))
        name = c.get("name", "")
        if indicator is None and not name:
            plan.reject(headers.get("name", headers["code"]), _("The name is missing."))
        # The export repeats an indicator on each of its measurement rows: the same values
        # again are fine, different ones are a duplicate key.
        signature = (
            name,
            unit,
            parsed.get("baseline"),
            parsed.get("final_target"),
            tuple(sorted((parsed.get("targets") or {}).items())),
        )
        if norm(code) in seen:
            first, first_signature = seen[norm(code)]
            if first_signature != signature:
                plan.reject(
                    headers["code"],
                    _("Row %(row)s has the same indicator code with other values.")
                    % {"row": first},
                )
            else:
                plan.note = _("Same as row %(row)s.") % {"row": first}
            continue
        seen[norm(code)] = (number, signature)
        if plan.outcome == REJECTED:
            continue
        if name and (indicator is None or name != indicator.display_name):
            field_name = "name_fi" if indicator is None else _title_field(indicator, "name")
            row.values[field_name] = name
            plan.changes.append((label["name"], indicator.display_name if indicator else "", name))
        if unit and (indicator is None or unit != indicator.unit):
            problem = unit_change_problem(
                old_unit=indicator.unit if indicator else None,
                new_unit=unit,
                has_values=indicator is not None and indicator.pk in with_values,
            )
            if problem:
                plan.reject(headers["unit"], problem)
                continue
            row.values["unit"] = unit
            plan.changes.append(
                (
                    label["unit"],
                    str(indicator.get_unit_display()) if indicator else "",
                    str(Unit(unit).label),
                )
            )
        if "baseline" in parsed:
            old = indicator.baseline_value if indicator else None
            if parsed["baseline"] != old:
                row.values["baseline_value"] = parsed["baseline"]
                plan.changes.append((label["baseline"], _text(old), _text(parsed["baseline"])))
        if parsed.get("final_target") is not None:
            target = indicator.final_target if indicator else None
            old = target.value if target else None
            if parsed["final_target"] != old:
                row.final_target = parsed["final_target"]
                plan.changes.append(
                    (label["final_target"], _text(old), _text(parsed["final_target"]))
                )
        if parsed.get("targets"):
            _plan_targets(plan, row, indicator, parsed["targets"], label["targets"])
        plan.settle(row, indicator, "indicator_id")
    return Plan(rows)


_TARGET_ITEM = re.compile(r"^\s*(\d{4})\s*[:=]\s*(.+?)\s*$")


def _yearly_targets(text: str) -> dict[date, Decimal]:
    """ "2023: 60; 2024: 70,5" (or one per line) → {31.12.2023: 60, 31.12.2024: 70.5}."""
    targets: dict[date, Decimal] = {}
    for item in _LIST_SPLIT.split(text or ""):
        if not item.strip():
            continue
        match = _TARGET_ITEM.match(item)
        value = parse_number(match.group(2)) if match else None
        if match is None or value is None:
            raise CellError(
                _("Write the targets as year: value, separated by “;”, e.g. 2023: 60; 2024: 70,5.")
            )
        targets[date(int(match.group(1)), 12, 31)] = value
    return targets


def _plan_targets(plan, row, indicator, targets: dict[date, Decimal], label: str) -> None:
    """The yearly targets that differ from the stored ones (others are left as they are)."""
    stored = {t.target_date: t.value for t in indicator.targets.all()} if indicator else {}
    changed = {day: value for day, value in targets.items() if stored.get(day) != value}
    if not changed:
        return
    row.targets = changed
    plan.changes.append(
        (
            label,
            "; ".join(f"{d.year}: {_text(stored[d])}" for d in sorted(changed) if d in stored),
            "; ".join(f"{d.year}: {_text(v)}" for d, v in sorted(changed.items())),
        )
    )


def _plan_measurements(job, project, cells: _Cells, progress) -> Plan:
    headers = cells.headers
    label = {k: field_label(job.kind, k) for k in cells.index}
    indicators = {
        norm(i.code): i
        for i in Indicator.objects.filter(project=project).select_related("project__programme")
    }
    existing = {
        (m.indicator_id, m.period): m
        for m in Measurement.objects.filter(indicator__project=project)
    }
    seen: dict[tuple, int] = {}
    rows = []
    for done, (number, c) in enumerate(cells.rows(job), start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done)
        plan = RowPlan(number, f"{c['code']} {c['period']}".strip())
        rows.append(plan)
        _check_hanke(plan, c, headers, project)
        indicator = indicators.get(norm(c["code"])) if c["code"] else None
        if not c["code"]:
            plan.reject(headers["code"], _("The indicator code is missing."))
        elif indicator is None:
            plan.reject(
                headers["code"], _("No indicator “%(code)s” in this hanke.") % {"code": c["code"]}
            )
        if not c["period"] and not c["value"]:
            if plan.outcome != REJECTED:
                plan.note = _("No value on this row.")
            continue
        if is_generated_source(c.get("source", "")):
            if plan.outcome != REJECTED:
                plan.note = _("A value generated for the demo: not imported.")
            continue
        try:
            period = parse_date(c["period"])
        except CellError as exc:
            plan.reject(headers["period"], str(exc))
            period = None
        if period is None and plan.outcome != REJECTED:
            plan.reject(headers["period"], _("The period is missing."))
        if indicator is None or period is None:
            continue
        try:
            parsed = parse_value(c["value"], indicator.unit)
        except ValueRejected as exc:
            plan.reject(headers["value"], str(exc))
            continue
        try:
            period_end = _checked_period(indicator, period)
        except ValidationError as exc:
            plan.reject(headers["period"], exc.message_dict["period"][0])
            continue
        key = (indicator.pk, period_end)
        if key in seen:
            plan.reject(
                headers["period"],
                _("Row %(row)s has a value for the same indicator and period.")
                % {"row": seen[key]},
            )
            continue
        seen[key] = number
        current = existing.get(key)
        plan.payload = MeasurementImportRow(
            indicator=indicator,
            period=period,
            raw_value=c["value"],
            expected_version=current.version if current else 0,
        )
        if current is None:
            plan.outcome = NEW
            plan.changes.append((label["value"], "", _text(parsed.value)))
        else:
            plan.target = (current.pk, current.version)
            if parsed.value != current.value:
                plan.outcome = CHANGED
                plan.changes.append((label["value"], _text(current.value), _text(parsed.value)))
    return Plan(rows)


# --- Confirmation ----------------------------------------------------------------------------


def import_job_confirm(*, job: Job, actor) -> Job:
    """Claim a clean, previewed job for importing and run it (inline or as a Celery job).

    Raises ValidationError when the job has rejected rows, expired or was already confirmed.
    """
    _check_owner(job, actor)
    if job.expires_at <= timezone.now():
        raise ValidationError(_("This upload has expired: upload the file again."))
    if (job.upload.preview or {}).get("counts", {}).get(REJECTED):
        raise ValidationError(_("Nothing can be imported while rows are rejected."))
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.PREVIEWED).update(
        status=JobStatus.IMPORTING, progress_done=0, message="", heartbeat_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This import is not waiting for confirmation."))
    job.refresh_from_db()
    if job.progress_total > settings.IMPORT_SYNC_ROWS:
        job_queue(job)
    else:
        import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_apply(*, job_id: int) -> Job | None:
    """Write a confirmed job's rows through the domain services: all of them or none.

    Idempotent: only a job in "importing" runs; the rows and the job's "done" commit
    together, so a crash leaves the job "importing" with nothing written, and a rerun
    imports it once.
    """
    job = Job.objects.select_related("owner", "project", "upload").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.IMPORTING:
        return job
    with translation.override(_language(job)):
        try:
            with transaction.atomic():
                # The claim locks the row until the rows and "done" commit (or roll back).
                if not job_claim(job_id=job.pk, statuses=[JobStatus.IMPORTING]):
                    return Job.objects.get(pk=job.pk)
                plan = plan_job(job)
                if plan.fingerprint() != job.upload.preview.get("fingerprint"):
                    raise ImportChangedError
                _write(job, plan)
                Job.objects.filter(pk=job.pk).update(
                    status=JobStatus.DONE,
                    progress_done=job.progress_total,
                    finished_at=timezone.now(),
                )
                # the data are in the domain tables now
                JobUpload.objects.filter(pk=job.pk).update(rows=[])
        except ImportChangedError:
            JobUpload.objects.filter(pk=job.pk).update(preview=_preview(job, plan))
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.PREVIEWED,
                message=_(
                    "The data changed after the preview (someone else edited them): "
                    "nothing was imported. Check the new preview and confirm again."
                ),
            )
        except (
            ValidationError,
            PermissionDenied,
            ActionConflictError,
            IndicatorConflictError,
            ConflictError,
        ) as exc:
            logger.info("import job %s refused: %r", job.pk, exc)
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, message=_refusal(exc), finished_at=timezone.now()
            )
    job.refresh_from_db()
    job.upload.refresh_from_db()
    return job


def _refusal(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return _("You may no longer import into this hanke: nothing was imported.")
    if isinstance(exc, ValidationError):
        return _("Nothing was imported: %(reason)s") % {"reason": " ".join(exc.messages)}
    return _("The data changed after the preview (someone else edited them): nothing was imported.")


def _write(job: Job, plan: Plan) -> None:
    payloads = [r.payload for r in plan.rows if r.outcome in (NEW, CHANGED)]
    comment = _("Imported from the file %(name)s") % {"name": job.filename}
    if job.kind == ImportKind.ACTIONS:
        actions_import(project=job.project, actor=job.owner, rows=payloads, comment=comment)
    elif job.kind == ImportKind.INDICATORS:
        indicators_import(project=job.project, actor=job.owner, rows=payloads, comment=comment)
    else:
        measurements_import(project=job.project, actor=job.owner, rows=payloads, comment=comment)


def import_job_rerun(*, job: Job, actor, now=None) -> Job:
    """Queue a stalled job again at its owner's request ("Run again" on its page): the
    owner's import permission is checked again, then portal.services.job_rerun (raises
    ValidationError unless the job is stalled; a second click does not queue it twice)."""
    _check_owner(job, actor)
    return job_rerun(job=job, actor=actor, now=now)
