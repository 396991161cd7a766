"""The one period grammar (portal.periods): days, periods and schedules (pure, no database)."""

from datetime import date

import pytest

from portal.periods import PeriodError
from portal.periods import month_end
from portal.periods import parse_date
from portal.periods import parse_period
from portal.periods import parse_schedule
from portal.periods import period_end_for
from portal.periods import year_end


@pytest.mark.parametrize(
    ("year", "month", "end"),
    [(2024, 2, date(2024, 2, 29)), (2023, 2, date(2023, 2, 28)), (2022, 12, date(2022, 12, 31))],
)
def test_month_end_knows_leap_years(year, month, end):
    assert month_end(year, month) == end


def test_year_end_is_the_31st_of_december():
    assert year_end(2023) == date(2023, 12, 31)


@pytest.mark.parametrize(
    ("day", "frequency", "end"),
    [
        (date(2024, 2, 10), "monthly", date(2024, 2, 29)),
        (date(2024, 5, 1), "quarterly", date(2024, 6, 30)),
        (date(2024, 7, 1), "half_yearly", date(2024, 12, 31)),
        (date(2024, 6, 30), "half_yearly", date(2024, 6, 30)),
        (date(2024, 1, 1), "yearly", date(2024, 12, 31)),
    ],
)
def test_period_end_for_a_day_and_a_frequency(day, frequency, end):
    assert period_end_for(day, frequency) == end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.2022", date(2022, 12, 31)),
        ("2022-12-31", date(2022, 12, 31)),
        ("1.2.1999", date(1999, 2, 1)),  # a day has no year range; periods do
        ("2022-12-31 10:15", date(2022, 12, 31)),
        ("2022-12-31T10:15:00", date(2022, 12, 31)),
        ("31.12.2022 10.15", date(2022, 12, 31)),
        ("  31.12.2022 ", date(2022, 12, 31)),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_are_read_iso_or_finnish(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "impossible"), [("3/2024", False), ("x", False), ("31.2.2022", True)]
)
def test_a_date_parser_says_whether_the_text_was_no_date_or_an_impossible_one(text, impossible):
    with pytest.raises(PeriodError) as refused:
        parse_date(text)
    assert refused.value.impossible is impossible


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("q1 2024", date(2024, 3, 31)),
        ("Q3-2023", date(2023, 9, 30)),
        ("2023 Q2", date(2023, 6, 30)),
        ("3.2024", date(2024, 3, 31)),
        ("2024/2", date(2024, 2, 29)),
        ("vuosi 2023", date(2023, 12, 31)),
        # as the finance system's CSV writes them (projects.finance_import)
        ("3/2022", date(2022, 3, 31)),
        ("03/2022", date(2022, 3, 31)),
        ("2022-02", date(2022, 2, 28)),
        ("2024-02", date(2024, 2, 29)),
        ("Q2/2022", date(2022, 6, 30)),
        ("2022Q4", date(2022, 12, 31)),
        ("2022", date(2022, 12, 31)),
        ("15.3.2022", date(2022, 3, 15)),
        ("2022-03-15", date(2022, 3, 15)),
    ],
)
def test_periods_end_on_their_last_day(text, end):
    assert parse_period(text) == end


@pytest.mark.parametrize(
    "text",
    ["2023-2025", "5-12/2022", "2101", "1999-12"]
    # and as the finance system's CSV might write them
    + ["31.2.2022", "13/2022", "Q5/2022", "maaliskuu", "1.1.1890", ""],
)
def test_what_is_not_one_period_within_the_programme_years_is_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_a_schedule_reads_a_quarter_written_number_first_and_skips_unreadable_steps():
    assert parse_schedule("1/Q/2023") == (date(2023, 1, 1), date(2023, 3, 31))
    assert parse_schedule("syksy, 3/2024") == (date(2024, 3, 1), date(2024, 3, 31))
    assert parse_schedule("31.12.2023") == (None, None)  # a day is not a schedule
