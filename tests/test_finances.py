"""Budget and spending: the spending light's rules, the budget page, expense entry and its
permissions, query bounds, and the demo's budget figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from portal.lights import Light
from projects.finance import SpendingThresholds
from projects.finance import budget_period
from projects.finance import burn_points
from projects.finance import expected_share
from projects.finance import spending_light
from projects.finance import validate_spending_bands
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import Programme
from projects.models import Project
from projects.selectors import budget_summary
from projects.services import expenditure_create

from .factories import ProgrammeFactory
from .helpers import budget_2022

# Pages read in English (the msgids), so the texts are stable.
pytestmark = pytest.mark.usefixtures("english")

TODAY = date(2023, 6, 30)
YEAR_2022 = (date(2022, 1, 1), date(2022, 12, 31))
TEN_DAYS, MID = (date(2022, 1, 1), date(2022, 1, 10)), date(2022, 1, 5)
BANDS = SpendingThresholds(Decimal("0.10"), Decimal("0.25"))


# --- Pure rules (no database) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "today", "light", "code"),
    [
        # Day 5 of a ten-day period ends: 50 % expected.
        ("500000", MID, Light.GREEN, "spending_on_pace"),
        ("400000", MID, Light.GREEN, "spending_on_pace"),  # 10 points slow: edge
        ("399990", MID, Light.YELLOW, "spending_slow"),
        ("250000", MID, Light.YELLOW, "spending_slow"),  # 25 points: still yellow
        ("249990", MID, Light.RED, "spending_slow"),
        ("0", MID, Light.RED, "spending_slow"),  # nothing spent is a warning too
        ("600000", MID, Light.GREEN, "spending_on_pace"),
        ("600010", MID, Light.YELLOW, "spending_fast"),
        ("750010", MID, Light.RED, "spending_fast"),
        ("1000000", date(2022, 1, 10), Light.GREEN, "spending_on_pace"),
        ("1000000.01", date(2022, 1, 10), Light.RED, "spending_over"),
        ("0", date(2021, 12, 31), Light.GREEN, "spending_on_pace"),  # before the period
        ("300000", date(2021, 12, 31), Light.RED, "spending_fast"),  # spent before it starts
        ("0", date(2022, 2, 1), Light.RED, "spending_slow"),  # after the end, nothing spent
    ],
)
def test_spending_light_warns_both_ways(spent, today, light, code):
    assessment = spending_light(
        budget=Decimal("1000000"),
        spent=Decimal(spent),
        period=TEN_DAYS,
        today=today,
        thresholds=BANDS,
    )
    assert (assessment.light, assessment.reason.code) == (light, code)


@pytest.mark.parametrize(
    ("budget", "period", "code"),
    [(None, YEAR_2022, "spending_no_budget"), (Decimal(0), YEAR_2022, "spending_no_budget")]
    + [(Decimal(100), None, "spending_no_period")],
)
def test_spending_light_is_grey_without_a_budget_or_a_period(budget, period, code):
    assessment = spending_light(
        budget=budget, spent=Decimal(5), period=period, today=TODAY, thresholds=BANDS
    )
    assert (assessment.light, assessment.reason.code) == (Light.GREY, code)


def test_spending_reason_reads_in_words():
    assessment = spending_light(
        budget=Decimal("1000"),
        spent=Decimal("100"),
        period=YEAR_2022,
        today=date(2022, 7, 2),
        thresholds=BANDS,
    )
    with translation.override("en"):
        text = assessment.reason.text
    assert text == "Spending too slowly: 10 % of the budget used, 50 % expected by now"


@pytest.mark.parametrize(
    ("start", "end", "years", "expected"),
    [
        (date(2020, 4, 1), date(2023, 12, 31), [2022], (date(2020, 4, 1), date(2023, 12, 31))),
        (None, None, [2022], YEAR_2022),
        (None, None, [2023, 2022, 2025], (date(2022, 1, 1), date(2025, 12, 31))),
        (None, None, [], (date(2020, 1, 1), date(2025, 12, 31))),  # the programme's
        (date(2021, 3, 1), None, [], (date(2021, 3, 1), date(2025, 12, 31))),
        (date(2026, 3, 1), None, [], None),  # would end before it starts
    ],
)
def test_budget_period_comes_from_the_hanke_then_its_budget_years_then_the_programme(
    start, end, years, expected
):
    period = budget_period(
        project_start=start,
        project_end=end,
        budget_years=years,
        programme_start=date(2020, 1, 1),
        programme_end=date(2025, 12, 31),
    )
    assert period == expected


@pytest.mark.parametrize(
    ("today", "share"),
    [
        (date(2021, 5, 1), "0"),
        (date(2022, 1, 1), "0.0027"),
        (date(2022, 7, 2), "0.5014"),
        (date(2022, 12, 31), "1"),
        (date(2024, 1, 1), "1"),
    ],
)
def test_expected_share_is_a_straight_line_over_the_period(today, share):
    assert expected_share(YEAR_2022, today) == Decimal(share)


@pytest.mark.parametrize(
    ("yellow", "red", "ok"),
    [
        ("0.10", "0.25", True),
        ("0.05", "1.00", True),
        ("0.25", "0.25", False),
        ("0.30", "0.20", False),
        ("0", "0.25", False),
        ("0.10", "1.10", False),
    ],
)
def test_spending_bands_must_be_in_order(yellow, red, ok):
    errors = validate_spending_bands(yellow_gap=Decimal(yellow), red_gap=Decimal(red))
    assert (errors == {}) is ok
    if not ok:
        assert set(errors) == {"spending_yellow_gap", "spending_red_gap"}


def test_burn_points_add_up_per_day_exactly():
    spending = [
        (date(2022, 3, 1), Decimal("0.10")),
        (date(2022, 1, 5), Decimal("0.20")),
        (date(2022, 3, 1), Decimal("100.05")),
    ]
    assert burn_points(spending) == [
        (date(2022, 1, 5), Decimal("0.20")),
        (date(2022, 3, 1), Decimal("100.35")),
    ]


# --- With the database --------------------------------------------------------------------


@pytest.mark.django_db
def test_programme_refuses_spending_bands_out_of_order():
    programme = ProgrammeFactory.build(
        spending_yellow_gap=Decimal("0.30"), spending_red_gap=Decimal("0.20")
    )
    with pytest.raises(ValidationError) as refused:
        programme.full_clean()
    assert "spending_red_gap" in refused.value.message_dict


@pytest.fixture
def budgeted(personas):
    budget_2022(personas.project, ("staff", "services", "own", "other"))
    return personas.project


@pytest.mark.django_db
def test_plan_vs_actual_by_year_category_and_funding(budgeted, personas):
    # given three expenses (one in a category planned only for the whole hanke)
    for day, amount, category in (
        (date(2022, 3, 1), "1000.10", "personnel"),
        (date(2022, 4, 1), "0.20", "personnel"),
        (date(2022, 5, 1), "500.00", "other"),
    ):
        expenditure_create(
            project=budgeted,
            actor=personas.project_manager,
            date=day,
            amount=Decimal(amount),
            category=category,
            description="x",
        )
    # when the summary is read in the middle of the year
    summary = budget_summary(project=budgeted, today=date(2022, 7, 2))
    # then the rows compare plan and actual exactly, with the funding apart
    rows = {(r.year, r.category): r for r in summary.rows}
    personnel = rows[(2022, "personnel")]
    assert (personnel.planned_programme, personnel.planned_other) == (
        Decimal("600000.00"),
        Decimal("100000.00"),
    )
    assert personnel.actual == Decimal("1000.30")
    assert rows[(None, "other")].actual == Decimal("500.00")
    assert rows[(2022, "purchased_services")].actual == Decimal(0)
    # the budget is the itemised lines' sum, and the share used is far below the line
    assert (summary.budget, summary.budget_basis) == (Decimal("1050000.00"), "lines")
    assert summary.spent == Decimal("1500.30")
    assert summary.light.light == Light.RED
    with translation.override("en"):
        assert summary.light_label == "Off pace"
    assert [p.cumulative for p in summary.burn] == [
        Decimal("1000.10"),
        Decimal("1000.30"),
        Decimal("1500.30"),
    ]


@pytest.mark.django_db
def test_steering_member_reads_the_budget_page_without_an_entry_form(client, budgeted, personas):
    client.force_login(personas.steering_member)
    response = client.get(reverse("project-budget", args=[budgeted.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plan and actual by year and cost category" in html
    assert "€1,050,000.00" in html
    assert 'id="burn-chart"' in html and 'id="burn-chart-data"' in html
    assert 'id="expense-form"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "written"),
    [("fi", "1\u00a0050\u00a0000,00\u00a0€"), ("sv", "1\u00a0050\u00a0000,00\u00a0€")],
)
def test_budget_page_writes_money_the_finnish_and_swedish_way(
    client, settings, budgeted, personas, language, written
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(personas.steering_member)
    html = client.get(reverse("project-budget", args=[budgeted.pk])).content.decode()
    assert written in html
    assert f'lang="{language}"' in html


def _expense_form(amount: str, **fields) -> dict:
    """What the budget page's expense form posts: `amount` spent on 1.5.2022 on "other",
    described "x"; `fields` change the rest."""
    return {
        "date": "2022-05-01",
        "amount": amount,
        "category": "other",
        "description": "x",
        **fields,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["project_worker", "steering_member", "ministry_viewer"])
def test_readers_cannot_record_an_expense(client, budgeted, personas, persona):
    client.force_login(getattr(personas, persona))
    page = client.get(reverse("project-budget", args=[budgeted.pk]))
    assert 'id="expense-form"' not in page.content.decode()
    data = _expense_form("100")
    response = client.post(reverse("project-budget", args=[budgeted.pk]), data)
    assert response.status_code == 403
    assert not Expenditure.objects.exists()
    with pytest.raises(PermissionDenied):
        expenditure_create(
            project=budgeted,
            actor=getattr(personas, persona),
            date=date(2022, 5, 1),
            amount=Decimal(1),
            category="other",
            description="x",
        )


@pytest.mark.django_db
def test_manager_records_an_expense_typed_the_finnish_way(client, budgeted, personas):
    # given the project manager on the budget page
    client.force_login(personas.project_manager)
    url = reverse("project-budget", args=[budgeted.pk])
    assert 'id="expense-form"' in client.get(url).content.decode()
    # when they post an expense typed as "12 500,50 €"
    data = _expense_form("12 500,50 €", category="personnel", description="Palkat huhtikuu")
    response = client.post(url, data)
    # then it is saved exactly, with who entered it, and the history knows the actor
    assert response.status_code == 302 and response["Location"] == url
    expense = Expenditure.objects.get()
    assert (expense.amount, expense.entered_by) == (Decimal("12500.50"), personas.project_manager)
    assert expense.history.get().history_user == personas.project_manager
    assert "€12,500.50" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-100", "The amount cannot be negative."),
        ("12,345", "Give the amount to the cent at most (two decimals)."),
        ("kaksi", "Enter an amount in euros, e.g. 1 304 000,50."),
        ("0", "The amount must be more than zero."),
    ],
)
def test_bad_amount_is_refused_with_a_field_error_in_the_form(
    client, budgeted, personas, amount, message
):
    client.force_login(personas.project_manager)
    data = _expense_form(amount)
    response = client.post(
        reverse("project-budget", args=[budgeted.pk]), data, headers={"HX-Request": "true"}
    )
    # htmx gets the form partial back (200) with the message and the input kept
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{amount}"' in html
    assert "<h1>" not in html
    assert not Expenditure.objects.exists()


@pytest.mark.django_db
def test_htmx_save_reloads_the_page_so_totals_and_chart_follow(client, budgeted, personas):
    client.force_login(personas.project_manager)
    data = _expense_form("1304000.5", category="ict")
    url = reverse("project-budget", args=[budgeted.pk])
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == url
    assert Expenditure.objects.get().amount == Decimal("1304000.50")


@pytest.mark.django_db
def test_expense_budget_line_must_be_of_the_same_hanke(budgeted, personas):
    foreign = BudgetLine.objects.create(
        project=personas.other_project, category="other", line="x", amount=Decimal(1)
    )
    with pytest.raises(ValidationError):
        expenditure_create(
            project=budgeted,
            actor=None,
            date=date(2022, 5, 1),
            amount=Decimal(1),
            category="other",
            description="x",
            budget_line=foreign,
        )


def _spend(project, n):
    lines = [
        BudgetLine.objects.create(
            project=project, year=2022, category="other", line=f"l{i}", amount=Decimal(1000)
        )
        for i in range(max(1, n // 5))
    ]
    for i in range(n):
        Expenditure.objects.create(
            project=project,
            date=date(2022, 1 + i % 12, 1),
            amount=Decimal("10.01"),
            category="personnel",
            description=f"e{i}",
            budget_line=lines[i % len(lines)],
            entered_by=None,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("lines_and_expenses", "size"), [(2, "small"), (60, "large")])
def test_budget_page_query_count_is_flat(
    client, personas, django_assert_max_num_queries, lines_and_expenses, size
):
    # given a hanke with few or many budget lines and expenses
    _spend(personas.project, lines_and_expenses)
    client.force_login(personas.programme_admin)
    get_user_model().objects.get(pk=personas.programme_admin.pk)
    # when / then the page costs the same fixed number of queries
    # (session, user, roles ×2, hanke, lines, expenses, lines for the form select)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("project-budget", args=[personas.project.pk]))
    assert response.status_code == 200
    assert len(re.findall(r"<td>e\d+</td>", response.content.decode())) == lines_and_expenses


# --- The demo (loaded once for the tests below; keep them last in the module) --------------


def test_demo_002_budget_lines_are_still_pinned_by_investment_line(demo_db):
    lines = BudgetLine.objects.filter(project__region__code="16", year=2022)
    by_line = {
        code: lines.filter(line__startswith=f"Investointi {code[1]}:").aggregate(s=Sum("amount"))[
            "s"
        ]
        for code in ("I1", "I2", "I4")
    }
    assert by_line == {
        "I1": Decimal("950000"),
        "I2": Decimal("100000"),
        "I4": Decimal("254000"),
    }
    assert lines.aggregate(s=Sum("amount"))["s"] == Decimal("1304000")


def test_demo_002_budget_page_measures_against_1_304_000_over_2022(demo_db, client):
    # 1 304 000 € is the 2022 application (002:L2700-2708), not the hanke's total funding:
    # the budget is the sum of its 2022 lines, by the plan's cost types
    project = Project.objects.get(region__code="16")
    summary = budget_summary(project=project, today=date(2022, 7, 2))
    assert (summary.budget, summary.budget_basis) == (Decimal("1304000"), "lines")
    assert summary.period == YEAR_2022
    planned = {r.category: r.planned for r in summary.rows if r.year == 2022}
    assert planned == {
        "personnel": Decimal("70000"),
        "ict": Decimal("86000"),
        "not_split": Decimal("1148000"),
    }
    client.force_login(get_user_model().objects.get(username="kp.ohjausryhma"))
    html = client.get(reverse("project-budget", args=[project.pk])).content.decode()
    assert "€1,304,000.00" in html
    assert Programme.objects.get().spending_thresholds() == BANDS
