"""Bulk import of actions, indicators and measurements: files, mapping, preview, confirm."""

from __future__ import annotations

import io
import time
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from openpyxl import Workbook

from measures.models import Measurement
from measures.models import Target
from objectives.models import Action
from objectives.models import StatusUpdate
from portal.models import Job
from portal.models import JobStatus
from portal.services import jobs_prune
from portal.services import jobs_resume
from reporting.exports.tables import project_report
from reporting.exports.tables import report_csv
from reporting.exports.tables import report_xlsx
from reporting.imports.reader import spec
from reporting.imports.services import import_job_apply
from reporting.imports.services import import_job_check
from reporting.imports.services import import_job_confirm
from reporting.imports.services import import_job_create
from reporting.imports.services import import_job_map
from reporting.imports.services import import_job_rerun
from reporting.models import ImportMapping
from reporting.tasks import import_job_apply_task

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MembershipFactory
from .factories import OrganisationFactory
from .factories import ProcessGoalFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .helpers import services_package
from .helpers import waiting_times
from .test_celery_worker import celery_worker_process  # noqa: F401 - a fixture, used by name

pytestmark = pytest.mark.django_db

ACTION_HEADER = "Region,Hanke,Work package,Action number,Action,Planned start,Planned end,Status"


@pytest.fixture(autouse=True)
def _english(english):
    # the pages (the test client's cookie) and the messages read here, in English
    with translation.override("en"):
        yield


@pytest.fixture
def hanke(personas):
    project = personas.project
    wp, _goal, _first = services_package(
        project, status="in_progress", planned_end=date(2023, 12, 31), owner=personas.project_worker
    )
    ActionFactory(work_package=wp, number="1.2", title_fi="=Jonojen purku", hts=[3])
    waiting_times(project)
    IndicatorFactory(project=project, code="M2", name_fi="Tyytyväisyys", unit="percent")
    return project


def _region_hanke(project) -> str:
    return f"{project.region.display_name},{project.display_name}"


def _job(project, user, kind, content, name="tuonti.csv", mapping=None) -> Job:
    """Upload, keep the preselected mapping (or the given one) and run the dry run."""
    if isinstance(content, str):
        content = content.encode()
    job = import_job_create(project=project, actor=user, kind=kind, name=name, content=content)
    return import_job_map(job=job, actor=user, mapping=mapping or job.upload.mapping)


def _rows(job, outcome):
    return [r for r in job.upload.preview["rows"] if r["outcome"] == outcome]


def _export(project, user, table, **kwargs) -> bytes:
    return report_csv(project_report(project=project, user=user), table, **kwargs)


def _snapshot(project):
    return sorted(
        (
            a.work_package.code,
            a.number,
            a.title_fi,
            a.schedule_text,
            a.planned_start,
            a.planned_end,
            a.status,
            a.owner_id,
            tuple(sorted(a.benefit_targets.values_list("code", flat=True))),
        )
        for a in Action.objects.filter(project=project).select_related("work_package")
    )


# --- Round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [{}, {"semicolon": True, "bom": True}], ids=["machine-csv", "finnish-excel-csv"]
)
def test_an_exported_actions_csv_reimports_to_the_same_data(hanke, personas, options):
    # given the export of the hanke's actions, then edits and a deleted action
    manager = personas.project_manager
    before = _snapshot(hanke)
    content = _export(hanke, manager, "actions", **options)
    assert _job(hanke, manager, "actions", content).upload.preview["counts"]["unchanged"] == 2
    Action.objects.filter(number="1.1").update(
        title_fi="Muutettu", planned_end=date(2024, 1, 31), version=5
    )
    Action.objects.filter(number="1.2").delete()
    # when the exported file is imported and confirmed
    job = _job(hanke, manager, "actions", content)
    assert job.upload.preview["counts"] == {"new": 1, "changed": 1, "unchanged": 0, "rejected": 0}
    job = import_job_confirm(job=job, actor=manager)
    # then the hanke's actions are as they were when exported
    assert job.status == JobStatus.DONE, job.message
    assert _snapshot(hanke) == before
    # and a second import finds nothing to change
    again = _job(hanke, manager, "actions", content)
    assert again.upload.preview["counts"]["unchanged"] == 2


