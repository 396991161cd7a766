from django.urls import include
from django.urls import path

from . import views

# The names these pages had before they moved here: "home" un-namespaced (it was the
# projects app's), the others in the "objectives" namespace.
_HANKE = [
    path("", views.project_page, name="hanke"),
    path("toimenpiteet/", views.action_list, name="action-list"),
]
_ACTION = [
    path("", views.action_detail, name="action-detail"),
    path("rivi/", views.action_row, name="action-row"),
]
objectives_patterns = [
    path("hankkeet/<int:project_pk>/", include(_HANKE)),
    path("tavoitteet/<int:pk>/", views.goal_detail, name="goal-detail"),
    path("toimenpiteet/<int:pk>/", include(_ACTION)),
    path("oma-tyo/", views.my_work, name="my-work"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((objectives_patterns, "objectives"))),
]
