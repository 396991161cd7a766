from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.jobs import JobKind
from portal.jobs import JobStatus
from portal.jobs import register


class MeasuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "measures"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from .sotkanet import JOB_KIND  # it imports the models: only once they are loaded

        # Idempotent per value (all or nothing): a stalled import may simply run again.
        register(
            JobKind(
                name=JOB_KIND,
                label=_("Sotkanet import"),
                tasks={JobStatus.QUEUED: "measures.tasks.sotkanet_import_task"},
            )
        )
