"""Indicator cards with small trend lines on the hanke page: selector, page, access, queries."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from measures.selectors import indicator_cards
from measures.status_engine import status_recompute_projects
from portal.lights import Light

from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import MembershipFactory
from .factories import ProcessGoalFactory
from .factories import UserFactory
from .factories import WorkPackageFactory

# Pages read in English (the msgids), so the texts are stable.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = date(2024, 6, 30)


@pytest.fixture
def indicators(personas):
    """Waiting times (HT1 directly, three values given out of order), satisfaction (HT3 via a
    process goal, no values) and a count without HT, listed first by its plan order."""
    project = personas.project
    waiting = IndicatorFactory(
        project=project,
        code="M2",
        name_fi="Hoitoon pääsy 7 vrk",
        name_en="Access to care within 7 days",
        unit="percent",
        baseline_value=Decimal("10"),
        baseline_date=date(2020, 12, 31),
        order=2,
        hts=[1],
        targets={date(2023, 12, 31): Decimal("14"), date(2025, 12, 31): Decimal("20")},
        measurements={
            date(year, 12, 31): Decimal(value)
            for year, value in ((2023, "15.5"), (2021, "12.5"), (2022, "13.25"))
        },
    )
    satisfaction = IndicatorFactory(
        project=project, code="M3", name_fi="Asiakastyytyväisyys", unit="score", order=3
    )
    goal = ProcessGoalFactory(work_package=WorkPackageFactory(project=project), hts=[3])
    satisfaction.goals.add(goal)
    visits = IndicatorFactory(project=project, code="M1", name_fi="Käynnit", unit="count", order=1)
    MeasurementFactory(indicator=visits, period=date(2023, 6, 30), value=Decimal("1200"))
    IndicatorFactory(project=personas.other_project, code="X1")  # another hanke's
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    return {"waiting": waiting, "satisfaction": satisfaction, "visits": visits}


def _url(project, **params):
    url = reverse("objectives:hanke", args=[project.pk])
    params = {k: v for k, v in params.items() if v is not None}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _page(client, user, project, **params) -> str:
    """The hanke page with its cards opened (?kortit=1) unless `kortit` is given."""
    params.setdefault("kortit", 1)
    client.force_login(user)
    response = client.get(_url(project, **params))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str) -> str:
    start = html.index('<section class="card indicator-cards"')
    return html[start : html.index("</section>", start)]


# --- The selector --------------------------------------------------------------------------


def test_cards_carry_light_latest_value_baseline_target_and_the_ordered_series(
    personas, indicators
):
    # when
    cards = indicator_cards(user=personas.steering_member, project=personas.project)
    # then the hanke's own indicators in plan order
    assert [c.code for c in cards] == ["M1", "M2", "M3"]
    visits, waiting, satisfaction = cards
    # the series ordered by period end, whatever the order of entry; the latest is the last
    assert [(p.period.year, p.value) for p in waiting.series] == [
        (2021, Decimal("12.5")),
        (2022, Decimal("13.25")),
        (2023, Decimal("15.5")),
    ]
    assert waiting.latest.value == Decimal("15.5") and waiting.first.period == date(2021, 12, 31)
    assert waiting.baseline == Decimal("10") and waiting.baseline_date == date(2020, 12, 31)
    assert waiting.target.value == Decimal("20")  # the final target, not the nearest one
    assert waiting.unit == "percent" and waiting.unit_suffix == "%"
    # the stored light and its reason, as the status engine wrote them
    progress = indicators["waiting"].progress
    assert waiting.light.light == Light(progress.light)
    assert waiting.light.reason.code == progress.reason_code
    # the trend line has one point per value and the target line above them
    assert len(waiting.sparkline.coords) == 3 and waiting.sparkline.target_y is not None
    assert waiting.sparkline.target_y < min(y for _x, y in waiting.sparkline.coords)
    # an indicator without values has an empty series and a grey "no data" light
    assert satisfaction.series == () and satisfaction.latest is None
    assert satisfaction.light.light == Light.GREY and satisfaction.target is None
    assert visits.unit_suffix == ""


def test_card_names_follow_the_language_with_finnish_as_fallback(personas, indicators):
    with translation.override("en"):
        cards = indicator_cards(user=personas.project_worker, project=personas.project)
    names = {c.code: c.name for c in cards}
    assert names == {
        "M1": "Käynnit",
        "M2": "Access to care within 7 days",
        "M3": "Asiakastyytyväisyys",
    }


@pytest.mark.parametrize(
    ("ht", "expected"), [(1, ["M2"]), (3, ["M3"]), (5, []), (None, ["M1", "M2", "M3"])]
)
def test_the_ht_filter_keeps_indicators_of_that_ht_directly_or_through_a_goal(
    personas, indicators, ht, expected
):
    cards = indicator_cards(user=personas.project_manager, project=personas.project, ht=ht)
    assert [c.code for c in cards] == expected


def test_a_user_who_cannot_see_the_hanke_gets_no_cards(personas, indicators):
    assert indicator_cards(user=personas.outsider, project=personas.project) == []


def _fill(project, n_indicators, n_values):
    for i in range(n_indicators):
        IndicatorFactory(
            project=project,
            baseline_value=Decimal(i),
            hts=[1 + i % 5],
            targets={date(2023, 12, 31): Decimal(90)},
            measurements={
                date(year, 12, 31): Decimal(year % 7) for year in range(2024 - n_values, 2024)
            },
        )


@pytest.mark.parametrize(("n_indicators", "n_values"), [(1, 1), (40, 6)])
def test_selector_costs_a_fixed_number_of_queries(
    personas, django_assert_num_queries, n_indicators, n_values
):
    # given
    _fill(personas.project, n_indicators, n_values)
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    user = get_user_model().objects.get(pk=personas.programme_admin.pk)  # no cached roles
    # when / then: the user's roles (two, read once per user object), then indicators with
    # their progress, targets and measurements
    with django_assert_num_queries(5):
        cards = indicator_cards(
            user=user, project=personas.project, ht=2 if n_indicators > 1 else None
        )
    assert len(cards) == (8 if n_indicators > 1 else 1)
    assert all(len(c.series) == n_values for c in cards)


@pytest.mark.parametrize(("n_indicators", "n_values"), [(1, 1), (72, 5)])
def test_hanke_page_query_count_does_not_grow_with_the_indicators(
    client, personas, django_assert_max_num_queries, n_indicators, n_values
):
    # given a hanke with 1 indicator of 1 value, or 72 indicators (as hanke 001) of 5 values
    _fill(personas.project, n_indicators, n_values)
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    client.force_login(personas.project_manager)
    # when / then the same bound as tests/test_hanke_page.py::test_query_count_is_flat
    with django_assert_max_num_queries(27):
        response = client.get(_url(personas.project, kortit=1))
    assert response.status_code == 200
    assert response.content.decode().count('class="indicator-card"') == min(n_indicators, 12)
    # and on the last page of cards, still the same bound
    with django_assert_max_num_queries(27):
        response = client.get(_url(personas.project, kortit=6))
    last = n_indicators - (n_indicators - 1) // 12 * 12
    assert response.content.decode().count('class="indicator-card"') == last


# --- The page ------------------------------------------------------------------------------


def test_hanke_page_shows_a_card_per_indicator_with_link_light_value_and_target(
    client, personas, indicators
):
    # when
    section = _section(_page(client, personas.project_manager, personas.project))
    # then the heading, and cards in plan order, each linking to the indicator page
    assert 'aria-labelledby="indicator-cards-heading"' in section
    assert '<h2 id="indicator-cards-heading">Indicators</h2>' in section
    links = [
        reverse("measures:indicator-detail", args=[indicators[k].pk])
        for k in ("visits", "waiting", "satisfaction")
    ]
    positions = [section.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
    assert "M2 Access to care within 7 days" in section
    # with the stored light, symbol and reason (not colour alone)
    assert section.count('class="light light--') == 3 and "light__reason" in section
    # the latest value with its unit and date, the baseline and the final target
    assert "15.5\u00a0%" in section and "31.12.2023" in section
    assert "10\u00a0% (2020)" in section and "20\u00a0% (2025)" in section
    assert "1200" in section  # a count has no unit sign
    # and an indicator without values says so instead of drawing an empty chart
    assert section.count("No measurements yet.") == 1
    assert section.count("<svg") == 2


def test_the_trend_line_is_an_image_with_a_text_alternative(client, personas, indicators):
    section = _section(_page(client, personas.project_manager, personas.project))
    pk = indicators["waiting"].pk
    svg = re.search(rf'<svg [^>]*aria-labelledby="spark-{pk}"[^>]*>(.*?)</svg>', section, re.S)
    assert svg is not None and 'role="img"' in svg.group(0)
    title = re.search(rf'<title id="spark-{pk}">(.*?)</title>', svg.group(1), re.S).group(1)
    assert title == (
        "3 measurements from 2021 to 2023, from 12.5\u00a0% to 15.5\u00a0%. "
        "Target 20\u00a0% by 2025."
    )
    # a single value is described as one
    visits = indicators["visits"].pk
    assert f'<title id="spark-{visits}">One measurement: 1200 on 30.6.2023.</title>' in section
    # the drawing: the line, the dot for the latest value and the dashed target line
    assert 'class="sparkline__line" d="M3,' in svg.group(1)
    assert 'class="sparkline__last" cx="117"' in svg.group(1)
    assert 'class="sparkline__target"' in svg.group(1) and 'stroke-dasharray="4 3"' in svg.group(1)


def test_numbers_are_in_finnish_format_and_the_svg_geometry_is_not(
    client, personas, indicators, settings
):
    # given the reader's language is Finnish
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    # when
    section = _section(_page(client, personas.project_manager, personas.project))
    # then values use a decimal comma
    assert "15,5\u00a0%" in section and "13,25" not in section  # only the latest is written out
    assert "12,5\u00a0%" in section  # the first value, in the text alternative
    # but the drawing's numbers keep their full stops, or the SVG would break
    number = r"-?\d+(?:\.\d{1,2})?"
    for d in re.findall(r' d="([^"]*)"', section):
        assert re.fullmatch(rf"M{number},{number}( L{number},{number})*", d)
    for attr in re.findall(r' (?:cx|cy|y1|y2)="([^"]*)"', section):
        assert re.fullmatch(number, attr)


def test_cards_use_no_inline_style_or_script(client, personas, indicators):
    section = _section(_page(client, personas.project_manager, personas.project))
    assert "style=" not in section and "<script" not in section


def test_the_ht_filter_of_the_page_narrows_the_cards(client, personas, indicators):
    section = _section(_page(client, personas.project_manager, personas.project, ht=3))
    assert "Indicators of HT3" in section
    assert "M3 Asiakastyytyväisyys" in section and "M2 " not in section and "M1 " not in section
    empty = _section(_page(client, personas.project_manager, personas.project, ht=5))
    assert "No indicator of this hanke serves HT5." in empty


def test_many_indicators_come_twelve_cards_a_page(client, personas):
    # given 27 indicators
    _fill(personas.project, 27, 2)
    url = _url(personas.project)
    # when the page opens, twelve cards are built and the next twelve are a link away
    section = _section(_page(client, personas.steering_member, personas.project, ht=""))
    assert section.count('class="indicator-card"') == 12
    assert "1–12 of 27 (page 1 of 3)" in section
    assert f'href="{url}?ht=&amp;kortit=2#indicator-cards" rel="next"' in section
    # and the last page holds the rest; a page past the end is the last one
    for number in ("3", "99", "9" * 30):
        section = _section(_page(client, personas.steering_member, personas.project, kortit=number))
        assert section.count('class="indicator-card"') == 3 and "25–27 of 27" in section
        assert f'href="{url}?kortit=2#indicator-cards" rel="prev"' in section
    # junk leaves the cards folded, as without the parameter
    section = _section(_page(client, personas.steering_member, personas.project, kortit="x"))
    assert 'class="indicator-card"' not in section and "27 indicators" in section


def test_cards_are_folded_until_opened_with_their_count(client, personas, indicators):
    # when the hanke page opens without ?kortit=
    section = _section(_page(client, personas.steering_member, personas.project, kortit=None))
    # then it says how many indicators there are (their lights are in the summary above)
    # and draws no card
    assert 'class="indicator-card"' not in section and "3 indicators" in section
    # and the control opens them: a plain link, and in place with htmx
    url = _url(personas.project)
    assert f'href="{url}?kortit=1#indicator-cards"' in section
    assert f'hx-get="{url}?kortit=1"' in section and 'aria-expanded="false"' in section


def test_the_toggle_opens_and_closes_the_cards_in_place(client, personas, indicators):
    client.force_login(personas.steering_member)
    headers = {"HX-Request": "true", "HX-Trigger": "cards-toggle"}
    # when the toggle asks for the opened cards with htmx
    response = client.get(_url(personas.project, kortit=1), headers=headers)
    html = response.content.decode()
    # then only the section comes back, opened, with the toggle to close it focused after the
    # swap and the change announced
    assert html.lstrip().startswith('<section class="card indicator-cards"')
    assert html.count('class="indicator-card"') == 3 and 'aria-expanded="true"' in html
    assert "data-focus-after-swap" in html and 'id="live-region"' in html
    assert "Indicator cards opened." in html and 'id="hanke-packages"' not in html
    # and closing gives the folded section
    response = client.get(_url(personas.project), headers=headers)
    html = response.content.decode()
    assert 'class="indicator-card"' not in html and "Indicator cards closed." in html


def test_a_hanke_without_indicators_says_so(client, personas):
    section = _section(_page(client, personas.project_manager, personas.project))
    assert "The plan names no indicators for this hanke yet." in section


def test_indicator_names_are_escaped(client, personas):
    IndicatorFactory(project=personas.project, name_fi='<script>alert("x")</script>')
    section = _section(_page(client, personas.project_manager, personas.project))
    assert "<script>" not in section and "&lt;script&gt;" in section


@pytest.mark.parametrize("persona", ["outsider", "other_worker"])
def test_who_cannot_see_the_hanke_gets_404_and_no_cards(client, personas, indicators, persona):
    # given a manager of another hanke (the outsider) or a worker of another hanke
    user = personas.outsider
    if persona == "other_worker":
        user = MembershipFactory(
            user=UserFactory(username="other"), project=personas.other_project, role="worker"
        ).user
    client.force_login(user)
    # when
    response = client.get(_url(personas.project))
    # then
    assert response.status_code == 404
    assert "Access to care" not in response.content.decode()


@pytest.mark.parametrize("persona", ["ministry_viewer", "steering_member", "project_worker"])
def test_readers_of_the_hanke_see_the_cards(client, personas, indicators, persona):
    section = _section(_page(client, getattr(personas, persona), personas.project))
    assert section.count('class="indicator-card"') == 3
