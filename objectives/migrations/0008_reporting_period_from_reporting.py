"""ReportingPeriod (and its history) moves from reporting to objectives, the lowest app whose
models point to it (StatusUpdate.reporting_period), so reporting's models import it downwards.

State only: the tables keep their names (`db_table`), rows, indexes and constraints; nothing
in the database changes. reporting 0010 removes the model from reporting's state and moves
its content types (and so its permissions) to this app.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0007_plan_retirement_and_versions"),
        ("reporting", "0009_jobs_move_to_portal_job"),
        ("projects", "0013_plan_milestones_and_follow_up"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalReportingPeriod",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        (
                            "cut_off",
                            models.DateField(
                                help_text="Data up to this date are included",
                                verbose_name="data cut-off",
                            ),
                        ),
                        ("due_date", models.DateField(verbose_name="due date")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "programme",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="projects.programme",
                                verbose_name="programme",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical reporting period",
                        "verbose_name_plural": "historical reporting periods",
                        "db_table": "reporting_historicalreportingperiod",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="ReportingPeriod",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        (
                            "cut_off",
                            models.DateField(
                                help_text="Data up to this date are included",
                                verbose_name="data cut-off",
                            ),
                        ),
                        ("due_date", models.DateField(verbose_name="due date")),
                        (
                            "programme",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reporting_periods",
                                to="projects.programme",
                                verbose_name="programme",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reporting period",
                        "verbose_name_plural": "reporting periods",
                        "db_table": "reporting_reportingperiod",
                        "ordering": ["programme", "cut_off"],
                    },
                ),
                migrations.AlterField(
                    model_name="historicalstatusupdate",
                    name="reporting_period",
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
                migrations.AlterField(
                    model_name="statusupdate",
                    name="reporting_period",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="status_updates",
                        to="objectives.reportingperiod",
                        verbose_name="reporting period",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportingperiod",
                    constraint=models.UniqueConstraint(
                        fields=("programme", "name"), name="reporting_period_unique_name"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportingperiod",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("due_date__gte", models.F("cut_off"))),
                        name="reporting_period_due_after_cut_off",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
