from django.urls import include
from django.urls import path

from . import views

# The names these pages had before they moved here: "home" un-namespaced (it was the
# projects app's), the others in the "objectives" namespace.
objectives_patterns = [
    path("hankkeet/<int:project_pk>/", views.project_page, name="hanke"),
    path("hankkeet/<int:project_pk>/toimenpiteet/", views.action_list, name="action-list"),
    path("tavoitteet/<int:pk>/", views.goal_detail, name="goal-detail"),
    path("toimenpiteet/<int:pk>/", views.action_detail, name="action-detail"),
    path("toimenpiteet/<int:pk>/rivi/", views.action_row, name="action-row"),
    path("oma-tyo/", views.my_work, name="my-work"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((objectives_patterns, "objectives"))),
]
