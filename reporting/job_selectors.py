"""Reads of export jobs, scoped to the user (STYLE R5).

A job's page and status belong to its requester only: anyone else gets 404, as for an
object outside their scope. The file is for those who may see its content: the requester
while they still may (Perm.VIEW_PROGRAMME for the national extract, Perm.EXPORT on the hanke
for a regional report) and, for a regional report, anyone else who may export that hanke.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from projects.access import Perm, can

from .models import ExportJob, ExportKind, ExportStatus

RECENT_JOBS = 30


def _jobs():
    return ExportJob.objects.defer("content").select_related("period", "project")


def export_job_list(*, user) -> list[ExportJob]:
    """The user's own most recent export jobs, newest first (one query)."""
    return list(_jobs().filter(requested_by=user)[:RECENT_JOBS])


def export_job_get(*, user, pk: int) -> ExportJob:
    """The user's own job (without its file); Http404 for anyone else's."""
    job = _jobs().filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job


def export_job_file_get(*, user, pk: int) -> ExportJob:
    """The job with its file, for a user who may see the content (see the module docstring).

    Http404: no such job, not finished, or someone else's national extract or a hanke the
    user does not see. PermissionDenied: the requester has lost the right to the content.
    """
    job = (
        ExportJob.objects.select_related("period", "project")
        .filter(pk=pk, status=ExportStatus.DONE)
        .first()
    )
    if job is None:
        raise Http404
    own = job.requested_by_id == user.pk
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
