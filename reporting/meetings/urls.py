from django.urls import path

from . import views

# No app_name: the names were the hanke pages' (projects/urls.py), un-namespaced.
urlpatterns = [
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/",
        views.project_meetings,
        name="project-meetings",
    ),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/<int:pk>/",
        views.meeting_detail,
        name="meeting-detail",
    ),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/<int:pk>/kokous.pdf",
        views.meeting_pdf,
        name="meeting-pdf",
    ),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/paatokset/<int:pk>/",
        views.decision_done,
        name="meeting-decision-done",
    ),
]
