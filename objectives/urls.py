from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("hankkeet/<int:project_pk>/", views.project_page, name="hanke"),
    path("hankkeet/<int:project_pk>/toimenpiteet/", views.action_list, name="action-list"),
    path("tavoitteet/<int:pk>/", views.goal_detail, name="goal-detail"),
    path("toimenpiteet/<int:pk>/", views.action_detail, name="action-detail"),
    path("toimenpiteet/<int:pk>/rivi/", views.action_row, name="action-row"),
    path("oma-tyo/", views.my_work, name="my-work"),
]
