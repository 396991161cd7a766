"""Schedules as the plans write them → planned start and end (pure, no database)."""

from datetime import date

import pytest

from portal.periods import parse_schedule


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("5-12/2022", date(2022, 5, 1), date(2022, 12, 31)),
        ("8-12/2022", date(2022, 8, 1), date(2022, 12, 31)),
        ("2 - 6 / 2023", date(2023, 2, 1), date(2023, 6, 30)),
        ("Q3/2023", date(2023, 7, 1), date(2023, 9, 30)),
        ("q1/2024", date(2024, 1, 1), date(2024, 3, 31)),
        ("3/2023", date(2023, 3, 1), date(2023, 3, 31)),
        ("2/2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2023-2025", date(2023, 1, 1), date(2025, 12, 31)),
        ("2023–2025", date(2023, 1, 1), date(2025, 12, 31)),
        ("9/2022-3/2023", date(2022, 9, 1), date(2023, 3, 31)),
        ("5-8/2022, 9-11/2022, 11-12/2022", date(2022, 5, 1), date(2022, 12, 31)),
        ("2023, 2024-2025", date(2023, 1, 1), date(2025, 12, 31)),
        ("2023-2025, kvartaali 04/2024", date(2023, 1, 1), date(2025, 12, 31)),
    ],
)
def test_schedule_text_gives_start_and_end(text, start, end):
    # given a schedule as a plan writes it / when parsed / then both dates are known
    assert parse_schedule(text) == (start, end)


@pytest.mark.parametrize(
    "text",
    [None, "", "koko hankkeen ajan", "syksyllä", "13/2022", "12-5/2022", "2025-2023", "Q5/2023"],
)
def test_unreadable_or_empty_schedule_gives_no_dates(text):
    assert parse_schedule(text) == (None, None)
