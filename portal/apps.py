from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PortalConfig(AppConfig):
    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import page_cache

        # Every database connection reports its writes to the page cache's data version.
        connection_created.connect(page_cache.install, dispatch_uid="page-cache-install")
