from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.jobs import JobKind
from portal.jobs import register


def record_last_login(sender, user, **kwargs) -> None:
    """Django saves the whole user on every login (`update_last_login`), which the account
    history (simple-history, projects.models) records as a change: the change log filled up
    with logins. A login is not an edit (django-axes keeps the login attempts), so the time
    is written with an UPDATE, which history does not see."""
    now = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Regions and hankkeet")

    def ready(self) -> None:
        # Both import models: only once they are loaded.
        from django.contrib.auth.models import update_last_login

        from .finance_import_services import KIND

        # Waits for its owner's confirmation, which runs in the request: no task.
        register(JobKind(name=KIND, label=_("Finance import"), tasks={}))
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="projects_record_last_login")
