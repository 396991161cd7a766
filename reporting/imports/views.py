"""The bulk import pages: upload → columns → preview (progress while a job runs) → confirm.

Thin views (R11): the hanke comes from the scoped selector (404 outside the user's scope),
a job only for the user who uploaded it (404 for anyone else), 403 for a user without the
import permission; reporting.imports.services does the work and re-checks.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from portal.models import Job
from portal.models import JobStatus
from portal.uploads import show_upload_failure
from portal.uploads.preview import OUTCOMES
from projects.access import require
from projects.selectors import project_get
from reporting.jobs import IMPORT_KINDS

from .forms import ImportMappingForm
from .forms import ImportUploadForm
from .reader import max_bytes
from .services import KIND_PERMS
from .services import import_job_confirm
from .services import import_job_create
from .services import import_job_map
from .services import import_job_rerun
from .services import kinds_allowed

PREVIEW_ROWS = 200  # rows listed per outcome; the counts cover all


def _job(request, project_pk: int, pk: int, *, poll: bool = False) -> Job:
    """The user's own import job of this hanke (404 otherwise). `poll`: the job row's
    progress fields only; otherwise with its upload (cells, mapping, preview)."""
    project = project_get(user=request.user, pk=project_pk)
    jobs = Job.objects.filter(kind__in=IMPORT_KINDS, pk=pk, project=project, owner=request.user)
    if poll:
        jobs = jobs.only(*Job.PROGRESS_FIELDS)
    else:
        jobs = jobs.select_related("upload")
    job = jobs.first()
    if job is None or job.expires_at <= timezone.now() and job.status != JobStatus.DONE:
        raise Http404
    job.project = project
    require(job.kind in kinds_allowed(request.user, project))
    return job


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request, project_pk: int):
    """Choose what the file holds and upload it."""
    project = project_get(user=request.user, pk=project_pk)
    kinds = kinds_allowed(request.user, project)
    require(bool(kinds))
    form = ImportUploadForm(kinds=kinds)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(max_bytes() + 1)
            try:
                job = import_job_create(
                    project=project,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    name=upload.name,
                    content=content,
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect("reporting:import-map", project_pk=project.pk, pk=job.pk)
        show_upload_failure(request, form)
    jobs = Job.objects.filter(
        kind__in=IMPORT_KINDS, project=project, owner=request.user, expires_at__gt=timezone.now()
    ).only("pk", "filename", "kind", "status", "created_at")[:10]
    context = {
        "project": project,
        "form": form,
        "jobs": jobs,
        "max_mb": max_bytes() // 1_000_000,
        "kind_perms": KIND_PERMS,
    }
    return render(request, "reporting/import_start.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_map(request, project_pk: int, pk: int):
    """Which of the file's columns holds which field (preselected; remembered per hanke)."""
    job = _job(request, project_pk, pk)
    upload = job.upload
    form = ImportMappingForm(kind=job.kind, headers=upload.headers, mapping=upload.mapping)
    if request.method == "POST":
        form = ImportMappingForm(
            request.POST, kind=job.kind, headers=upload.headers, mapping=upload.mapping
        )
        if form.is_valid():
            mapping = form.mapping()
            if form.is_valid():  # mapping() adds an error for a column chosen twice
                try:
                    import_job_map(job=job, actor=request.user, mapping=mapping)
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    return redirect("reporting:import-job", project_pk=project_pk, pk=job.pk)
    samples = {
        header: [row[i] for row in upload.rows[:3] if row[i]][:3]
        for i, header in enumerate(upload.headers)
    }
    context = {
        "project": job.project,
        "job": job,
        "upload": upload,
        "form": form,
        "samples": samples,
    }
    return render(request, "reporting/import_map.html", context)


@login_required
@require_http_methods(["GET"])
def import_job(request, project_pk: int, pk: int):
    """Progress while a job runs (polled by htmx every second), then the preview or result.

    The poll reads the job's progress fields only, never the upload's cells or preview."""
    if request.htmx and not request.htmx.boosted:
        job = _job(request, project_pk, pk, poll=True)
        if not job.running:
            # The job ended: load the whole page (preview or result) instead of polling on.
            return HttpResponseClientRefresh()
        context = {"project": job.project, "job": job}
        return render(request, "reporting/import_job.html#job-status", context)
    job = _job(request, project_pk, pk)
    preview = job.upload.preview or {}
    rows = preview.get("rows", [])
    groups = {
        outcome: [r for r in rows if r["outcome"] == outcome][:PREVIEW_ROWS] for outcome in OUTCOMES
    }
    context = {
        "project": job.project,
        "job": job,
        "notes": job.upload.notes,
        "counts": preview.get("counts", {}),
        "groups": groups,
        "preview_rows": PREVIEW_ROWS,
        "can_confirm": job.status == JobStatus.PREVIEWED
        and not preview.get("counts", {}).get("rejected"),
    }
    return render(request, "reporting/import_job.html", context)


@login_required
@require_POST
def import_confirm(request, project_pk: int, pk: int):
    """Import the previewed rows: all or none."""
    job = _job(request, project_pk, pk)
    try:
        job = import_job_confirm(job=job, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    # The job page says what happened (imported, refused, or running with a progress bar).
    return redirect("reporting:import-job", project_pk=project_pk, pk=job.pk)


@login_required
@require_POST
def import_rerun(request, project_pk: int, pk: int):
    """Queue a stalled job again (its worker never started it, or died)."""
    job = _job(request, project_pk, pk)
    try:
        import_job_rerun(job=job, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The import was queued again."))
    return redirect("reporting:import-job", project_pk=project_pk, pk=job.pk)
