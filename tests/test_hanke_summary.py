"""The hanke page starts from its summary: lights, actions by state, budget use, the top risks
and the indicators off track, at a fixed cost whatever the hanke's size (issue 18, point 2)."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import IndicatorProgress
from measures.models import Measurement
from portal.lights import Light
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import Risk
from projects.selectors import budget_glance
from projects.selectors import budget_summary
from projects.selectors import top_risks
from reporting.dashboards.selectors import GLANCE_ITEMS
from reporting.dashboards.selectors import project_glance

from .factories import IndicatorFactory
from .helpers import small_and_big

# Pages read in English (the msgids), so the texts are stable.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = date(2022, 7, 2)


def _url(project):
    return reverse("objectives:hanke", args=[project.pk])


def _budget(project, lines: int = 2, expenses: int = 3) -> None:
    """`lines` lines of 1 000 € in 2022 (no total funding: the lines are the budget) and
    `expenses` expenses of 10 €."""
    project.funding_total = None
    project.start_date = project.end_date = None  # the period: the lines' year
    project.save()
    BudgetLine.objects.bulk_create(
        BudgetLine(project=project, year=2022, category="other", line=f"l{i}", amount=1000)
        for i in range(lines)
    )
    Expenditure.objects.bulk_create(
        Expenditure(
            project=project,
            date=date(2022, 1 + i % 6, 1),
            amount=Decimal("10.00"),
            category="other",
            description=f"e{i}",
        )
        for i in range(expenses)
    )


def _indicator(project, light: str, *, progress=None, expected=None, **fields):
    indicator = IndicatorFactory(project=project, **fields)
    IndicatorProgress.objects.create(
        indicator=indicator,
        light=light,
        progress=progress,
        expected_progress=expected,
        latest_period=date(2022, 6, 30) if progress is not None else None,
        reason_code="indicator_progress" if progress is not None else "indicator_no_data",
        reason_params={"progress": "10", "expected": "50"} if progress is not None else {},
        as_of=TODAY,
        computed_at=datetime(2022, 7, 2, tzinfo=UTC),
    )
    return indicator


def _risk(project, title, likelihood=None, impact=None, status="open"):
    return Risk.objects.create(
        project=project, title=title, likelihood=likelihood, impact=impact, status=status
    )


def _big(project, n: int) -> None:
    """A hanke with `n` risks, `n` indicators (a third off track), `n` lines and 5n expenses."""
    _budget(project, lines=n, expenses=5 * n)
    Risk.objects.bulk_create(
        Risk(project=project, title=f"Riski {i:04}", likelihood=1 + i % 5, impact=1 + i % 5)
        for i in range(n)
    )
    for i in range(n):
        light = Light.RED if i % 3 == 0 else Light.GREEN
        _indicator(project, light, progress=Decimal("0.1"), expected=Decimal("0.5"), order=i)


# --- Budget use -------------------------------------------------------------------------


def test_budget_use_follows_the_budget_pages_rules(personas):
    # given a hanke budgeted by its lines for 2022, with 30 € spent
    _budget(personas.project)
    # when the summary's budget use and the budget page's summary are read on the same day
    glance = budget_glance(project=personas.project, today=TODAY)
    full = budget_summary(project=personas.project, today=TODAY)
    # then they agree: the same budget, spending, share and light (the same rules)
    assert (glance.use.budget, glance.use.spent) == (full.budget, full.spent)
    assert glance.use.budget == Decimal(2000) and glance.use.spent == Decimal(30)
    assert glance.use.share_used == full.share_used
    assert glance.light == full.light
    assert glance.light.light is Light.RED  # 1.5 % used half way through 2022


def test_the_summary_shows_budget_use_in_the_readers_numbers(client, personas):
    _budget(personas.project)
    client.force_login(personas.steering_member)
    client.cookies["django_language"] = "fi"
    html = client.get(_url(personas.project)).content.decode()
    glance = html[html.index('class="hanke-glance"') :]
    assert "30,00\xa0€ / 2\xa0000,00\xa0€" in glance
    assert "budjetista käytetty 2 %" in glance  # the spending light's reason, rounded
    assert reverse("project-budget", args=[personas.project.pk]) in glance


def test_a_hanke_without_budget_figures_says_so(client, personas):
    client.force_login(personas.steering_member)
    html = client.get(_url(personas.project)).content.decode()
    glance = html[html.index('class="hanke-glance"') :]
    assert "No budget total to compare with" in glance


# --- Top risks ----------------------------------------------------------------------------


def test_top_risks_are_the_registers_first_followed_risks(personas):
    # given rated, unrated and closed risks
    project = personas.project
    unrated = _risk(project, "Arvioimaton")
    low = _risk(project, "Pieni", 1, 2)
    high = _risk(project, "Suuri", 4, 5)
    _risk(project, "Suljettu", 5, 5, status="closed")
    medium = _risk(project, "Keskikokoinen", 2, 3)
    # when the summary reads the top risks
    top = top_risks(project=project, limit=3)
    # then the highest scores of those still followed, unrated last; closed ones left out
    assert [r.pk for r in top.risks] == [high.pk, medium.pk, low.pk]
    assert (top.followed, top.high) == (4, 1)
    assert top.risks[0].score == 20 and top.risks[0].level == "high"
    assert [r.pk for r in top_risks(project=project, limit=5).risks][-1] == unrated.pk


def test_the_summary_links_each_top_risk_to_its_row_in_the_register(client, personas):
    project = personas.project
    high = _risk(project, "Rekrytointi ei onnistu", 4, 5)
    client.force_login(personas.steering_member)
    html = client.get(_url(project)).content.decode()
    glance = html[html.index('class="hanke-glance"') :]
    register = reverse("project-risks", args=[project.pk])
    assert f'href="{register}#risk-{high.pk}">Rekrytointi ei onnistu</a>' in glance
    assert "1 risk followed, 1 rated high" in glance
    # and the register has the row the link points at
    client.force_login(personas.project_manager)
    assert f'id="risk-{high.pk}"' in client.get(register).content.decode()


# --- Indicators off track -----------------------------------------------------------------


def test_indicators_off_track_counted_and_the_furthest_behind_named(personas):
    project = personas.project
    slightly = _indicator(project, Light.RED, progress=Decimal("0.4"), expected=Decimal("0.5"))
    far = _indicator(project, Light.RED, progress=Decimal("-0.2"), expected=Decimal("0.5"))
    _indicator(project, Light.RED, progress=Decimal("0.3"), expected=Decimal("0.5"))
    _indicator(project, Light.RED, progress=None, expected=None)  # wrong way, no figures
    _indicator(project, Light.GREEN, progress=Decimal("0.9"), expected=Decimal("0.5"))
    IndicatorFactory(project=project)  # no computed light yet: counted as no assessment
    retired = _indicator(project, Light.RED, progress=Decimal("0"), expected=Decimal("1"))
    retired.retired_on = TODAY
    retired.save()
    glance = project_glance(project=project, today=TODAY).indicators
    assert glance.counts == {"red": 4, "green": 1, "grey": 1}
    assert (glance.off_track, glance.assessed, glance.total) == (4, 5, 6)  # as the rollups
    assert [i.pk for i in glance.worst][0] == far.pk
    assert [i.pk for i in glance.worst][-1] == slightly.pk
    assert len(glance.worst) == GLANCE_ITEMS


def test_an_off_track_indicator_on_a_generated_value_is_marked(client, personas):
    project = personas.project
    real = _indicator(project, Light.RED, progress=Decimal("0.1"), expected=Decimal("0.5"))
    demo = _indicator(project, Light.RED, progress=Decimal("0.2"), expected=Decimal("0.5"))
    for indicator, source in ((real, "manual"), (demo, "demo")):
        Measurement.objects.create(
            indicator=indicator, period=date(2022, 6, 30), value=10, source=source
        )
    client.force_login(personas.steering_member)
    html = client.get(_url(project)).content.decode()
    glance = html[html.index('class="hanke-glance"') : html.index('id="indicator-cards"')]
    assert "2 of 2 indicators off track" in glance
    items = re.findall(r"<li><a href=\"/mittarit/(\d+)/\">.*?</li>", glance, re.S)
    assert items == [str(real.pk), str(demo.pk)]
    real_item, demo_item = glance.split("<li>")[1:3]
    assert 'data-generated="light"' not in real_item
    assert 'data-generated="light"' in demo_item
    assert "Progress 10 % / expected 50 %" in real_item  # the stored reason, as elsewhere
    link = reverse("measures:indicator-list", args=[project.pk]) + "?jarjestys=tila"
    assert link in glance


# --- Cost: a small constant, whatever the hanke's size --------------------------------------


def test_the_summary_costs_the_same_queries_and_html_for_a_small_and_a_large_hanke(
    client, personas, django_assert_max_num_queries
):
    # given a small and a large hanke: 15 and 150 risks, indicators and budget lines (both
    # more indicators than a page of cards, which counts them then)
    queries, sizes = [], []
    for project, _ in small_and_big(client, personas, _big, 15, 150):
        # the summary's own reads: five queries (budget lines, expenses, risks, indicators
        # counted by light, the worst of them)
        with django_assert_max_num_queries(5):
            project_glance(project=project, today=TODAY)
        with django_assert_max_num_queries(40) as captured:
            html = client.get(_url(project)).content.decode()
        queries.append(len(captured))
        glance = html[html.index('class="hanke-glance"') : html.index('id="indicator-cards"')]
        sizes.append(len(glance.encode()))
        assert glance.count("<li><a href=") == 2 * GLANCE_ITEMS  # three risks, three indicators
    # then the same number of queries and the same size, give or take the digits
    assert queries[0] == queries[1], queries
    assert abs(sizes[0] - sizes[1]) < 100, sizes


def test_a_hanke_whose_indicators_have_no_light_yet_says_so(client, personas):
    IndicatorFactory(project=personas.project)  # the status engine has not run
    client.force_login(personas.steering_member)
    html = client.get(_url(personas.project)).content.decode()
    glance = html[html.index('class="hanke-glance"') : html.index('id="indicator-cards"')]
    assert "No indicator is assessed yet." in glance
    assert "No assessment: 1" in glance  # the distribution still counts it
