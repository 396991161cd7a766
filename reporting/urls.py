from django.urls import path

from .as_of import views as as_of_views
from .exports import views as export_views
from .imports import views as import_views
from .overview import views
from .plan import views as plan_views
from .rounds import views as round_views

app_name = "reporting"

urlpatterns = [
    path("ohjelma/", views.overview, name="overview"),
    path("ohjelma/vertailu/", views.compare_regions, name="compare"),
    path(
        "ohjelma/kierrokset/vertailu/",
        as_of_views.programme_round_compare,
        name="round-compare",
    ),
    path(
        "hankkeet/<int:project_pk>/raportointi/vertailu/",
        as_of_views.project_round_compare,
        name="hanke-round-compare",
    ),
    path(
        "hankkeet/<int:project_pk>/raportti.xlsx",
        export_views.project_report_xlsx,
        name="project-report-xlsx",
    ),
    path(
        "hankkeet/<int:project_pk>/raportti.pdf",
        export_views.project_report_pdf,
        name="project-report-pdf",
    ),
    path(
        "hankkeet/<int:project_pk>/raportti/<slug:table>.csv",
        export_views.project_report_csv,
        name="project-report-csv",
    ),
]

urlpatterns += [
    path("ohjelma/kansallinen-poiminta/", export_views.national_extract, name="national-extract"),
    path("viennit/", export_views.export_job_list, name="export-job-list"),
    path("viennit/<int:pk>/", export_views.export_job_detail, name="export-job-detail"),
    path("viennit/<int:pk>/tila/", export_views.export_job_status, name="export-job-status"),
    path("viennit/<int:pk>/lataa/", export_views.export_job_download, name="export-job-download"),
    path(
        "viennit/<int:pk>/uudelleen/", export_views.export_job_rerun_view, name="export-job-rerun"
    ),
]

urlpatterns += [
    path("raportointi/kierrokset/", round_views.period_list, name="period-list"),
    path("raportointi/kierrokset/<int:pk>/", round_views.period_edit, name="period-edit"),
    path("raportointi/<int:period_pk>/", round_views.round_dashboard, name="round-dashboard"),
    path("hankkeet/<int:project_pk>/raportointi/", round_views.project_rounds, name="hanke-rounds"),
    path(
        "hankkeet/<int:project_pk>/raportointi/<int:period_pk>/",
        round_views.assessment,
        name="assessment",
    ),
    path(
        "hankkeet/<int:project_pk>/raportointi/<int:period_pk>/paatos/",
        round_views.assessment_decide,
        name="assessment-decide",
    ),
    path(
        "hankkeet/<int:project_pk>/raportointi/<int:period_pk>/raportti/",
        round_views.frozen_report,
        name="frozen-report",
    ),
]

urlpatterns += [
    path("hankkeet/<int:project_pk>/tuonti/", import_views.import_start, name="import-start"),
    path(
        "hankkeet/<int:project_pk>/tuonti/<int:pk>/sarakkeet/",
        import_views.import_map,
        name="import-map",
    ),
    path("hankkeet/<int:project_pk>/tuonti/<int:pk>/", import_views.import_job, name="import-job"),
    path(
        "hankkeet/<int:project_pk>/tuonti/<int:pk>/vahvista/",
        import_views.import_confirm,
        name="import-confirm",
    ),
    path(
        "hankkeet/<int:project_pk>/tuonti/<int:pk>/uudelleen/",
        import_views.import_rerun,
        name="import-rerun",
    ),
    # The plan in the browser (issue #17): managers and the programme office.
    path("hankkeet/<int:project_pk>/suunnitelma/", plan_views.plan, name="plan"),
]
_PLAN_ROWS = (
    ("paketit", "package", plan_views.package_add, plan_views.package_edit),
    ("tavoitteet", "goal", plan_views.goal_add, plan_views.goal_edit),
    ("toimenpiteet", "action", plan_views.action_add, plan_views.action_edit),
    ("mittarit", "indicator", plan_views.indicator_add, plan_views.indicator_edit),
)
for _segment, _kind, _add, _edit in _PLAN_ROWS:
    urlpatterns += [
        path(
            f"hankkeet/<int:project_pk>/suunnitelma/{_segment}/uusi/",
            _add,
            name=f"plan-{_kind}-add",
        ),
        path(
            f"hankkeet/<int:project_pk>/suunnitelma/{_segment}/<int:pk>/",
            _edit,
            name=f"plan-{_kind}-edit",
        ),
    ]
urlpatterns += [
    path(
        "hankkeet/<int:project_pk>/suunnitelma/versiot/",
        plan_views.plan_versions,
        name="plan-versions",
    ),
    path(
        "hankkeet/<int:project_pk>/suunnitelma/versiot/<int:pk>/",
        plan_views.plan_version_diff,
        name="plan-version-diff",
    ),
]
