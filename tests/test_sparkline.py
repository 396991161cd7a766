"""Indicator cards without a database: the sparkline geometry and the number format."""

import re
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from measures.sparkline import sparkline
from portal.templatetags.portal_tags import quantity

D = date


def test_no_points_and_no_reference_lines_draw_nothing():
    spark = sparkline([])
    assert spark.coords == () and spark.path == "" and spark.last is None
    assert spark.target_attr == "" and spark.baseline_attr == ""
    assert spark.view_box == "0 0 120 32"


def test_a_single_point_is_a_dot_in_the_middle_without_a_line():
    spark = sparkline([(D(2023, 12, 31), Decimal("12.5"))])
    assert spark.coords == ((60.0, 16.0),)
    assert spark.path == "" and spark.last == ("60", "16")


def test_equal_values_make_a_flat_line_through_the_middle():
    spark = sparkline([(D(2021, 12, 31), 5), (D(2022, 12, 31), 5), (D(2023, 12, 31), 5)])
    assert [y for _x, y in spark.coords] == [16.0, 16.0, 16.0]
    assert spark.path == "M3,16 L60,16 L117,16"


def test_x_follows_time_and_higher_values_are_higher_up():
    # given a gap of two years, then one year
    spark = sparkline([(D(2020, 1, 1), 10), (D(2022, 1, 1), 20), (D(2023, 1, 1), 15)])
    (x0, y0), (x1, y1), (x2, y2) = spark.coords
    # then the first and the last point span the box, the middle one sits at 2/3 of the time
    assert (x0, x2) == (3.0, 117.0)
    assert x1 == pytest.approx(3 + 114 * 731 / 1096)
    # and y is inverted: the highest value at the top padding, the lowest at the bottom
    assert (y1, y0) == (3.0, 29.0) and y0 > y2 > y1


def test_points_are_drawn_in_date_order_whatever_the_input_order():
    ordered = sparkline([(D(2021, 1, 1), 1), (D(2022, 1, 1), 3), (D(2023, 1, 1), 2)])
    shuffled = sparkline([(D(2023, 1, 1), 2), (D(2021, 1, 1), 1), (D(2022, 1, 1), 3)])
    assert ordered == shuffled
    assert ordered.last == ("117", "16")  # the latest date, value 2 halfway between 1 and 3


def test_target_and_baseline_widen_the_range_and_get_their_own_lines():
    # given values 40–60, a baseline of 20 and a target of 100
    spark = sparkline(
        [(D(2022, 12, 31), Decimal("40")), (D(2023, 12, 31), Decimal("60"))],
        baseline=Decimal("20"),
        target=Decimal("100"),
    )
    # then the target is at the top, the baseline at the bottom, the values between
    assert spark.target_y == 3.0 and spark.baseline_y == 29.0
    assert spark.target_attr == "3" and spark.baseline_attr == "29"
    assert all(3.0 < y < 29.0 for _x, y in spark.coords)


def test_negative_values_scale_like_any_others():
    spark = sparkline([(D(2022, 1, 1), Decimal("-4.5")), (D(2023, 1, 1), Decimal("-1"))], target=0)
    assert spark.target_y == 3.0
    assert spark.coords[0][1] == 29.0
    assert spark.path.startswith("M3,29 L117,")


def test_only_a_target_without_values_still_has_a_line_but_no_dot():
    spark = sparkline([], target=Decimal("80"))
    assert spark.coords == () and spark.last is None and spark.target_attr == "16"


def test_attribute_text_uses_a_full_stop_and_two_decimals_at_most():
    spark = sparkline([(D(2022, 1, 1), Decimal("1")), (D(2022, 1, 4), Decimal("2"))], width=100)
    assert spark.path == "M3,29 L97,3"
    third = sparkline([(D(2022, 1, 1), 0), (D(2022, 1, 4), 1), (D(2022, 1, 7), 3)])
    assert third.path == "M3,29 L60,20.33 L117,3"


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), float("-inf")])
def test_a_value_that_is_not_a_finite_number_is_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        sparkline([(D(2023, 1, 1), bad)])


def test_a_box_smaller_than_its_padding_is_refused():
    with pytest.raises(ValueError):
        sparkline([], width=6, height=32, pad=3)


# --- Properties over arbitrary series ------------------------------------------------------

values = st.one_of(
    st.decimals(min_value=Decimal("-1e10"), max_value=Decimal("1e10"), allow_nan=False, places=4),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**12), max_value=10**12),
)
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))
series = st.lists(st.tuples(days, values), max_size=40)
NUMBER = r"-?\d+(\.\d{1,2})?"


@given(points=series, baseline=st.none() | values, target=st.none() | values)
def test_every_point_and_line_stays_inside_the_padded_box(points, baseline, target):
    spark = sparkline(points, baseline=baseline, target=target)
    assert len(spark.coords) == len(points)
    for x, y in spark.coords:
        assert 3 <= x <= 117 and 3 <= y <= 29
    for line in (spark.target_y, spark.baseline_y):
        assert line is None or 3 <= line <= 29


@given(points=series, target=st.none() | values)
def test_x_never_goes_back_in_time_and_the_dot_is_the_latest_point(points, target):
    spark = sparkline(points, target=target)
    xs = [x for x, _y in spark.coords]
    assert xs == sorted(xs)
    if points:
        latest_day = max(day for day, _v in points)
        assert spark.coords[-1][0] == (117.0 if latest_day > min(d for d, _v in points) else 60)


@given(points=series, baseline=st.none() | values, target=st.none() | values)
def test_attribute_text_is_plain_svg_numbers(points, baseline, target):
    spark = sparkline(points, baseline=baseline, target=target)
    if len(points) >= 2:
        assert re.fullmatch(rf"M{NUMBER},{NUMBER}( L{NUMBER},{NUMBER})+", spark.path)
    for text in (*(spark.last or ()), spark.target_attr, spark.baseline_attr):
        assert text == "" or re.fullmatch(NUMBER, text)


@given(
    start=days,
    steps=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=20),
    value=values,
)
def test_a_constant_series_is_flat_in_the_middle(start, steps, value):
    points, day = [(start, value)], start
    for step in steps:
        day += timedelta(days=step)
        points.append((day, value))
    assert {y for _x, y in sparkline(points).coords} == {16.0}


# --- Numbers on the cards ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "suffix", "fi", "en"),
    [
        (Decimal("12.5000"), "%", "12,5\u00a0%", "12.5\u00a0%"),
        (Decimal("13.255"), "", "13,26", "13.26"),
        (Decimal("1200.0000"), "", "1200", "1200"),
        (Decimal("-0.001"), "€", "0\u00a0€", "0\u00a0€"),
        (Decimal("-4.10"), "", "-4,1", "-4.1"),
        (7.25, "", "7,25", "7.25"),
        (None, "%", "–", "–"),
    ],
)
def test_quantity_rounds_to_two_decimals_in_the_readers_locale(value, suffix, fi, en):
    with translation.override("fi"):
        assert quantity(value, suffix) == fi
    with translation.override("en"):
        assert quantity(value, suffix) == en
