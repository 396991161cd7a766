from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("hankkeet/<int:project_pk>/", views.hanke, name="hanke"),
    path("hankkeet/<int:project_pk>/toimenpiteet/", views.action_list, name="action-list"),
    path("toimenpiteet/<int:pk>/", views.action_detail, name="action-detail"),
]
