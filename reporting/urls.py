from django.urls import path

from . import export_views, views

app_name = "reporting"

urlpatterns = [
    path("ohjelma/", views.overview, name="overview"),
    path("ohjelma/vertailu/", views.compare_regions, name="compare"),
    path(
        "hankkeet/<int:project_pk>/raportti.xlsx",
        export_views.project_report_xlsx,
        name="project-report-xlsx",
    ),
    path(
        "hankkeet/<int:project_pk>/raportti/<slug:table>.csv",
        export_views.project_report_csv,
        name="project-report-csv",
    ),
]
