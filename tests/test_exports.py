"""The regional report of one hanke as XLSX and CSV: content, formats, access, query count."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from measures.status_engine import status_recompute_projects
from objectives.models import BenefitTarget, StatusUpdate
from projects.models import BudgetLine, Risk
from reporting.exports.tables import LIGHT_FILLS, TABLES, ActionResource, project_report, report_csv

from .factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProcessGoalFactory,
    TargetFactory,
    WorkPackageFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def hanke(personas):
    """A package with a goal (HT1), a done action and a late one, an indicator, budget, risk."""
    project = personas.project
    project.short_name = "Sote-keskus Ä"
    project.save()
    wp = WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut", order=1)
    goal = ProcessGoalFactory(work_package=wp, number="P1", title_fi="Jonot lyhenevät")
    goal.benefit_targets.set(BenefitTarget.objects.filter(number=1))
    done = ActionFactory(
        work_package=wp,
        number="1.1",
        title_fi="Digitaalinen ajanvaraus; uusi",
        status="done",
        schedule_text="5-12/2022",
        planned_start=date(2022, 5, 1),
        planned_end=date(2022, 12, 31),
        owner=personas.project_worker,
    )
    done.goals.add(goal)
    late = ActionFactory(
        work_package=wp,
        number="1.2",
        title_fi='Jonojen "purku"',
        status="in_progress",
        planned_end=date(2023, 3, 31),
    )
    late.benefit_targets.set(BenefitTarget.objects.filter(number=3))
    StatusUpdate.objects.create(action=done, status="done", status_date=date(2023, 5, 2))
    StatusUpdate.objects.update(created_at=datetime(2023, 5, 2, 9, tzinfo=UTC))
    indicator = IndicatorFactory(
        project=project, code="M1", name_fi="Jonotusaika", unit="days", baseline_value=30
    )
    TargetFactory(indicator=indicator, target_date=date(2023, 12, 31), value=Decimal("14.5"))
    MeasurementFactory(indicator=indicator, period=date(2021, 12, 31), value=Decimal("28.25"))
    MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), value=20)
    IndicatorFactory(project=project, code="M2", name_fi="Ei mittauksia")
    BudgetLine.objects.create(
        project=project, year=2022, category="personnel", line="Hankepäällikkö", amount=60000
    )
    Risk.objects.create(project=project, title="Rekrytointi viivästyy", likelihood=3, impact=4)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    return {"project": project, "done": done, "late": late, "indicator": indicator}


def _report(personas, project):
    return project_report(project=project, user=personas.project_manager)


def _xlsx(client, user, project):
    client.force_login(user)
    return client.get(reverse("reporting:project-report-xlsx", args=[project.pk]))


def _csv(client, user, project, table="actions", query=""):
    client.force_login(user)
    url = reverse("reporting:project-report-csv", args=[project.pk, table])
    return client.get(url + query)


def test_xlsx_opens_with_sheets_frozen_header_and_coloured_lights(client, personas, hanke):
    # when the project manager downloads the workbook
    response = _xlsx(client, personas.project_manager, hanke["project"])
    # then it is an attachment named after the hanke and the date
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sote-keskus-a-raportti-')
    assert disposition.endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Work packages and goals",
        "Actions",
        "Indicators",
        "Budget",
        "Risks",
    ]
    actions = book["Actions"]
    assert actions.freeze_panes == "A2"
    header = [c.value for c in actions[1]]
    assert header[:5] == ["Region", "Hanke", "Work package", "Action number", "Action"]
    light_col = header.index("Light") + 1
    rows = {actions.cell(row=r, column=4).value: r for r in range(2, actions.max_row + 1)}
    late_light = actions.cell(row=rows["1.2"], column=light_col)
    assert late_light.value == "Late"
    assert late_light.fill.fgColor.rgb.endswith(LIGHT_FILLS["red"])
    done_row = rows["1.1"]
    assert actions.cell(row=done_row, column=light_col).value == "Done"
    assert actions.cell(row=done_row, column=light_col + 1).value == "✓"
    # real date cells, not text
    planned_end = actions.cell(row=done_row, column=header.index("Planned end") + 1)
    assert planned_end.value.date() == date(2022, 12, 31)
    assert planned_end.number_format == "mm-dd-yy"  # Excel's short date of the reader's locale
    assert actions.column_dimensions["E"].width > 10
    # the summary names the hanke and counts the actions by light
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Hanke"] == hanke["project"].display_name
    assert summary["Generated by"] == personas.project_manager.get_full_name()
    assert summary["✕ Late"] == 1 and summary["✓ Done"] == 1


def test_xlsx_numbers_are_number_cells(client, personas, hanke):
    response = _xlsx(client, personas.programme_admin, hanke["project"])
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Indicators"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    values = [r[header.index("Value")] for r in rows[1:] if r[1] == "M1"]
    assert values == [28.25, 20]
    m2 = [r for r in rows[1:] if r[1] == "M2"]
    assert len(m2) == 1 and m2[0][header.index("Period end")] is None


def test_xlsx_numbers_and_dates_carry_excel_formats_of_the_readers_locale(client, personas, hanke):
    # given a percent indicator beside the days one
    percent = IndicatorFactory(project=hanke["project"], code="M3", unit="percent")
    MeasurementFactory(indicator=percent, period=date(2022, 12, 31), value=Decimal("12.5"))
    book = load_workbook(
        io.BytesIO(_xlsx(client, personas.project_manager, hanke["project"]).content)
    )

    def cells(sheet, column):
        rows = list(book[sheet].iter_rows())
        index = [c.value for c in rows[0]].index(column)
        return [row[index] for row in rows[1:] if row[index].value is not None]

    # numbers are number cells with a format showing their own decimals (the separators
    # and the currency's place are the reader's: Excel substitutes them)
    values = {c.value: c for c in cells("Indicators", "Value")}
    assert all(c.data_type == "n" for c in values.values())
    assert values[28.25].number_format == "#,##0.00"
    assert values[20].number_format == "#,##0"
    assert values[12.5].number_format == '#,##0.0"%"'  # English: "12.5%"
    assert cells("Indicators", "Final target")[0].number_format == "#,##0.0"
    # euros, codes (no grouping: 2022, not 2 022), counts
    (amount,) = cells("Budget", "Amount (€)")
    assert amount.data_type == "n" and amount.value == 60000
    assert amount.number_format == '"€"#,##0.00'
    assert cells("Budget", "Year")[0].number_format == "0"
    assert cells("Risks", "Impact (1–5)")[0].number_format == "0"
    # dates are dates, in Excel's built-in short date and date-time of the reader's locale
    (stamp,) = cells("Actions", "Last status update")
    assert stamp.is_date and stamp.number_format == "m/d/yy h:mm"
    assert all(c.is_date and c.number_format == "mm-dd-yy" for c in cells("Actions", "Planned end"))
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows() if row[0].value}
    assert summary["Actions"].data_type == "n" and summary["Actions"].number_format == "#,##0"
    # no number or date anywhere is written as text (action and goal numbers are codes)
    codes = {"Action number", "Code or number"}
    for sheet in book.worksheets[1:]:
        rows = list(sheet.iter_rows())
        for row in rows[1:]:
            for head, cell in zip(rows[0], row, strict=True):
                if isinstance(cell.value, str) and head.value not in codes:
                    assert not re.fullmatch(r"-?[\d.,\s]+", cell.value), (sheet.title, cell.value)


def test_xlsx_euros_and_percentages_in_finnish(client, personas, hanke, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    percent = IndicatorFactory(project=hanke["project"], code="M3", unit="percent")
    MeasurementFactory(indicator=percent, period=date(2022, 12, 31), value=Decimal("12.5"))
    book = load_workbook(
        io.BytesIO(_xlsx(client, personas.project_manager, hanke["project"]).content)
    )
    formats = {c.number_format for row in book.worksheets[-3].iter_rows(min_row=2) for c in row} | {
        c.number_format for row in book.worksheets[-2].iter_rows(min_row=2) for c in row
    }
    assert '#,##0.00\\ "€"' in formats  # "60 000,00 €"
    assert '#,##0.0\\ "%"' in formats  # "12,5 %"


def test_optional_sheets_only_with_data(client, personas, hanke):
    BudgetLine.objects.all().delete()
    Risk.objects.all().delete()
    book = load_workbook(
        io.BytesIO(_xlsx(client, personas.steering_member, hanke["project"]).content)
    )
    assert "Budget" not in book.sheetnames and "Risks" not in book.sheetnames


def test_actions_csv_round_trip_gives_the_report_rows(client, personas, hanke):
    # when the actions CSV is downloaded and parsed back
    response = _csv(client, personas.project_worker, hanke["project"])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="sote-keskus-a-raportti-actions-\d{4}-\d\d-\d\d\.csv"',
        response["Content-Disposition"],
    )
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text)))
    # then it holds exactly the rows of the same Resource, with machine formats
    dataset = ActionResource().export(_report(personas, hanke["project"]).actions, finnish=False)
    assert parsed[0] == list(dataset.headers) == ActionResource().get_export_headers()
    assert parsed[1:] == [list(row) for row in dataset]
    by_number = {row[3]: dict(zip(parsed[0], row, strict=True)) for row in parsed[1:]}
    assert by_number["1.1"]["Planned end"] == "2022-12-31"
    assert by_number["1.1"]["Action"] == "Digitaalinen ajanvaraus; uusi"
    assert by_number["1.1"]["Benefit targets (HT)"] == "HT1"
    assert by_number["1.2"]["Benefit targets (HT)"] == "HT3"
    assert by_number["1.2"]["Action"] == 'Jonojen "purku"'
    assert by_number["1.2"]["Light"] == "Late"
    assert by_number["1.1"]["Last status update"].startswith("2023-05-02")


def test_semicolon_option_with_bom_and_finnish_formats(client, personas, hanke):
    response = _csv(
        client, personas.project_manager, hanke["project"], "indicators", "?sep=semicolon&bom=1"
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Period end"] == "31.12.2021"
    assert first["Value"] == "28,25"
    assert first["Final target"] == "14,5"
    assert first["Unit"] == "Days"


def test_every_table_exports_as_csv(client, personas, hanke):
    for key in TABLES:
        response = _csv(client, personas.ministry_viewer, hanke["project"], key)
        assert response.status_code == 200, key
        assert len(list(csv.reader(io.StringIO(response.content.decode())))) > 1, key


def test_plan_table_lists_packages_then_their_goals(personas, hanke):
    report = _report(personas, hanke["project"])
    assert [(r.code, r.work_package, r.ht) for r in report.plan] == [
        ("TP1", "", ""),
        ("P1", "TP1", "HT1"),
    ]


def test_unknown_table_is_404(client, personas, hanke):
    assert (
        _csv(client, personas.project_manager, hanke["project"], "salaisuudet").status_code == 404
    )


def test_outsider_gets_404_and_anonymous_goes_to_login(client, personas, hanke):
    project = hanke["project"]
    assert _xlsx(client, personas.outsider, project).status_code == 404
    assert _csv(client, personas.outsider, project).status_code == 404
    client.logout()
    response = client.get(reverse("reporting:project-report-xlsx", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_linked_from_the_hanke_page(client, personas, hanke):
    client.force_login(personas.project_manager)
    html = client.get(reverse("objectives:hanke", args=[hanke["project"].pk])).content.decode()
    assert reverse("reporting:project-report-xlsx", args=[hanke["project"].pk]) in html
    csv_url = reverse("reporting:project-report-csv", args=[hanke["project"].pk, "actions"])
    assert f"{csv_url}?sep=semicolon&amp;bom=1" in html


def _grow(project, n):
    package = WorkPackageFactory(project=project)
    for i in range(n):
        goal = ProcessGoalFactory(work_package=package)
        goal.benefit_targets.set(BenefitTarget.objects.filter(number=1 + i % 5))
        action = ActionFactory(work_package=package, status="in_progress", owner=None)
        action.goals.add(goal)
        action.benefit_targets.set(BenefitTarget.objects.filter(number=1 + (i + 1) % 5))
        StatusUpdate.objects.create(action=action, status="in_progress", status_date=TODAY)
        indicator = IndicatorFactory(project=project)
        TargetFactory(indicator=indicator)
        MeasurementFactory(indicator=indicator)
    BudgetLine.objects.create(project=project, category="ict", line=f"Rivi {n}", amount=n)
    Risk.objects.create(project=project, title=f"Riski {n}")


@pytest.mark.parametrize("size", [2, 25])
def test_query_count_is_bounded(client, personas, django_assert_max_num_queries, size):
    # given a hanke of the given size with lights computed
    project = personas.project
    _grow(project, size)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    user = get_user_model().objects.get(pk=personas.programme_admin.pk)
    # when the report is read, then the number of queries does not depend on the size
    with django_assert_max_num_queries(17):
        report = project_report(project=project, user=user)
    assert len(report.actions) == size and len(report.indicators) == size
    client.force_login(personas.programme_admin)
    for url in (
        reverse("reporting:project-report-xlsx", args=[project.pk]),
        reverse("reporting:project-report-csv", args=[project.pk, "actions"]),
    ):
        # 17 for the report, the session and roles, and one count of the actions, which
        # decides between a direct download and an export job.
        with django_assert_max_num_queries(23):
            assert client.get(url).status_code == 200


def test_lights_come_from_the_newest_stored_rollup(personas, hanke):
    # given an older recomputation in which the late action was not yet late
    status_recompute_projects(project_ids=[hanke["project"].pk], today=date(2023, 1, 1))
    # when the report is read, the newest (30.6.2023) light wins
    report = _report(personas, hanke["project"])
    late = next(r for r in report.actions if r.number == "1.2")
    assert late.light.light == "red"


def test_report_csv_is_plain_utf8_by_default(personas, hanke):
    data = report_csv(_report(personas, hanke["project"]), "plan")
    assert data.decode("utf-8").splitlines()[0].split(",")[:2] == ["Level", "Code or number"]


def test_text_that_looks_like_a_formula_stays_text(client, personas, hanke):
    # given an action whose title would run as a formula in a spreadsheet
    ActionFactory(work_package=hanke["done"].work_package, number="9.9", title_fi='=HYPERLINK("x")')
    # then the XLSX holds it as a text cell and the CSV with Excel's text apostrophe
    book = load_workbook(
        io.BytesIO(_xlsx(client, personas.project_manager, hanke["project"]).content)
    )
    cells = [row[4] for row in book["Actions"].iter_rows(min_row=2) if row[3].value == "9.9"]
    assert cells[0].value == '=HYPERLINK("x")' and cells[0].data_type == "s"
    rows = list(
        csv.reader(
            io.StringIO(_csv(client, personas.project_manager, hanke["project"]).content.decode())
        )
    )
    assert [r[4] for r in rows if r[3] == "9.9"] == ['\'=HYPERLINK("x")']
