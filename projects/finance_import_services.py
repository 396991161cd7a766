"""Importing the finance system's periodic totals per budget line: upload, preview, confirm.

Contract (STYLE R3, R8, R14):
- `finance_import_start` reads the uploaded file (projects.finance_import.read_file) and keeps
  its rows on a `portal.Job` (kind "finance-import", waiting for confirmation) and its
  `portal.JobUpload`, so the preview and the confirmation
  work on exactly what was uploaded. A file that cannot be read raises `FileRejected` and
  leaves nothing behind.
- `finance_import_preview` checks the rows against the hanke's budget lines and the totals
  imported before, as of now (so the preview shown just before confirming is current).
- `finance_import_confirm` applies a clean preview in one transaction: every row or none. It
  writes each total as an `Expenditure` with `imported_period` (unique per budget line and
  period), so the totals count as spending in plan vs actual, the share used, the spending
  light and the burn chart without any other change. New rows are created, changed ones
  updated (with history), unchanged ones left alone: importing the same file again changes
  nothing. Confirming a job twice does nothing the second time (the job row is locked and
  marked done).
Permission: Perm.EDIT_PLAN on the hanke (project manager, programme admin), checked again
by each service.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.history_rows import history_save
from portal.models import Job
from portal.models import JobStatus
from portal.models import JobUpload
from portal.services import upload_job_create

from .access import Perm
from .access import check
from .choices import BudgetCategory
from .finance_import import LineRef
from .finance_import import Preview
from .finance_import import preview
from .finance_import import read_file
from .models import BudgetLine
from .models import Expenditure
from .models import Project

KIND = "finance-import"


def _line_refs(project: Project) -> list[LineRef]:
    return [
        LineRef(line.pk, line.year, line.category, line.line, line.funded_elsewhere)
        for line in BudgetLine.objects.filter(project=project).order_by("pk")
    ]


def _existing(project: Project, *, lock: bool = False) -> dict[tuple[int, date], Expenditure]:
    qs = Expenditure.objects.filter(project=project, imported_period__isnull=False)
    if lock:
        qs = qs.select_for_update()
    return {(e.budget_line_id, e.imported_period): e for e in qs}


def finance_import_start(*, project: Project, actor, raw: bytes, filename: str) -> Job:
    """Read an uploaded file into a pending job. Raises FileRejected for an unreadable file.

    Permission: Perm.EDIT_PLAN. Side effect: one Job row; nothing is imported yet."""
    check(actor, Perm.EDIT_PLAN, project)
    rows = read_file(raw)
    return upload_job_create(
        kind=KIND,
        actor=actor,
        project=project,
        filename=filename[:200],
        rows=rows,
        status=JobStatus.PREVIEWED,
    )


def finance_import_job_get(*, project: Project, pk: int) -> Job:
    """The import job of this hanke (404 for another hanke's or another kind of job).

    Permission: `project` comes from `project_get` (the user may see it)."""
    job = Job.objects.select_related("upload").filter(pk=pk, kind=KIND, project=project).first()
    if job is None:
        raise Http404
    return job


def finance_import_preview(*, project: Project, job: Job) -> Preview:
    """The job's rows checked against the hanke's lines and earlier totals (two queries)."""
    existing = {key: e.amount for key, e in _existing(project).items()}
    return preview(
        job.upload.rows,
        lines=_line_refs(project),
        existing=existing,
        categories=list(BudgetCategory.choices),
    )


@transaction.atomic
def finance_import_confirm(*, project: Project, actor, job: Job) -> dict[str, int]:
    """Apply the job's rows: all or nothing. Raises ValidationError when any row is rejected.

    Permission: Perm.EDIT_PLAN. Idempotent: unchanged totals are not touched, and a job that
    is already done returns its counts without writing."""
    check(actor, Perm.EDIT_PLAN, project)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.kind != KIND or job.project_id != project.pk:
        raise PermissionDenied  # another hanke's upload: never applied to this one
    if job.status == JobStatus.DONE:
        return job.summary
    existing = _existing(project, lock=True)
    result = preview(
        JobUpload.objects.get(pk=job.pk).rows,
        lines=_line_refs(project),
        existing={key: e.amount for key, e in existing.items()},
        categories=list(BudgetCategory.choices),
    )
    if not result.can_confirm:
        raise ValidationError(_("Fix the rejected rows and upload the file again."))
    lines = {line.pk: line for line in BudgetLine.objects.filter(project=project)}
    for row in result.rows:
        if row.status == "unchanged":
            continue
        expense = existing.get((row.line.pk, row.period))
        if expense is None:
            line = lines[row.line.pk]
            expense = Expenditure(
                project=project,
                budget_line=line,
                imported_period=row.period,
                category=line.category,
            )
        expense.amount = Decimal(row.amount)
        expense.date = row.period
        expense.entered_by = actor
        expense.description = _("Finance system total, period ending %(date)s") % {
            "date": f"{row.period.day}.{row.period.month}.{row.period.year}"
        }
        history_save(expense, actor=actor)
    counts = result.counts
    job.status, job.summary, job.finished_at = JobStatus.DONE, counts, timezone.now()
    job.started_at = job.started_at or job.finished_at
    job.save(update_fields=["status", "summary", "finished_at", "started_at"])
    return counts
