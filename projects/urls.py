from django.urls import path

from . import finance_views, meeting_views, member_views, views

# No app_name: "home" is used un-namespaced everywhere, so these names are plain too.
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "hankkeet/<int:project_pk>/jasenet/",
        member_views.project_members,
        name="project-members",
    ),
    path(
        "hankkeet/<int:project_pk>/talous/",
        finance_views.project_budget,
        name="project-budget",
    ),
    path(
        "hankkeet/<int:project_pk>/talous/tuonti/",
        finance_views.budget_import,
        name="project-budget-import",
    ),
    path(
        "hankkeet/<int:project_pk>/talous/tuonti/<int:pk>/",
        finance_views.budget_import_preview,
        name="project-budget-import-preview",
    ),
    path("hankkeet/<int:project_pk>/riskit/", finance_views.project_risks, name="project-risks"),
    path("riskit/<int:pk>/", finance_views.risk_edit, name="risk-edit"),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/",
        meeting_views.project_meetings,
        name="project-meetings",
    ),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/<int:pk>/",
        meeting_views.meeting_detail,
        name="meeting-detail",
    ),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/<int:pk>/kokous.pdf",
        meeting_views.meeting_pdf,
        name="meeting-pdf",
    ),
    path(
        "hankkeet/<int:project_pk>/ohjausryhma/paatokset/<int:pk>/",
        meeting_views.decision_done,
        name="meeting-decision-done",
    ),
    path("jasenyydet/<int:pk>/", member_views.member_edit, name="member-edit"),
    path("kayttajat/", member_views.user_list, name="user-list"),
    path("kayttajat/<int:pk>/", member_views.user_edit, name="user-edit"),
]
