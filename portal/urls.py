from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include
from django.urls import path

from . import preference_views
from . import views
from .auth import InvitationAwarePasswordResetForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=InvitationAwarePasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # The audit trail (reporting/audit/): one object's history and the change log.
    path("", include("reporting.audit.urls")),
    path("api/", include("reporting.api.urls")),
    path("asetukset/", preference_views.preferences, name="preferences"),
    path(
        "asetukset/kooste-pois/<str:token>/",
        preference_views.digest_unsubscribe,
        name="digest-unsubscribe",
    ),
    path("", include("measures.urls")),
    path("", include("reporting.dashboards.urls")),
    path("", include("reporting.urls")),
    path("", include("projects.urls")),
    path("", include("reporting.meetings.urls")),
]

# Error pages in the portal's layout and the user's language (portal.views.error_page).
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
