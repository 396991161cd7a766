"""One job model (issue #19), the rows already in portal.Job (Sotkanet and finance imports),
converted in place: "pending" becomes "queued" (Sotkanet) or "previewed" (a finance upload
waiting for confirmation), the hanke and file name come out of the parameters, and a finance
upload's rows move to its JobUpload. Reversible."""

from django.db import migrations

FINANCE = "finance-import"


def forwards(apps, schema_editor):
    Job = apps.get_model("portal", "Job")
    JobUpload = apps.get_model("portal", "JobUpload")
    Indicator = apps.get_model("measures", "Indicator")
    for job in Job.objects.all().iterator():
        params = dict(job.parameters or {})
        job.heartbeat_at = job.finished_at or job.started_at or job.created_at
        if job.kind == FINANCE:
            rows = params.pop("rows", [])
            job.project_id = params.pop("project", None)
            job.filename = params.pop("filename", "")[:255]
            job.progress_total = len(rows)
            if job.status == "pending":
                job.status = "previewed"
            JobUpload.objects.create(job_id=job.pk, rows=rows)
        else:
            indicator = params.get("indicator_id")
            if indicator:
                job.project_id = (
                    Indicator.objects.filter(pk=indicator).values_list("project_id", flat=True).first()
                )
            if job.status == "pending":
                job.status = "queued"
            job.attempts = 1 if job.started_at else 0
        job.parameters = params
        job.save()


def backwards(apps, schema_editor):
    Job = apps.get_model("portal", "Job")
    JobUpload = apps.get_model("portal", "JobUpload")
    for job in Job.objects.filter(kind=FINANCE):
        upload = JobUpload.objects.filter(job_id=job.pk).first()
        job.parameters = {
            **(job.parameters or {}),
            "project": job.project_id,
            "filename": job.filename,
            "rows": upload.rows if upload else [],
        }
        job.save(update_fields=["parameters"])
    Job.objects.filter(status__in=["queued", "uploaded", "checking", "previewed"]).update(
        status="pending"
    )
    Job.objects.filter(status="importing").update(status="running")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_one_job_model"),
        ("measures", "0005_plan_retirement_and_versions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
