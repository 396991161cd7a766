from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("ohjelma/", views.overview, name="overview"),
]
