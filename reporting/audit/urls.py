from django.urls import path

from . import views

# No app_name: the names were the portal's, un-namespaced, before the pages moved here.
urlpatterns = [
    path(
        "historia/<str:model_key>/<int:pk>/",
        views.object_history_view,
        name="object-history",
    ),
    path("muutosloki/", views.change_log_view, name="change-log"),
]
