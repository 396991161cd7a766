from django.urls import path

from . import member_views, views

# No app_name: "home" is used un-namespaced everywhere, so these names are plain too.
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "hankkeet/<int:project_pk>/jasenet/",
        member_views.project_members,
        name="project-members",
    ),
    path("jasenyydet/<int:pk>/", member_views.member_edit, name="member-edit"),
    path("kayttajat/", member_views.user_list, name="user-list"),
    path("kayttajat/<int:pk>/", member_views.user_edit, name="user-edit"),
]