def test_an_exported_indicator_csv_reimports_measurements_and_indicators(hanke, personas):
    manager = personas.project_manager
    content = _export(hanke, manager, "indicators")
    values = sorted(Measurement.objects.values_list("indicator__code", "period", "value"))
    # the same file is unchanged as measurements and as indicators
    measurements = _job(hanke, manager, "measurements", content)
    assert measurements.upload.preview["counts"]["unchanged"] == 3  # M2 has a row without a value
    assert measurements.upload.preview["counts"]["rejected"] == 0
    indicators = _job(hanke, manager, "indicators", content)
    assert indicators.upload.preview["counts"] == {
        "new": 0,
        "changed": 0,
        "unchanged": 3,  # M1 twice (the second: same as row 2), M2 once
        "rejected": 0,
    }
    # when values are lost and the file is imported again, they come back
    Measurement.objects.filter(period=date(2022, 12, 31)).delete()
    job = _job(hanke, manager, "measurements", content)
    assert job.upload.preview["counts"]["new"] == 1
    import_job_confirm(job=job, actor=manager)
    assert sorted(Measurement.objects.values_list("indicator__code", "period", "value")) == values
    restored = Measurement.objects.get(period=date(2022, 12, 31))
    assert restored.source == "import"
    assert restored.history.first().history_user == manager


def test_exported_generated_values_are_not_imported_back_as_real(hanke, personas):
    # given an export in which one value was generated for the demo (its source column says so)
    manager = personas.project_manager
    Measurement.objects.filter(period=date(2022, 12, 31)).update(source="demo")
    content = _export(hanke, manager, "indicators")
    assert b"Demo value (generated, not real)" in content
    # when the generated values are removed and the old export is imported again
    Measurement.objects.filter(source="demo").delete()
    job = _job(hanke, manager, "measurements", content)
    # then that row is noted and skipped, not imported as a real value
    assert job.upload.mapping["Source of the value"] == "source"
    assert job.upload.preview["counts"]["new"] == 0
    notes = [r["note"] for r in job.upload.preview["rows"] if r["note"]]
    assert "A value generated for the demo: not imported." in notes
    import_job_confirm(job=job, actor=manager)
    assert not Measurement.objects.filter(period=date(2022, 12, 31)).exists()


def test_the_report_workbook_imports_from_its_actions_sheet(hanke, personas):
    # given the XLSX report (summary first, then one sheet per table)
    manager = personas.project_manager
    content = report_xlsx(project_report(project=hanke, user=manager))
    # when it is uploaded as actions
    job = _job(hanke, manager, "actions", content, name="raportti.xlsx")
    # then the "Actions" sheet is read (and the user is told), every row unchanged
    assert job.upload.preview["counts"]["unchanged"] == 2, job.upload.preview
    assert any("“Actions”" in note for note in job.upload.notes)


# --- Preview and confirmation ----------------------------------------------------------------


def test_the_preview_sorts_rows_and_saves_nothing_until_confirmed(hanke, personas):
    manager = personas.project_manager
    content = "\n".join(
        [
            ACTION_HEADER,
            f"{_region_hanke(hanke)},TP1,1.1,Digitaalinen ajanvaraus,1.5.2022,31.12.2023,Done",
            f"{_region_hanke(hanke)},TP1,1.2,=Jonojen purku,,,Not started",
            f"{_region_hanke(hanke)},TP1,1.3,Uusi toimenpide,2023-01-01,2023-06-30,",
            f"{_region_hanke(hanke)},TP9,1.4,Väärä paketti,,,",
        ]
    )
    job = _job(hanke, manager, "actions", content)
    assert job.upload.preview["counts"] == {"new": 1, "changed": 1, "unchanged": 1, "rejected": 1}
    assert _rows(job, "changed")[0]["changes"] == [["Status", "In progress", "Done"]]
    assert _rows(job, "rejected")[0]["errors"] == [
        ["Work package", "No work package “TP9” in this hanke."]
    ]
    assert _rows(job, "rejected")[0]["number"] == 5
    assert Action.objects.count() == 2
    with pytest.raises(ValidationError):  # rejected rows: nothing can be confirmed
        import_job_confirm(job=job, actor=manager)
    assert Action.objects.count() == 2


def test_confirming_writes_through_the_services_with_history_and_status_log(hanke, personas):
    manager = personas.project_manager
    content = "\n".join(
        [
            "Work package,Action number,Action,Status,Benefit targets (HT),Owner",
            "TP1,1.1,Digitaalinen ajanvaraus,Done,HT1,",
            "TP1,1.3,Uusi,In progress,HT2 HT4,manager",
        ]
    )
    job = import_job_confirm(job=_job(hanke, manager, "actions", content), actor=manager)
    assert job.status == JobStatus.DONE, job.message
    changed = Action.objects.get(number="1.1")
    assert changed.status == "done" and changed.owner is None and changed.version == 2
    record = changed.history.first()  # the history row holds the new values
    assert (record.history_user, record.history_type) == (manager, "~")
    assert (record.status, record.owner_id, record.version) == ("done", None, 2)
    assert "tuonti.csv" in record.history_change_reason
    assert changed.history.count() == 2  # the factory's row and the import's
    new = Action.objects.get(number="1.3")
    assert set(new.benefit_targets.values_list("code", flat=True)) == {"HT2", "HT4"}
    assert new.owner == manager and new.history.get().history_type == "+"
    assert new.history.get().title_fi == "Uusi"
    logged = StatusUpdate.objects.filter(author=manager).order_by("action__number")
    assert [(s.action.number, s.previous_status, s.status) for s in logged] == [
        ("1.1", "in_progress", "done"),
        ("1.3", "", "in_progress"),
    ]


