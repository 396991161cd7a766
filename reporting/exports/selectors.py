"""Reads of export jobs, scoped to the user (STYLE R5).

A job's page and status belong to its requester only: anyone else gets 404, as for an
object outside their scope. The file is for those who may see its content: the requester
while they still may (Perm.VIEW_PROGRAMME for the national extract, Perm.EXPORT on the hanke
for a regional report) and, for a regional report, anyone else who may export that hanke.
The page and its one-second poll read only the fields they show (Job.PROGRESS_FIELDS),
never the file.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from objectives.models import ReportingPeriod
from portal.models import Job
from portal.models import JobStatus
from projects.access import Perm
from projects.access import can
from projects.models import Project
from reporting.jobs import EXPORT_KINDS
from reporting.models import ExportKind

RECENT_JOBS = 30


def _jobs():
    return (
        Job.objects.filter(kind__in=EXPORT_KINDS)
        .select_related("project")
        .only(
            *Job.PROGRESS_FIELDS, *(f"project__{f.attname}" for f in Project._meta.concrete_fields)
        )
    )


def _with_periods(jobs: list[Job]) -> list[Job]:
    """Attach each national extract's reporting period as `job.period` (one query)."""
    ids = {job.parameters.get("period") for job in jobs if job.kind == ExportKind.NATIONAL}
    periods = ReportingPeriod.objects.in_bulk([pk for pk in ids if pk]) if ids else {}
    for job in jobs:
        job.period = periods.get(job.parameters.get("period"))
    return jobs


def export_job_list(*, user) -> list[Job]:
    """The user's own most recent export jobs, newest first (two queries)."""
    return _with_periods(list(_jobs().filter(owner=user)[:RECENT_JOBS]))


def export_job_get(*, user, pk: int, poll: bool = False) -> Job:
    """The user's own job (without its file); Http404 for anyone else's. `poll`: only what
    the status partial shows (no reporting period)."""
    job = _jobs().filter(pk=pk, owner=user).first()
    if job is None:
        raise Http404
    return job if poll else _with_periods([job])[0]


def export_job_file_get(*, user, pk: int) -> Job:
    """The job with its file, for a user who may see the content (see the module docstring).

    Http404: no such job, not finished, or someone else's national extract or a hanke the
    user does not see. PermissionDenied: the requester has lost the right to the content.
    """
    job = (
        Job.objects.select_related("project")
        .filter(pk=pk, kind__in=EXPORT_KINDS, status=JobStatus.DONE)
        .first()
    )
    if job is None:
        raise Http404
    own = job.owner_id == user.pk
    if job.kind == ExportKind.NATIONAL:
        if not own:
            raise Http404
        if not can(user, Perm.VIEW_PROGRAMME):
            raise PermissionDenied
        return job
    if not can(user, Perm.VIEW, job.project):
        raise Http404
    if not can(user, Perm.EXPORT, job.project):
        raise PermissionDenied
    return job
