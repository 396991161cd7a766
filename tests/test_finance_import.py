"""The finance system's CSV of periodic totals per budget line: reading, preview, atomic
confirmation, idempotent re-import, and the totals counting as spending."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from portal.models import Job
from portal.models import JobStatus
from projects.choices import BudgetCategory
from projects.finance_import import FileRejected
from projects.finance_import import LineRef
from projects.finance_import import preview
from projects.finance_import import read_file
from projects.finance_import_services import finance_import_confirm
from projects.finance_import_services import finance_import_preview
from projects.finance_import_services import finance_import_start
from projects.models import Expenditure
from projects.models import Project
from projects.selectors import budget_summary

from .helpers import budget_2022
from .helpers import refused_in_english

CATEGORIES = list(BudgetCategory.choices)
LINES = [
    LineRef(1, 2022, "personnel", "Henkilöstö 2022", False),
    LineRef(2, 2022, "personnel", "Omarahoitus henkilöstö", True),
    LineRef(3, 2022, "purchased_services", "Ostopalvelut", False),
    LineRef(4, None, "other", "Muut kulut", False),
    LineRef(5, 2022, "total", "Yhteensä", False),
]

# --- Pure reading and checking (no database) ------------------------------------------------


def test_finnish_excel_file_with_semicolons_comma_decimals_and_windows_1252_is_read():
    raw = "Kausi;Budjettirivi;Summa\r\n3/2022;Henkilöstö 2022;1 234,50\r\n".encode("cp1252")
    rows = read_file(raw)
    assert rows == [
        {
            "number": 2,
            "cells": {"period": "3/2022", "line": "Henkilöstö 2022", "amount": "1 234,50"},
        }
    ]


def test_utf8_file_with_bom_and_commas_is_read():
    raw = "\ufeffperiod,line_key,amount\n2022-03,1,1234.50\n".encode()
    assert read_file(raw)[0]["cells"] == {"period": "2022-03", "line_key": "1", "amount": "1234.50"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b";;;\r\n;;\r\n", "The file is empty."),
        (b"period;line_key;amount\n3/2022;1;" + b"9" * 200_000 + b"\n", "This is not a CSV file"),
        (b"period;line_key;amount\n", "The file has a header but no rows."),
        (b"period;colour;amount\n3/2022;red;1\n", "Unknown columns: \u201ccolour\u201d."),
        (b"period;line\n3/2022;x\n", "The file needs the columns period and amount"),
        (b"PK\x03\x04\x00\x00binary", "This is not a CSV file"),
        (b"period;amount;amount\n3/2022;1;2\n", "A column appears twice"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(raw, message):
    with refused_in_english(FileRejected, message):
        read_file(raw)


def test_a_file_over_the_size_limit_is_refused():
    raw = b"period;line_key;amount\n" + b"3/2022;1;1\n" * 300_000
    with refused_in_english(FileRejected, "larger than 2 MB"):
        read_file(raw)


def _rows(*cells: dict) -> list[dict]:
    return [{"number": n, "cells": c} for n, c in enumerate(cells, start=2)]


def test_preview_sorts_rows_into_new_changed_unchanged_and_rejected():
    # given totals imported before for line 1 (March) and line 3 (March)
    existing = {(1, date(2022, 3, 31)): Decimal("100.00"), (3, date(2022, 3, 31)): Decimal("5.00")}
    rows = _rows(
        {"period": "3/2022", "line_key": "1", "amount": "100,00"},  # unchanged
        {"period": "3/2022", "line": "ostopalvelut", "amount": "7,50"},  # changed 5 → 7.50
        {"period": "4/2022", "category": "Personnel", "funding": "own share", "amount": "1 000"},
        {"period": "5/2022", "line": "Muut kulut", "amount": "12"},  # the whole-hanke line
    )
    # when the preview is made
    result = preview(rows, lines=LINES, existing=existing, categories=CATEGORIES)
    # then each row says what will happen
    assert [r.status for r in result.rows] == ["unchanged", "changed", "new", "new"]
    assert result.rows[1].old_amount == Decimal("5.00") and result.rows[1].amount == Decimal("7.50")
    assert [r.line.pk for r in result.rows] == [1, 3, 2, 4]
    assert result.counts == {"new": 2, "changed": 1, "unchanged": 1, "rejected": 0}
    assert result.can_confirm


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"period": "3/2022", "line_key": "1", "amount": "-5"}, "cannot be negative"),
        ({"period": "3/2022", "line_key": "1", "amount": "12,345"}, "two decimals"),
        ({"period": "3/2022", "line_key": "1", "amount": "abc"}, "Enter an amount in euros"),
        ({"period": "31.2.2022", "line_key": "1", "amount": "5"}, "is not a period"),
        ({"period": "", "line_key": "1", "amount": "5"}, "The period is missing."),
        ({"period": "3/2022", "line_key": "99", "amount": "5"}, "no budget line with the key 99"),
        ({"period": "3/2022", "line_key": "5", "amount": "5"}, "is a total of the plan"),
        ({"period": "3/2022", "line": "Unknown", "amount": "5"}, "No budget line of the hanke"),
        ({"period": "3/2022", "category": "personnel", "amount": "5"}, "Several budget lines"),
        ({"period": "3/2022", "category": "travel", "amount": "5"}, "Unknown cost category"),
        (
            {"period": "3/2022", "category": "personnel", "funding": "EU", "amount": "5"},
            "Unknown funding",
        ),
        ({"period": "3/2023", "line": "Ostopalvelut", "amount": "5"}, "No budget line"),
        (
            {"period": "3/2022", "line": "Ostopalvelut", "year": "22", "amount": "5"},
            "is not a year",
        ),
    ],
)
def test_bad_rows_are_rejected_with_a_reason_in_the_readers_language(cells, message):
    result = preview(_rows(cells), lines=LINES, existing={}, categories=CATEGORIES)
    (row,) = result.rows
    assert row.status == "rejected" and not result.can_confirm
    with translation.override("en"):
        assert any(message in error.text for error in row.errors), [e.text for e in row.errors]


def test_the_same_line_and_period_twice_in_one_file_is_rejected():
    rows = _rows(
        {"period": "3/2022", "line_key": "1", "amount": "5"},
        {"period": "31.3.2022", "line_key": "1", "amount": "6"},
    )
    result = preview(rows, lines=LINES, existing={}, categories=CATEGORIES)
    assert [r.status for r in result.rows] == ["new", "rejected"]
    with translation.override("en"):
        assert result.rows[1].errors[0].text == "The same line and period are already on row 2."


# --- With the database ------------------------------------------------------------------------


@pytest.fixture
def budgeted(personas):
    project: Project = personas.project
    project.lines = budget_2022(project)
    return project


def _csv(project: Project, *rows: tuple[str, str, str]) -> bytes:
    body = "".join(f"{period};{project.lines[key].pk};{amount}\r\n" for period, key, amount in rows)
    return ("Kausi;Avain;Summa\r\n" + body).encode("cp1252")


def _import(project, actor, raw: bytes) -> dict:
    job = finance_import_start(project=project, actor=actor, raw=raw, filename="kp.csv")
    return finance_import_confirm(project=project, actor=actor, job=job)


@pytest.mark.django_db
def test_imported_totals_count_in_plan_vs_actual_and_the_burn_chart(budgeted, personas):
    # given a file of monthly totals
    raw = _csv(
        budgeted,
        ("1/2022", "staff", "50 000,00"),
        ("2/2022", "staff", "45 000,50"),
        ("2/2022", "services", "10 000"),
    )
    # when the manager imports it
    counts = _import(budgeted, personas.project_manager, raw)
    # then the totals are spending of their line's year and category, dated at the period end
    assert counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    summary = budget_summary(project=budgeted, today=date(2022, 3, 1))
    rows = {(r.year, r.category): r for r in summary.rows}
    assert rows[(2022, "personnel")].actual == Decimal("95000.50")
    assert rows[(2022, "purchased_services")].actual == Decimal("10000.00")
    assert summary.spent == Decimal("105000.50")
    assert [(p.day, p.cumulative) for p in summary.burn] == [
        (date(2022, 1, 31), Decimal("50000.00")),
        (date(2022, 2, 28), Decimal("105000.50")),
    ]
    expense = Expenditure.objects.get(imported_period=date(2022, 1, 31))
    assert expense.entered_by == personas.project_manager
    assert expense.history.first().history_user == personas.project_manager


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(budgeted, personas):
    raw = _csv(budgeted, ("1/2022", "staff", "50 000,00"), ("Q1/2022", "services", "1,00"))
    _import(budgeted, personas.project_manager, raw)
    before = list(Expenditure.objects.values_list("pk", "amount", "updated_at"))
    # when the same file comes again
    counts = _import(budgeted, personas.project_manager, raw)
    # then every row is unchanged and nothing was written
    assert counts == {"new": 0, "changed": 0, "unchanged": 2, "rejected": 0}
    assert list(Expenditure.objects.values_list("pk", "amount", "updated_at")) == before


@pytest.mark.django_db
def test_a_corrected_total_updates_the_same_row(budgeted, personas):
    _import(budgeted, personas.project_manager, _csv(budgeted, ("1/2022", "staff", "50 000")))
    counts = _import(
        budgeted, personas.project_manager, _csv(budgeted, ("2022-01-31", "staff", "49 999,99"))
    )
    assert counts["changed"] == 1
    (expense,) = Expenditure.objects.all()
    assert expense.amount == Decimal("49999.99")


@pytest.mark.django_db
def test_one_bad_row_leaves_nothing_behind(budgeted, personas):
    raw = _csv(budgeted, ("1/2022", "staff", "50 000"), ("2/2022", "staff", "-1"))
    job = finance_import_start(
        project=budgeted, actor=personas.project_manager, raw=raw, filename="x"
    )
    with pytest.raises(ValidationError):
        finance_import_confirm(project=budgeted, actor=personas.project_manager, job=job)
    assert not Expenditure.objects.exists()
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED


@pytest.mark.django_db
def test_only_managers_may_import(budgeted, personas):
    raw = _csv(budgeted, ("1/2022", "staff", "1"))
    for user in (personas.project_worker, personas.steering_member, personas.ministry_viewer):
        with pytest.raises(PermissionDenied):
            finance_import_start(project=budgeted, actor=user, raw=raw, filename="x")
    job = finance_import_start(
        project=budgeted, actor=personas.project_manager, raw=raw, filename="x"
    )
    with pytest.raises(PermissionDenied):
        finance_import_confirm(project=budgeted, actor=personas.project_worker, job=job)
    assert not Expenditure.objects.exists()


@pytest.mark.django_db
def test_upload_preview_and_confirm_in_the_browser_flow(client, budgeted, personas):
    client.force_login(personas.project_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # given the budget page links the import, and the lines table shows each line's key
    page = client.get(reverse("project-budget", args=[budgeted.pk])).text
    assert reverse("project-budget-import", args=[budgeted.pk]) in page
    assert f"<td>{budgeted.lines['staff'].pk}</td>" in page
    # when the manager uploads a file
    upload = SimpleUploadedFile(
        "kirjanpito.csv", _csv(budgeted, ("1/2022", "staff", "1 234,50")), "text/csv"
    )
    response = client.post(reverse("project-budget-import", args=[budgeted.pk]), {"file": upload})
    # then the preview lists the new row, and nothing is saved yet
    assert response.status_code == 302
    preview_page = client.get(response["Location"])
    assert "1 new total" in preview_page.text and "Import all rows" in preview_page.text
    assert "€1,234.50" in preview_page.text
    assert not Expenditure.objects.exists()
    # when they confirm, the total is saved and the budget page shows it
    done = client.post(response["Location"])
    assert done.status_code == 302 and done["Location"].endswith(
        reverse("project-budget", args=[budgeted.pk])
    )
    assert Expenditure.objects.get().amount == Decimal("1234.50")
    # and confirming the same job again writes nothing more
    again = client.post(response["Location"])
    assert again.status_code == 200 and "This file has been imported." in again.text
    assert Expenditure.objects.count() == 1


@pytest.mark.django_db
def test_a_rejected_row_is_shown_and_blocks_the_import(client, budgeted, personas):
    client.force_login(personas.project_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    raw = b"Kausi;Budjettirivi;Summa\n31.2.2022;personnel False;10\n"
    upload = SimpleUploadedFile("bad.csv", raw, "text/csv")
    response = client.post(reverse("project-budget-import", args=[budgeted.pk]), {"file": upload})
    page = client.get(response["Location"]).text
    assert "1 rejected row" in page and "is not a period" in page
    assert "Import all rows" not in page
    refused = client.post(response["Location"])
    assert refused.status_code == 200 and not Expenditure.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_file_is_answered_on_the_form(client, budgeted, personas):
    client.force_login(personas.project_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("tyhja.csv", b"Kausi;Avain;Summa\n", "text/csv")
    response = client.post(reverse("project-budget-import", args=[budgeted.pk]), {"file": upload})
    assert response.status_code == 200
    assert "The file has a header but no rows." in response.text
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_another_hankes_job_is_not_found(client, budgeted, personas):
    job = finance_import_start(
        project=budgeted,
        actor=personas.project_manager,
        raw=_csv(budgeted, ("1/2022", "staff", "1")),
        filename="x",
    )
    client.force_login(personas.outsider)
    url = reverse("project-budget-import-preview", args=[personas.other_project.pk, job.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("months", [1, 12])
def test_preview_page_takes_a_fixed_number_of_queries(
    client, budgeted, personas, months, django_assert_max_num_queries
):
    rows = [(f"{m}/2022", "staff", "100") for m in range(1, months + 1)]
    _import(budgeted, personas.project_manager, _csv(budgeted, *rows))
    job = finance_import_start(
        project=budgeted, actor=personas.project_manager, raw=_csv(budgeted, *rows), filename="x"
    )
    client.force_login(personas.project_manager)
    url = reverse("project-budget-import-preview", args=[budgeted.pk, job.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    assert finance_import_preview(project=budgeted, job=job).counts["unchanged"] == months
