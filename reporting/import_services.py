"""Bulk import of actions, indicators and measurements: upload → mapping → dry run → confirm.

Contract:
- `import_job_create` reads the file (reporting.imports; a bad file raises ValidationError
  and nothing is stored) and stores its cells on an `ImportJob` owned by the user and the
  hanke, with the columns preselected (the hanke's remembered mapping, else our labels).
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
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from measures.services import (
    ConflictError,
    IndicatorConflictError,
    indicators_import,
    measurements_import,
)
from objectives.services import ActionConflictError, actions_import
from portal.queue import enqueue_on_commit
from portal.uploads.preview import CHANGED, NEW, REJECTED, Plan
from projects.access import Perm, can, check
from projects.models import Project

from .import_plans import plan_rows
from .imports import ImportFileError, ImportKind, field_label, read_upload, spec
from .models import ImportJob, ImportMapping, ImportStatus

logger = logging.getLogger(__name__)

KIND_PERMS = {
    ImportKind.ACTIONS: Perm.EDIT_PLAN,
    ImportKind.INDICATORS: Perm.EDIT_PLAN,
    ImportKind.MEASUREMENTS: Perm.ENTER_MEASUREMENTS,
}


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
    return ImportJob.objects.create(
        project=project,
        user=actor,
        kind=kind,
        filename=name[:255],
        headers=sheet.headers,
        rows=sheet.rows,
        row_numbers=sheet.row_numbers,
        notes=sheet.notes,
        mapping=spec(kind).suggest(sheet.headers, remembered),
        progress_total=len(sheet.rows),
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
        expires_at=timezone.now() + timedelta(hours=settings.IMPORT_JOB_HOURS),
    )


def import_job_map(*, job: ImportJob, actor, mapping: dict[str, str]) -> ImportJob:
    """Save the column mapping (remembered for the hanke and kind) and start the dry run.

    Raises ValidationError when a required field has no column or a field has two.
    Files over IMPORT_SYNC_ROWS rows are checked by a Celery job after commit.
    """
    _check_owner(job, actor)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise ValidationError(_("This import can no longer be changed."))
    mapping = {header: mapping.get(header, "") for header in job.headers}
    problems = spec(job.kind).problems(mapping)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        ImportMapping.objects.update_or_create(
            project=job.project,
            kind=job.kind,
            defaults={"mapping": mapping, "updated_by": actor},
        )
        ImportJob.objects.filter(pk=job.pk).update(
            mapping=mapping,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
            status=ImportStatus.CHECKING,
            preview={},
            error="",
            progress_done=0,
            updated_at=timezone.now(),
        )
        large = len(job.rows) > settings.IMPORT_SYNC_ROWS
        if large:
            from .tasks import import_job_check_task

            enqueue_on_commit(import_job_check_task, job.pk)
    if not large:
        import_job_check(job_id=job.pk)
    job.refresh_from_db()
    return job


def _check_owner(job: ImportJob, actor) -> None:
    if job.user_id != actor.pk:
        raise PermissionDenied
    check(actor, KIND_PERMS[job.kind], job.project)


# --- The dry run -----------------------------------------------------------------------------


def plan_job(job: ImportJob, progress: Callable[[int], None] | None = None) -> Plan:
    """Plan every row of the job against the current data (reads only)."""
    project = Project.objects.select_related("region", "programme").get(pk=job.project_id)
    return plan_rows(
        kind=job.kind,
        project=project,
        headers=job.headers,
        mapping=job.mapping,
        rows=job.rows,
        row_numbers=job.row_numbers,
        progress=progress,
    )


def import_job_check(*, job_id: int) -> ImportJob | None:
    """The dry run of a job: store its preview (counts and rows); writes nothing else.

    Idempotent (a rerun recomputes the same preview). Runs in the uploader's language.
    """
    job = ImportJob.objects.select_related("user", "project").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.CHECKING:
        return job

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress_done=done, updated_at=timezone.now())

    with translation.override(_language(job)):
        plan = plan_job(job, progress)
        preview = _preview(job, plan)
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.PREVIEWED,
        preview=preview,
        progress_done=job.progress_total,
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _language(job: ImportJob) -> str:
    return job.language or settings.LANGUAGE_CODE


def _preview(job: ImportJob, plan: Plan) -> dict:
    return {
        "counts": plan.counts,
        "rows": [r.as_json() for r in plan.rows],
        "fingerprint": plan.fingerprint(),
        "columns": {key: field_label(job.kind, key) for key in job.mapping.values() if key},
    }


# --- Confirmation ----------------------------------------------------------------------------


def import_job_confirm(*, job: ImportJob, actor) -> ImportJob:
    """Claim a clean, previewed job for importing and run it (inline or as a Celery job).

    Raises ValidationError when the job has rejected rows, expired or was already confirmed.
    """
    _check_owner(job, actor)
    if job.expires_at <= timezone.now():
        raise ValidationError(_("This upload has expired: upload the file again."))
    if (job.preview or {}).get("counts", {}).get(REJECTED):
        raise ValidationError(_("Nothing can be imported while rows are rejected."))
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.IMPORTING, progress_done=0, updated_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This import is not waiting for confirmation."))
    if len(job.rows) > settings.IMPORT_SYNC_ROWS:
        from .tasks import import_job_apply_task

        enqueue_on_commit(import_job_apply_task, job.pk)
    else:
        import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_apply(*, job_id: int) -> ImportJob | None:
    """Write a confirmed job's rows through the domain services: all of them or none.

    Idempotent: only a job in "importing" runs; the rows and the job's "done" commit
    together, so a crash leaves the job "importing" with nothing written, and a rerun
    imports it once.
    """
    job = ImportJob.objects.select_related("user", "project").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.IMPORTING:
        return job
    with translation.override(_language(job)):
        try:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != ImportStatus.IMPORTING:
                    return locked
                plan = plan_job(job)
                if plan.fingerprint() != job.preview.get("fingerprint"):
                    raise ImportChangedError
                _write(job, plan)
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.DONE,
                    progress_done=job.progress_total,
                    finished_at=timezone.now(),
                    rows=[],  # the data are in the domain tables now
                )
        except ImportChangedError:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.PREVIEWED,
                preview=_preview(job, plan),
                error=_(
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
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, error=_refusal(exc), finished_at=timezone.now()
            )
    job.refresh_from_db()
    return job


def _refusal(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return _("You may no longer import into this hanke: nothing was imported.")
    if isinstance(exc, ValidationError):
        return _("Nothing was imported: %(reason)s") % {"reason": " ".join(exc.messages)}
    return _("The data changed after the preview (someone else edited them): nothing was imported.")


def _write(job: ImportJob, plan: Plan) -> None:
    payloads = [r.payload for r in plan.rows if r.outcome in (NEW, CHANGED)]
    comment = _("Imported from the file %(name)s") % {"name": job.filename}
    if job.kind == ImportKind.ACTIONS:
        actions_import(project=job.project, actor=job.user, rows=payloads, comment=comment)
    elif job.kind == ImportKind.INDICATORS:
        indicators_import(project=job.project, actor=job.user, rows=payloads, comment=comment)
    else:
        measurements_import(project=job.project, actor=job.user, rows=payloads, comment=comment)


def import_jobs_expire(*, now=None) -> int:
    """Delete uploads past their expiry (their cells may hold personal data). Idempotent."""
    now = now or timezone.now()
    deleted, _rows = (
        ImportJob.objects.filter(expires_at__lte=now)
        .exclude(status__in=(ImportStatus.CHECKING, ImportStatus.IMPORTING))
        .delete()
    )
    return deleted


def _stalled(now) -> Q:
    return Q(
        status__in=(ImportStatus.CHECKING, ImportStatus.IMPORTING),
        updated_at__lt=now - ImportJob.STALE_AFTER,
        expires_at__gt=now,
    )


def _requeue(pk: int, status: str) -> None:
    """Queue the task of a job's current step again. Safe because both tasks are
    idempotent: a job that finished meanwhile is left alone."""
    from .tasks import import_job_apply_task, import_job_check_task

    task = import_job_check_task if status == ImportStatus.CHECKING else import_job_apply_task
    enqueue_on_commit(task, pk)


def import_jobs_resume(*, now=None) -> int:
    """Queue again the jobs left "checking" or "importing" without progress for a while
    (their task was never published, or lost)."""
    stale = list(
        ImportJob.objects.filter(_stalled(now or timezone.now())).values_list("pk", "status")
    )
    for pk, status in stale:
        _requeue(pk, status)
    return len(stale)


def import_job_rerun(*, job: ImportJob, actor, now=None) -> ImportJob:
    """Queue a stalled job again at its owner's request ("Run again" on its page).

    Raises ValidationError unless the job is stalled; marks it as touched first, so that a
    second click (or the hourly catch-up) does not queue it twice.
    """
    _check_owner(job, actor)
    now = now or timezone.now()
    claimed = ImportJob.objects.filter(_stalled(now), pk=job.pk).update(updated_at=now)
    if not claimed:
        raise ValidationError(
            _("Only an import that has made no progress for ten minutes can be run again.")
        )
    job.refresh_from_db()
    _requeue(job.pk, job.status)
    return job
