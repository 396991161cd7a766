from django.urls import include
from django.urls import path

from .as_of import views as as_of_views
from .exports import views as export_views
from .imports import views as import_views
from .overview import views
from .plan import views as plan_views
from .rounds import views as round_views

app_name = "reporting"

# Under hankkeet/<project_pk>/raportointi/<period_pk>/: the hanke's self-assessment of a round.
_ASSESSMENT = [
    path("", round_views.assessment, name="assessment"),
    path("paatos/", round_views.assessment_decide, name="assessment-decide"),
    path("raportti/", round_views.frozen_report, name="frozen-report"),
]

# Under hankkeet/<project_pk>/tuonti/<pk>/: one import job.
_IMPORT_JOB = [
    path("", import_views.import_job, name="import-job"),
    path("sarakkeet/", import_views.import_map, name="import-map"),
    path("vahvista/", import_views.import_confirm, name="import-confirm"),
    path("uudelleen/", import_views.import_rerun, name="import-rerun"),
]

# Under hankkeet/<project_pk>/suunnitelma/: the plan in the browser (issue #17), for managers
# and the programme office; an add and an edit page for each kind of row.
_PLAN = [
    path("", plan_views.plan, name="plan"),
    path("versiot/", plan_views.plan_versions, name="plan-versions"),
    path("versiot/<int:pk>/", plan_views.plan_version_diff, name="plan-version-diff"),
]
_PLAN_ROWS = (
    ("paketit", "package", plan_views.package_add, plan_views.package_edit),
    ("tavoitteet", "goal", plan_views.goal_add, plan_views.goal_edit),
    ("toimenpiteet", "action", plan_views.action_add, plan_views.action_edit),
    ("mittarit", "indicator", plan_views.indicator_add, plan_views.indicator_edit),
)
for _segment, _kind, _add, _edit in _PLAN_ROWS:
    _PLAN += [
        path(f"{_segment}/uusi/", _add, name=f"plan-{_kind}-add"),
        path(f"{_segment}/<int:pk>/", _edit, name=f"plan-{_kind}-edit"),
    ]

# Under hankkeet/<project_pk>/: the hanke's report, reporting rounds, imports and plan.
_HANKE = [
    path("raportti.xlsx", export_views.project_report_xlsx, name="project-report-xlsx"),
    path("raportti.pdf", export_views.project_report_pdf, name="project-report-pdf"),
    path("raportti/<slug:table>.csv", export_views.project_report_csv, name="project-report-csv"),
    path("raportointi/", round_views.project_rounds, name="hanke-rounds"),
    path("raportointi/vertailu/", as_of_views.project_round_compare, name="hanke-round-compare"),
    path("raportointi/<int:period_pk>/", include(_ASSESSMENT)),
    path("tuonti/", import_views.import_start, name="import-start"),
    path("tuonti/<int:pk>/", include(_IMPORT_JOB)),
    path("suunnitelma/", include(_PLAN)),
]

# Under ohjelma/: the programme-wide pages.
_PROGRAMME = [
    path("", views.overview, name="overview"),
    path("vertailu/", views.compare_regions, name="compare"),
    path("kierrokset/vertailu/", as_of_views.programme_round_compare, name="round-compare"),
    path("kansallinen-poiminta/", export_views.national_extract, name="national-extract"),
]
_EXPORT_JOB = [  # under viennit/<pk>/: one export job
    path("", export_views.export_job_detail, name="export-job-detail"),
    path("tila/", export_views.export_job_status, name="export-job-status"),
    path("lataa/", export_views.export_job_download, name="export-job-download"),
    path("uudelleen/", export_views.export_job_rerun_view, name="export-job-rerun"),
]
urlpatterns = [
    path("ohjelma/", include(_PROGRAMME)),
    path("hankkeet/<int:project_pk>/", include(_HANKE)),
    path("viennit/", export_views.export_job_list, name="export-job-list"),
    path("viennit/<int:pk>/", include(_EXPORT_JOB)),
    path("raportointi/kierrokset/", round_views.period_list, name="period-list"),
    path("raportointi/kierrokset/<int:pk>/", round_views.period_edit, name="period-edit"),
    path("raportointi/<int:period_pk>/", round_views.round_dashboard, name="round-dashboard"),
]
