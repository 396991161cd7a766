from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("ohjelma/", views.overview, name="overview"),
    path("ohjelma/vertailu/", views.compare_regions, name="compare"),
]
