"""One job model (issue #19): portal.Job becomes the job of every kind, with owner, hanke,
progress, attempts, heartbeat, result file and expiry; an upload's cells move to JobUpload.
The rows already here are converted by 0004 (its own transaction: PostgreSQL refuses to
alter a table with pending trigger events); reporting 0009 then moves the export and import
jobs in and drops their tables.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_historicaluserpreferences_userpreferences_sentmail'),
        ('projects', '0013_plan_milestones_and_follow_up'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='JobUpload',
            fields=[
                ('job', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='upload', serialize=False, to='portal.job', verbose_name='job')),
                ('headers', models.JSONField(blank=True, default=list, verbose_name='column headers')),
                ('rows', models.JSONField(blank=True, default=list, verbose_name='rows')),
                ('row_numbers', models.JSONField(blank=True, default=list, verbose_name='row numbers')),
                ('notes', models.JSONField(blank=True, default=list, verbose_name='notes')),
                ('mapping', models.JSONField(blank=True, default=dict, verbose_name='column mapping')),
                ('preview', models.JSONField(blank=True, default=dict, verbose_name='preview')),
            ],
            options={
                'verbose_name': 'uploaded file',
                'verbose_name_plural': 'uploaded files',
            },
        ),
        migrations.AlterModelOptions(
            name='job',
            options={'ordering': ['-created_at', '-id'], 'verbose_name': 'job', 'verbose_name_plural': 'jobs'},
        ),
        migrations.RenameField(
            model_name='job',
            old_name='params',
            new_name='parameters',
        ),
        migrations.RenameField(model_name='job', old_name='actor', new_name='owner'),
        migrations.RenameField(model_name='job', old_name='counts', new_name='summary'),
        migrations.AddField(
            model_name='job',
            name='attempts',
            field=models.PositiveIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AddField(
            model_name='job',
            name='content',
            field=models.BinaryField(blank=True, null=True, verbose_name='file'),
        ),
        migrations.AddField(
            model_name='job',
            name='content_type',
            field=models.CharField(blank=True, max_length=100, verbose_name='content type'),
        ),
        migrations.AddField(
            model_name='job',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='expires'),
        ),
        migrations.AddField(
            model_name='job',
            name='filename',
            field=models.CharField(blank=True, max_length=255, verbose_name='file name'),
        ),
        migrations.AddField(
            model_name='job',
            name='heartbeat_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='last sign of life'),
        ),
        migrations.AddField(
            model_name='job',
            name='language',
            field=models.CharField(blank=True, max_length=10, verbose_name='language'),
        ),
        migrations.AlterField(
            model_name='job',
            name='owner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to=settings.AUTH_USER_MODEL, verbose_name='started by'),
        ),
        migrations.AddField(
            model_name='job',
            name='progress_done',
            field=models.PositiveIntegerField(default=0, verbose_name='rows done'),
        ),
        migrations.AddField(
            model_name='job',
            name='progress_total',
            field=models.PositiveIntegerField(default=0, verbose_name='rows in all'),
        ),
        migrations.AddField(
            model_name='job',
            name='project',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to='projects.project', verbose_name='hanke'),
        ),
        migrations.AlterField(
            model_name='job',
            name='summary',
            field=models.JSONField(blank=True, default=dict, verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='job',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('uploaded', 'Uploaded: choose the columns'), ('checking', 'Checking the rows'), ('previewed', 'Checked: waiting for confirmation'), ('importing', 'Importing'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=20, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['owner', '-created_at'], name='portal_job_owner_i_6f5ca7_idx'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['status', 'heartbeat_at'], name='portal_job_status_f301db_idx'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['expires_at'], name='portal_job_expires_b91247_idx'),
        ),
    ]