def test_an_edit_after_the_preview_is_detected_and_nothing_is_overwritten(hanke, personas):
    # given a previewed import that changes two actions
    manager = personas.project_manager
    content = "\n".join(
        ["Work package,Action number,Action", "TP1,1.1,Uusi nimi", "TP1,1.2,Toinen uusi"]
    )
    job = _job(hanke, manager, "actions", content)
    # when someone edits one of them before the confirmation
    Action.objects.filter(number="1.2").update(title_fi="Joku muu", version=7)
    job = import_job_confirm(job=job, actor=manager)
    # then nothing is imported, the user is told, and the preview is the new one
    assert job.status == JobStatus.PREVIEWED
    assert "changed after the preview" in job.message
    assert set(Action.objects.values_list("title_fi", flat=True)) == {
        "Digitaalinen ajanvaraus",
        "Joku muu",
    }


def test_a_crashed_import_job_reruns_safely_and_imports_once(hanke, personas):
    manager = personas.project_manager
    job = _job(hanke, manager, "actions", "Work package,Action number,Action\nTP1,2.1,Uusi")
    # a worker claimed the job and died before committing (the status says "importing")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING)
    # when the task runs again, twice (a redelivery)
    import_job_apply_task(job.pk)
    import_job_apply_task(job.pk)
    # then the action is there once
    assert Action.objects.filter(number="2.1").count() == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
    assert import_job_apply(job_id=job.pk).status == JobStatus.DONE


def test_an_unconfirmed_job_cannot_be_confirmed_twice(hanke, personas):
    manager = personas.project_manager
    job = _job(hanke, manager, "actions", "Work package,Action number,Action\nTP1,2.1,Uusi")
    import_job_confirm(job=job, actor=manager)
    with pytest.raises(ValidationError):
        import_job_confirm(job=job, actor=manager)
    assert Action.objects.filter(number="2.1").count() == 1


# --- Column mapping --------------------------------------------------------------------------


def test_a_managers_own_layout_is_mapped_and_remembered(hanke, personas):
    manager = personas.project_manager
    content = "Nro;Paketti;Otsikko;Muistiinpanot\n3.1;TP1;Oma toimenpide;ei tuoda"
    job = import_job_create(
        project=hanke, actor=manager, kind="actions", name="oma.csv", content=content.encode()
    )
    assert job.upload.mapping == {"Nro": "", "Paketti": "", "Otsikko": "", "Muistiinpanot": ""}
    with pytest.raises(ValidationError) as missing:
        import_job_map(job=job, actor=manager, mapping=job.upload.mapping)
    assert "The file has no column for “Work package”: choose one." in missing.value.messages
    mapping = {"Nro": "number", "Paketti": "work_package", "Otsikko": "title"}
    job = import_job_map(job=job, actor=manager, mapping=mapping)
    assert job.upload.preview["counts"]["new"] == 1
    # the next upload of the same layout has the columns preselected
    again = import_job_create(
        project=hanke, actor=manager, kind="actions", name="oma.csv", content=content.encode()
    )
    assert again.upload.mapping == {**mapping, "Muistiinpanot": ""}
    assert ImportMapping.objects.get(project=hanke, kind="actions").updated_by == manager


def test_finnish_and_swedish_headers_are_recognised(hanke, personas):
    # our column labels in every language (as the export writes them), in any case
    headers = ["Työpaketti", "ÅTGÄRDSNUMMER", "Toimenpide", "Planerat slut", "Muu sarake"]
    assert spec("actions").suggest(headers) == {
        "Työpaketti": "work_package",
        "ÅTGÄRDSNUMMER": "number",
        "Toimenpide": "title",
        "Planerat slut": "planned_end",
        "Muu sarake": "",
    }


