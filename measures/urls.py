from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("hankkeet/<int:project_pk>/mittarit/", views.indicator_list, name="indicator-list"),
    path("mittarit/<int:pk>/", views.indicator_detail, name="indicator-detail"),
]
