from django.urls import path

from . import finance_views
from . import member_views

# No app_name: these names are used un-namespaced everywhere (like "home", now
# reporting/dashboards/urls.py).
urlpatterns = [
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
    path("jasenyydet/<int:pk>/", member_views.member_edit, name="member-edit"),
    path("kayttajat/", member_views.user_list, name="user-list"),
    path("kayttajat/<int:pk>/", member_views.user_edit, name="user-edit"),
]