def test_missing_required_columns_are_refused(hanke, personas):
    manager = personas.project_manager
    job = import_job_create(
        project=hanke,
        actor=manager,
        kind="measurements",
        name="arvot.csv",
        content=b"Indicator code,Value\nM1,5",
    )
    with pytest.raises(ValidationError) as refused:
        import_job_map(job=job, actor=manager, mapping=job.upload.mapping)
    assert refused.value.messages == ["The file has no column for “Period end”: choose one."]
    assert Measurement.objects.count() == 2


# --- Bad files: a clear answer and nothing saved ---------------------------------------------


def _refused(project, user, content, name="tuonti.csv", kind="actions") -> str:
    with pytest.raises(ValidationError) as refused:
        import_job_create(project=project, actor=user, kind=kind, name=name, content=content)
    assert not Job.objects.exists()
    return refused.value.messages[0]


def _rejections(job) -> list[list]:
    return [[row["number"], *error] for row in _rows(job, "rejected") for error in row["errors"]]


def test_an_impossible_date_is_rejected_with_row_and_column(hanke, personas):
    content = "Work package,Action number,Action,Planned end\nTP1,1.1,X,31.2.2022"
    job = _job(hanke, personas.project_manager, "actions", content)
    assert _rejections(job) == [[2, "Planned end", "“31.2.2022” is not a valid date."]]


def test_text_in_a_number_column_is_rejected(hanke, personas):
    manager = personas.project_manager
    job = _job(hanke, manager, "indicators", "Indicator code,Baseline\nM1,paljon")
    assert _rejections(job) == [[2, "Baseline", "“paljon” is not a number."]]
    job = _job(hanke, manager, "measurements", "Indicator code,Period end,Value\nM1,2022-12-31,x")
    assert _rejections(job) == [[2, "Value", "Enter a number, e.g. 42, 84,6 or 698/788."]]


def test_duplicate_keys_in_the_file_are_rejected(hanke, personas):
    manager = personas.project_manager
    content = "Work package,Action number,Action\nTP1,5.1,A\nTP1,5.1,B"
    job = _job(hanke, manager, "actions", content)
    assert _rejections(job) == [
        [3, "Action number", "Row 2 has the same work package and action number."]
    ]
    content = "Indicator code,Period end,Value\nM1,2022-06-30,5\nM1,31.12.2022,6"
    job = _job(hanke, manager, "measurements", content)  # yearly: both are the year 2022
    assert _rejections(job) == [
        [3, "Period end", "Row 2 has a value for the same indicator and period."]
    ]
    assert not Action.objects.filter(number="5.1").exists()


def test_an_unknown_region_or_hanke_is_rejected(hanke, personas):
    manager = personas.project_manager
    content = "\n".join(
        [
            "Region,Hanke,Work package,Action number,Action",
            f"Lappi,{hanke.display_name},TP1,1.1,X",
            f"{hanke.region.display_name},Toinen hanke,TP1,1.2,X",
        ]
    )
    job = _job(hanke, manager, "actions", content)
    assert _rejections(job) == [
        [2, "Region", f"Unknown region “Lappi”: this hanke is in {hanke.region.display_name}."],
        [3, "Hanke", f"Unknown hanke “Toinen hanke”: this import is for {hanke.display_name}."],
    ]


def test_a_windows_1252_file_is_decoded_and_the_user_told(hanke, personas):
    manager = personas.project_manager
    content = "Work package;Action number;Action\nTP1;7.1;Päivystyksen yhtenäistäminen"
    job = _job(hanke, manager, "actions", content.encode("cp1252"))
    assert job.upload.notes == ["The file was read as Windows-1252 text (not UTF-8)."]
    import_job_confirm(job=job, actor=manager)
    assert Action.objects.get(number="7.1").title_fi == "Päivystyksen yhtenäistäminen"


def test_an_empty_file_is_refused(hanke, personas):
    assert _refused(hanke, personas.project_manager, b"") == "The file is empty."
    assert _refused(hanke, personas.project_manager, b"\xef\xbb\xbf\r\n") == "The file is empty."
    header_only = _refused(hanke, personas.project_manager, b"Work package,Action number\n")
    assert header_only == "The file has no rows under the header row."


