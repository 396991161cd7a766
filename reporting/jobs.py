"""Reporting's kinds of portal.Job: the exports (national extract, regional report) and the
bulk imports (actions, indicators, measurements). Registered at start (reporting.apps)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.jobs import JobKind
from portal.models import JobStatus

from .models import ExportKind
from .models import ImportKindChoices

EXPORT_TASK = "reporting.tasks.export_job_run_task"
IMPORT_CHECK_TASK = "reporting.tasks.import_job_check_task"
IMPORT_APPLY_TASK = "reporting.tasks.import_job_apply_task"

EXPORT_KINDS = tuple(ExportKind.values)
IMPORT_KINDS = tuple(ImportKindChoices.values)

JOB_KINDS = [
    *(
        JobKind(
            name=kind,
            label=label,
            tasks={JobStatus.QUEUED: EXPORT_TASK},
            rerun_failed=True,  # the same export again, in the same row
            thread_without_broker=True,
            status_labels={JobStatus.DONE: _("Ready")},
            rerun_refused=_("Only a failed or stalled export can be run again."),
        )
        for kind, label in ExportKind.choices
    ),
    *(
        JobKind(
            name=kind,
            label=label,
            tasks={JobStatus.CHECKING: IMPORT_CHECK_TASK, JobStatus.IMPORTING: IMPORT_APPLY_TASK},
            status_labels={JobStatus.DONE: _("Imported")},
            rerun_refused=_(
                "Only an import that has made no progress for ten minutes can be run again."
            ),
        )
        for kind, label in ImportKindChoices.choices
    ),
]
