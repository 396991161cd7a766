"""Bulk import of actions, indicators and measurements: upload → mapping → dry run → confirm.

Contract:
- `import_job_create` reads the file (reporting.imports.reader; a bad file raises ValidationError
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
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from measures.services import ConflictError
from measures.services import IndicatorConflictError
from measures.services import indicators_import
from measures.services import measurements_import
from objectives.services import ActionConflictError
from objectives.services import actions_import
from portal.models import Job
from portal.models import JobStatus
from portal.models import JobUpload
from portal.services import job_claim
from portal.services import job_progress
from portal.services import job_queue
from portal.services import job_rerun
from portal.services import upload_job_create
from portal.uploads.preview import CHANGED
from portal.uploads.preview import NEW
from portal.uploads.preview import REJECTED
from portal.uploads.preview import Plan
from projects.access import Perm
from projects.access import can
from projects.access import check
from projects.models import Project
from reporting.models import ImportMapping

from .plans import plan_rows
from .reader import ImportFileError
from .reader import ImportKind
from .reader import field_label
from .reader import read_upload
from .reader import spec

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
    return upload_job_create(
        kind=kind,
        actor=actor,
        project=project,
        filename=name,
        rows=sheet.rows,
        upload={
            "headers": sheet.headers,
            "row_numbers": sheet.row_numbers,
            "notes": sheet.notes,
            "mapping": spec(kind).suggest(sheet.headers, remembered),
        },
        status=JobStatus.UPLOADED,
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
        expires_at=timezone.now() + timedelta(hours=settings.IMPORT_JOB_HOURS),
    )


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
    problems = spec(job.kind).problems(mapping)
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


def plan_job(job: Job, progress: Callable[[int], None] | None = None) -> Plan:
    """Plan every row of the job's upload against the current data (reads only)."""
    project = Project.objects.select_related("region", "programme").get(pk=job.project_id)
    upload = job.upload
    return plan_rows(
        kind=job.kind,
        project=project,
        headers=upload.headers,
        mapping=upload.mapping,
        rows=upload.rows,
        row_numbers=upload.row_numbers,
        progress=progress,
    )


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
        "counts": plan.counts,
        "rows": [r.as_json() for r in plan.rows],
        "fingerprint": plan.fingerprint(),
        "columns": {key: field_label(job.kind, key) for key in job.upload.mapping.values() if key},
    }


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
