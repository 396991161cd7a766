"""ReportingPeriod (and its history) leaves reporting's state for objectives (objectives
0008): the foreign keys here now point there; the tables stay where they are.

The content types move with the model, so the permissions granted on reporting periods
stay granted; on a fresh database there are none yet (they are made after migrating).
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("reportingperiod", "historicalreportingperiod")


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, "reporting", "objectives")


def backwards(apps, schema_editor):
    _move_content_types(apps, "objectives", "reporting")


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0008_reporting_period_from_reporting"),
        ("reporting", "0009_jobs_move_to_portal_job"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="reportingperiod",
                    name="programme",
                ),
                migrations.AlterField(
                    model_name="selfassessment",
                    name="period",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="self_assessments",
                        to="objectives.reportingperiod",
                        verbose_name="reporting period",
                    ),
                ),
                migrations.AlterField(
                    model_name="reportsnapshot",
                    name="period",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="snapshots",
                        to="objectives.reportingperiod",
                        verbose_name="reporting period",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalselfassessment",
                    name="period",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="objectives.reportingperiod",
                        verbose_name="reporting period",
                    ),
                ),
                migrations.DeleteModel(
                    name="HistoricalReportingPeriod",
                ),
                migrations.DeleteModel(
                    name="ReportingPeriod",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
