from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Regions and hankkeet")

    def ready(self) -> None:
        from portal.jobs import JobKind, register

        from .finance_import_services import KIND

        # Waits for its owner's confirmation, which runs in the request: no task.
        register(JobKind(name=KIND, label=_("Finance import"), tasks={}))
