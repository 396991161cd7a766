"""One job model (issue #19): the export and import jobs move into portal.Job (an upload's
cells into portal.JobUpload) and their tables are dropped.

Each row keeps its id only where that id is free in portal.Job, so links already sent stay
valid as far as they can; statuses map one to one (an export's "queued"/"running"/"done"/
"failed", an import's own steps), `requested_by`/`user` become the owner, the national
extract's period goes into the parameters, the heartbeat is the last time the row moved.
Reversible: the rows are moved back (new ids) and the portal rows of these kinds deleted.
"""

from django.conf import settings
from django.db import migrations

EXPORT_KINDS = ("national", "regional")
IMPORT_KINDS = ("actions", "indicators", "measurements")


def _free_id(Job, pk):
    return None if Job.objects.filter(pk=pk).exists() else pk


def forwards(apps, schema_editor):
    Job = apps.get_model("portal", "Job")
    JobUpload = apps.get_model("portal", "JobUpload")
    ExportJob = apps.get_model("reporting", "ExportJob")
    ImportJob = apps.get_model("reporting", "ImportJob")
    keep = {}
    for old in ExportJob.objects.order_by("pk").iterator():
        parameters = dict(old.parameters or {})
        language = parameters.pop("language", "") or ""
        if old.period_id:
            parameters["period"] = old.period_id
        job = Job.objects.create(
            id=_free_id(Job, old.pk),
            kind=old.kind,
            owner_id=old.requested_by_id,
            project_id=old.project_id,
            status=old.status,
            parameters=parameters,
            language=language[:10],
            progress_done=old.progress_done,
            progress_total=old.progress_total,
            attempts=old.attempts,
            message=old.error,
            filename=old.filename,
            content_type=old.content_type,
            content=old.content,
            started_at=old.started_at,
            heartbeat_at=old.started_at or old.created_at,
            finished_at=old.finished_at,
        )
        keep[job.pk] = (old.created_at, old.created_at + _keep_days())
    for old in ImportJob.objects.order_by("pk").iterator():
        job = Job.objects.create(
            id=_free_id(Job, old.pk),
            kind=old.kind,
            owner_id=old.user_id,
            project_id=old.project_id,
            status=old.status,
            language=old.language[:10],
            progress_done=old.progress_done,
            progress_total=old.progress_total,
            message=old.error,
            filename=old.filename,
            heartbeat_at=old.updated_at,
            finished_at=old.finished_at,
        )
        JobUpload.objects.create(
            job_id=job.pk,
            headers=old.headers,
            rows=old.rows,
            row_numbers=old.row_numbers,
            notes=old.notes,
            mapping=old.mapping,
            preview=old.preview,
        )
        keep[job.pk] = (old.created_at, old.expires_at)
    # created_at is auto_now_add: written after the insert.
    for pk, (created_at, expires_at) in keep.items():
        Job.objects.filter(pk=pk).update(created_at=created_at, expires_at=expires_at)
    _reset_sequence(schema_editor, Job)


def _keep_days():
    from datetime import timedelta

    return timedelta(days=getattr(settings, "EXPORT_JOB_KEEP_DAYS", 7))


def _reset_sequence(schema_editor, model):
    from django.core.management.color import no_style

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def backwards(apps, schema_editor):
    Job = apps.get_model("portal", "Job")
    JobUpload = apps.get_model("portal", "JobUpload")
    ExportJob = apps.get_model("reporting", "ExportJob")
    ImportJob = apps.get_model("reporting", "ImportJob")
    for job in Job.objects.filter(kind__in=EXPORT_KINDS, owner__isnull=False).iterator():
        parameters = dict(job.parameters or {})
        period = parameters.pop("period", None)
        parameters["language"] = job.language
        old = ExportJob.objects.create(
            requested_by_id=job.owner_id,
            kind=job.kind,
            period_id=period if job.kind == "national" else None,
            project_id=job.project_id if job.kind == "regional" else None,
            parameters=parameters,
            status=job.status if job.status in ("queued", "running", "done", "failed") else "failed",
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            attempts=job.attempts,
            filename=job.filename[:200],
            content_type=job.content_type,
            content=job.content,
            error=job.message,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
        ExportJob.objects.filter(pk=old.pk).update(created_at=job.created_at)
    for job in Job.objects.filter(kind__in=IMPORT_KINDS, owner__isnull=False).iterator():
        upload = JobUpload.objects.filter(job_id=job.pk).first()
        old = ImportJob.objects.create(
            project_id=job.project_id,
            user_id=job.owner_id,
            kind=job.kind,
            filename=job.filename,
            status=job.status,
            headers=upload.headers if upload else [],
            rows=upload.rows if upload else [],
            row_numbers=upload.row_numbers if upload else [],
            notes=upload.notes if upload else [],
            mapping=upload.mapping if upload else {},
            preview=upload.preview if upload else {},
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            error=job.message,
            language=job.language or "fi",
            expires_at=job.expires_at or job.created_at,
            finished_at=job.finished_at,
        )
        ImportJob.objects.filter(pk=old.pk).update(
            created_at=job.created_at, updated_at=job.heartbeat_at
        )
    Job.objects.filter(kind__in=EXPORT_KINDS + IMPORT_KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0008_status_rollup_to_current_light"),
        ("portal", "0004_jobs_convert_rows"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ExportJob"),
        migrations.DeleteModel(name="ImportJob"),
    ]