def test_a_file_over_the_size_limit_is_refused(hanke, personas, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1_000_000
    content = b"Work package,Action number,Action\n" + b"TP1,1,x\n" * 200_000
    assert _refused(hanke, personas.project_manager, content) == "The file is larger than 1 MB."


def test_a_spacer_column_is_dropped_but_values_without_a_header_are_refused(hanke, personas):
    manager = personas.project_manager
    job = _job(hanke, manager, "actions", "Work package,,Action number\nTP1,,1.1")
    assert job.upload.headers == ["Work package", "Action number"]
    job.delete()
    message = _refused(hanke, manager, b"Work package,,Action number\nTP1,x,1.1")
    assert message == "A column has values but no header in the first row."


def _xlsx(*sheets) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_with_formulas_is_refused(hanke, personas):
    content = _xlsx(
        ("Toimenpiteet", [["Work package", "Action number", "Action"], ["TP1", "=1+1", "x"]])
    )
    message = _refused(hanke, personas.project_manager, content, name="t.xlsx")
    assert message.startswith("The sheet contains formulas (cells B2).")


def test_an_xlsx_with_several_sheets_reads_the_matching_one(hanke, personas):
    content = _xlsx(
        ("Ohje", [["Täytä toinen välilehti"]]),
        ("Data", [["Work package", "Action number", "Action"], ["TP1", "8.1", "Uusi"]]),
        ("Muistiinpanot", [["Work package"], ["ei tämä"]]),
    )
    job = _job(hanke, personas.project_manager, "actions", content, name="t.xlsx")
    assert job.upload.notes == ["The workbook has 3 sheets; the sheet “Data” was read."]
    assert job.upload.preview["counts"]["new"] == 1
    dates = _xlsx(
        ("Arvot", [["Indicator code", "Period end", "Value"], ["M1", date(2023, 12, 31), 12.5]])
    )
    job = _job(hanke, personas.project_manager, "measurements", dates, name="a.xlsx")
    assert _rows(job, "new")[0]["changes"] == [["Value", "", "12.5"]]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("raportti.pdf", b"%PDF-1.7 ..."),
        ("kuva.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("vaara.xlsx", b"Work package,Action number\nTP1,1"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused(hanke, personas, name, content):
    message = _refused(hanke, personas.project_manager, content, name=name)
    assert message in (
        "Choose a CSV or XLSX file (.csv or .xlsx).",
        "The file is not a CSV text file.",
        "The file is not an Excel workbook (XLSX).",
    )


# --- Permissions -----------------------------------------------------------------------------


def test_a_worker_imports_values_but_not_the_plan(hanke, personas):
    worker = personas.project_worker
    with pytest.raises(PermissionDenied):
        import_job_create(
            project=hanke, actor=worker, kind="actions", name="a.csv", content=b"a\n1"
        )
    job = _job(hanke, worker, "measurements", "Indicator code,Period end,Value\nM2,2022-12-31,50")
    import_job_confirm(job=job, actor=worker)
    assert Measurement.objects.get(indicator__code="M2").entered_by == worker


def test_someone_elses_job_is_not_found(client, hanke, personas):
    job = _job(hanke, personas.project_manager, "actions", "Work package,Action number\nTP1,1.1")
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("reporting:import-job", args=[hanke.pk, job.pk]))
    assert response.status_code == 404


# --- Large files: a Celery job with progress -------------------------------------------------


def test_a_large_file_is_checked_and_imported_by_a_celery_job(
    client, hanke, personas, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_ROWS = 2
    manager = personas.project_manager
    client.force_login(manager)
    content = "Work package,Action number,Action\n" + "".join(
        f"TP1,9.{n},Toimenpide {n}\n" for n in range(1, 6)
    )
    job = import_job_create(
        project=hanke, actor=manager, kind="actions", name="iso.csv", content=content.encode()
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_job_map(job=job, actor=manager, mapping=job.upload.mapping)
    # while the job waits, the page shows a progress bar that htmx polls every second
    assert job.status == JobStatus.CHECKING and len(queued) == 1
    url = reverse("reporting:import-job", args=[hanke.pk, job.pk])
    page = client.get(url).content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="0"' in page
    assert 'hx-trigger="every 1s"' in page
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b'role="progressbar"' in partial.content and b"<html" not in partial.content
    # when the worker (eager here) runs it, the preview follows
    queued[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED and job.upload.preview["counts"]["new"] == 5
    refresh = client.get(url, headers={"HX-Request": "true"})
    assert refresh.get("HX-Refresh") == "true", (refresh.status_code, refresh.content[:300])
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(job=job, actor=manager)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Action.objects.filter(number__startswith="9.").count() == 5


def test_the_progress_poll_never_reads_the_uploaded_rows(
    client, hanke, personas, settings, django_assert_num_queries
):
    # given a large upload being checked by a worker
    settings.IMPORT_SYNC_ROWS = 2
    manager = personas.project_manager
    content = "Work package,Action number,Action\n" + "".join(
        f"TP1,9.{n},Toimenpide {n}\n" for n in range(1, 6)
    )
    job = import_job_create(
        project=hanke, actor=manager, kind="actions", name="iso.csv", content=content.encode()
    )
    job = import_job_map(job=job, actor=manager, mapping=job.upload.mapping)
    assert job.status == JobStatus.CHECKING
    client.force_login(manager)
    url = reverse("reporting:import-job", args=[hanke.pk, job.pk])
    # when the page polls (htmx): session, user, the hanke and the user's roles, the job's
    # progress fields
    with django_assert_num_queries(6) as captured:
        partial = client.get(url, headers={"HX-Request": "true"})
    # then it shows the progress from the job row alone: the upload's table is never read
    assert b'role="progressbar"' in partial.content
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "portal_jobupload" not in sql and '"rows"' not in sql and '"preview"' not in sql


def test_the_dry_run_is_idempotent(hanke, personas):
    job = _job(hanke, personas.project_manager, "actions", "Work package,Action number\nTP1,1.1")
    preview = job.upload.preview
    Job.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    assert import_job_check(job_id=job.pk).upload.preview == preview


# --- The pages -------------------------------------------------------------------------------


def test_upload_map_preview_confirm_in_the_pages(client, hanke, personas):
    client.force_login(personas.project_manager)
    hanke_page = client.get(reverse("objectives:hanke", args=[hanke.pk])).content.decode()
    start = reverse("reporting:import-start", args=[hanke.pk])
    assert start in hanke_page
    upload = io.BytesIO(b"Paketti,Nro,Nimi\nTP1,4.1,Sivuilta tuotu")
    upload.name = "oma.csv"
    response = client.post(start, {"kind": "actions", "file": upload})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:import-map", args=[hanke.pk, job.pk])
    mapping_page = client.get(response["Location"]).content.decode()
    assert "Sivuilta tuotu" in mapping_page  # the first values of each column
    response = client.post(
        response["Location"],
        {"col_work_package": "Paketti", "col_number": "Nro", "col_title": "Nimi"},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert 'id="count-new">1<' in preview and "Confirm the import" in preview
    response = client.post(reverse("reporting:import-confirm", args=[hanke.pk, job.pk]))
    assert client.get(response["Location"]).status_code == 200
    assert Action.objects.get(number="4.1").title_fi == "Sivuilta tuotu"


def test_a_bad_upload_shows_the_reason_on_the_form(client, hanke, personas):
    client.force_login(personas.project_manager)
    upload = io.BytesIO(b"")
    upload.name = "tyhja.csv"
    start = reverse("reporting:import-start", args=[hanke.pk])
    response = client.post(start, {"kind": "actions", "file": upload})
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    upload = io.BytesIO(b"x")
    upload.name = "kuva.png"
    response = client.post(start, {"kind": "actions", "file": upload})
    assert "Choose a CSV or XLSX file (.csv or .xlsx)." in response.content.decode()
    assert not Job.objects.exists()


def test_a_viewer_is_not_offered_the_import(client, hanke, personas):
    client.force_login(personas.steering_member)
    page = client.get(reverse("objectives:hanke", args=[hanke.pk])).content.decode()
    assert reverse("reporting:import-start", args=[hanke.pk]) not in page
    assert client.get(reverse("reporting:import-start", args=[hanke.pk])).status_code == 403


def test_a_stalled_job_is_queued_again_and_runs_once(
    hanke, personas, django_capture_on_commit_callbacks
):
    # given a confirmed job whose task was never published (a broker outage)
    manager = personas.project_manager
    job = _job(hanke, manager, "actions", "Work package,Action number,Action\nTP1,2.1,Uusi")
    long_ago = timezone.now() - timedelta(minutes=11)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING, heartbeat_at=long_ago)
    # when the hourly catch-up runs (twice: the second finds nothing stalled)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_resume() == 1
    assert jobs_resume() == 0
    # then the job is imported, once
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
    assert Action.objects.filter(number="2.1").count() == 1


def test_its_owner_runs_a_stalled_job_again_from_its_page(
    client, hanke, personas, django_capture_on_commit_callbacks
):
    # given a confirmed job that no worker started
    manager = personas.project_manager
    job = _job(hanke, manager, "actions", "Work package,Action number,Action\nTP1,2.7,Uusi")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING)
    page_url = reverse("reporting:import-job", args=[hanke.pk, job.pk])
    rerun_url = reverse("reporting:import-rerun", args=[hanke.pk, job.pk])
    client.force_login(manager)
    # while it is young, no button, and a rerun is refused
    assert rerun_url not in client.get(page_url).text
    response = client.post(rerun_url, follow=True)
    assert "no progress for ten minutes" in response.text
    assert Job.objects.get(pk=job.pk).status == JobStatus.IMPORTING
    # when it has made no progress for eleven minutes, the page offers "Run again"
    long_ago = timezone.now() - timedelta(minutes=11)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    page = client.get(page_url).text
    assert rerun_url in page and "no worker seems to be running it" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rerun_url, follow=True)
    # then it is imported once, and a second click finds nothing to run
    assert "The import was queued again." in response.text
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
    assert Action.objects.filter(number="2.7").count() == 1
    assert "no progress for ten minutes" in client.post(rerun_url, follow=True).text


def test_only_the_owner_may_run_a_stalled_job_again(hanke, personas):
    job = _job(hanke, personas.project_manager, "actions", "Work package,Action number\nTP1,2.8")
    long_ago = timezone.now() - timedelta(minutes=11)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING, heartbeat_at=long_ago)
    job.refresh_from_db()
    with pytest.raises(PermissionDenied):
        import_job_rerun(job=job, actor=personas.programme_admin)
    assert Job.objects.get(pk=job.pk).heartbeat_at == long_ago  # untouched


@pytest.mark.parametrize("rows", [3, 400])
def test_the_preview_page_costs_the_same_queries_for_any_size(
    client, hanke, personas, settings, rows, django_assert_max_num_queries
):
    settings.IMPORT_SYNC_ROWS = 1000
    content = "Work package,Action number,Action\n" + "".join(
        f"TP1,6.{n},Toimenpide {n}\n" for n in range(rows)
    )
    job = _job(hanke, personas.project_manager, "actions", content)
    client.force_login(personas.project_manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reporting:import-job", args=[hanke.pk, job.pk]))
    assert f'id="count-new">{rows}<' in page.content.decode()
    with django_assert_max_num_queries(12):
        client.get(reverse("reporting:import-map", args=[hanke.pk, job.pk]))


def test_expired_uploads_are_deleted_and_their_pages_gone(client, hanke, personas):
    job = _job(hanke, personas.project_manager, "actions", "Work package,Action number\nTP1,1.1")
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(personas.project_manager)
    assert client.get(reverse("reporting:import-job", args=[hanke.pk, job.pk])).status_code == 404
    with pytest.raises(ValidationError):
        import_job_confirm(job=Job.objects.get(pk=job.pk), actor=personas.project_manager)
    assert jobs_prune() == 1
    assert not Job.objects.exists()


@pytest.mark.worker
def test_a_large_import_runs_in_a_real_worker(celery_worker_process, settings):  # noqa: F811
    # given a manager and a file over the inline limit (the worker has the default limit,
    # so the file is larger than that: IMPORT_SYNC_ROWS + 1 rows)
    project = ProjectFactory()
    WorkPackageFactory(project=project, code="TP1")
    manager = MembershipFactory(
        user=UserFactory(username="worker-manager"), project=project, role="manager"
    ).user
    rows = settings.IMPORT_SYNC_ROWS + 1
    content = "Work package,Action number,Action\n" + "".join(
        f"TP1,1.{n},Toimenpide {n}\n" for n in range(rows)
    )
    job = import_job_create(
        project=project, actor=manager, kind="actions", name="iso.csv", content=content.encode()
    )

    def wait_for(status: str) -> Job:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            current = Job.objects.get(pk=job.pk)
            if current.status == status:
                return current
            time.sleep(0.3)
        celery_worker_process.terminate()
        pytest.fail(f"no {status} in 60 s:\n" + celery_worker_process.communicate(timeout=20)[0])

    # when the mapping is saved, the worker checks the rows
    assert import_job_map(job=job, actor=manager, mapping=job.upload.mapping).status == "checking"
    checked = wait_for(JobStatus.PREVIEWED)
    assert checked.upload.preview["counts"]["new"] == rows
    # and after the confirmation it imports them, once
    import_job_confirm(job=checked, actor=manager)
    wait_for(JobStatus.DONE)
    assert Action.objects.filter(project=project).count() == rows


# --- "Not reported" ----------------------------------------------------------------------------


def test_a_new_action_without_a_status_is_not_reported_and_may_then_get_any(hanke, personas):
    manager = personas.project_manager
    content = "\n".join(["Work package,Action number,Action,Status", "TP1,1.3,Uusi toimenpide,"])
    job = import_job_confirm(job=_job(hanke, manager, "actions", content), actor=manager)
    assert job.status == JobStatus.DONE, job.message
    new = Action.objects.get(number="1.3")
    assert new.status == "not_reported"
    assert not StatusUpdate.objects.filter(action=new).exists()  # nothing was reported
    content = "\n".join(["Work package,Action number,Action,Status", "TP1,1.3,,Starting"])
    job = import_job_confirm(job=_job(hanke, manager, "actions", content), actor=manager)
    assert job.status == JobStatus.DONE, job.message
    assert Action.objects.get(number="1.3").status == "starting"


def test_an_import_cannot_turn_a_reported_status_back_to_not_reported(hanke, personas):
    content = "\n".join(["Work package,Action number,Action,Status", "TP1,1.1,,Not reported"])
    job = _job(hanke, personas.project_manager, "actions", content)
    assert job.upload.preview["counts"]["rejected"] == 1
    assert _rows(job, "rejected")[0]["errors"] == [
        [
            "Status",
            "A status has been recorded for this action: it cannot go back to “not reported”.",
        ]
    ]
    assert Action.objects.get(number="1.1").status == "in_progress"


# --- Plan columns: goals, responsible organisation, targets by year (issue #17) -------------


def test_actions_import_links_goals_and_a_responsible_organisation(hanke, personas):
    manager = personas.project_manager
    wp2 = WorkPackageFactory(project=hanke, code="TP2")
    ProcessGoalFactory(work_package=wp2, number="P2", title_fi="Hoitoketjut toimivat")
    org = OrganisationFactory(name_fi="Soite", region=hanke.region)
    content = (
        "Work package,Action number,Action,Process goals,Responsible organisation\n"
        "TP1,1.2,=Jonojen purku,P1; Hoitoketjut toimivat,soite\n"
        "TP1,1.9,Uusi toimenpide,P2,\n"
    )
    # when the manager imports goals and organisations by number, title and name
    job = _job(hanke, manager, "actions", content)
    assert job.upload.preview["counts"] == {"new": 1, "changed": 1, "unchanged": 0, "rejected": 0}
    changed = _rows(job, "changed")[0]
    assert ["Process goals", "", "P1, P2"] in changed["changes"]
    assert ["Responsible organisation", "", "Soite"] in changed["changes"]
    job = import_job_confirm(job=job, actor=manager)
    # then the actions serve those goals and name the organisation
    assert job.status == JobStatus.DONE, job.message
    second = Action.objects.get(number="1.2")
    assert sorted(second.goals.values_list("number", flat=True)) == ["P1", "P2"]
    assert second.responsible_organisation == org
    assert list(Action.objects.get(number="1.9").goals.values_list("number", flat=True)) == ["P2"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("P9", "No process goal “P9” in this hanke."),
        ("P1", "More than one process goal matches “P1”"),
    ],
)
def test_an_unknown_or_ambiguous_goal_is_rejected_with_the_reason(hanke, personas, cell, message):
    # a second "P1" in another work package: from TP3's row, "P1" names neither for sure
    wp3 = WorkPackageFactory(project=hanke, code="TP3")
    ProcessGoalFactory(work_package=WorkPackageFactory(project=hanke, code="TP2"), number="P1")
    content = f"Work package,Action number,Action,Process goals\n{wp3.code},3.1,Uusi,{cell}\n"
    job = _job(hanke, personas.project_manager, "actions", content)
    rejected = _rows(job, "rejected")
    assert len(rejected) == 1 and message in rejected[0]["errors"][0][1]


def test_an_unknown_organisation_is_rejected(hanke, personas):
    content = "Work package,Action number,Responsible organisation\nTP1,1.1,Ei ole oy\n"
    job = _job(hanke, personas.project_manager, "actions", content)
    rejected = _rows(job, "rejected")
    assert "No organisation “Ei ole oy”" in rejected[0]["errors"][0][1]


def test_indicators_import_sets_targets_by_year(hanke, personas):
    manager = personas.project_manager
    content = 'Indicator code,Targets by year\nM1,"2022: 20; 2023: 14,5"\nM2,2023: 80\n'
    job = _job(hanke, manager, "indicators", content)
    # the unchanged 2023 target of M1 is not a change; its new 2022 target is
    assert job.upload.preview["counts"] == {"new": 0, "changed": 2, "unchanged": 0, "rejected": 0}
    job = import_job_confirm(job=job, actor=manager)
    assert job.status == JobStatus.DONE, job.message

    assert sorted(Target.objects.values_list("indicator__code", "target_date", "value")) == [
        ("M1", date(2022, 12, 31), Decimal(20)),
        ("M1", date(2023, 12, 31), Decimal("14.5")),
        ("M2", date(2023, 12, 31), Decimal(80)),
    ]


def test_targets_written_otherwise_are_rejected(hanke, personas):
    content = "Indicator code,Targets by year\nM1,vuonna 2023 noin 60\n"
    job = _job(hanke, personas.project_manager, "indicators", content)
    assert "year: value" in _rows(job, "rejected")[0]["errors"][0][1]
