"""Money is exact Decimal euros: typed text in, the reader's way out (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money import MAX_AMOUNT
from projects.money import NBSP
from projects.money import MoneyRejected
from projects.money import format_money
from projects.money import parse_money
from projects.money import share

from .helpers import refused_in_english

CENTS = st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100))


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1 304 000", "1304000.00"),
        ("1 304 000,50 €", "1304000.50"),
        ("1304000.5", "1304000.50"),
        ("1\u00a0304\u00a0000,00\u00a0€", "1304000.00"),
        ("1\u202f304\u202f000,05", "1304000.05"),
        ("1,304,000.50", "1304000.50"),
        ("1.304.000,50", "1304000.50"),
        ("€1,304,000.00", "1304000.00"),
        ("950 000 EUR", "950000.00"),
        ("0,01", "0.01"),
        ("  12  ", "12.00"),
        ("+5", "5.00"),
        ("254000", "254000.00"),
    ],
)
def test_typed_amounts_are_read_to_the_cent(typed, amount):
    assert parse_money(typed) == Decimal(amount)
    assert parse_money(typed).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "cannot be negative"),
        ("−1 000", "cannot be negative"),
        ("5-", "cannot be negative"),
        ("", "Enter an amount."),
        ("€", "Enter an amount."),
        ("abc", "Enter an amount in euros"),
        ("12,3,4", "Enter an amount in euros"),
        ("13 04 000", "Enter an amount in euros"),
        ("1304 000", "Enter an amount in euros"),
        ("1,30.4", "Enter an amount in euros"),
        ("1e5", "Enter an amount in euros"),
        ("NaN", "Enter an amount in euros"),
        (",50", "Enter an amount in euros"),
        ("1,304", "two decimals"),
        ("0,001", "two decimals"),
        ("1 000 000 000 000", "too large"),
    ],
)
def test_negative_and_malformed_amounts_are_refused_with_a_clear_message(typed, message):
    with refused_in_english(MoneyRejected, message):
        parse_money(typed)


def test_zero_is_refused_only_where_an_amount_must_be_positive():
    assert parse_money("0") == Decimal("0.00")
    with refused_in_english(MoneyRejected, "more than zero"):
        parse_money("0,00 €", allow_zero=False)


@pytest.mark.parametrize(
    ("amount", "language", "written"),
    [
        ("1304000", "fi", f"1{NBSP}304{NBSP}000,00{NBSP}€"),
        ("1304000", "sv", f"1{NBSP}304{NBSP}000,00{NBSP}€"),
        ("1304000.5", "en", "€1,304,000.50"),
        ("0.05", "fi", f"0,05{NBSP}€"),
        ("999", "fi", f"999,00{NBSP}€"),
        ("1000", "fi", f"1{NBSP}000,00{NBSP}€"),
        ("-12.5", "fi", f"\u221212,50{NBSP}€"),
        ("0.005", "fi", f"0,01{NBSP}€"),  # half a cent rounds up, never to a float's whim
    ],
)
def test_amounts_are_written_the_readers_way(amount, language, written):
    assert format_money(Decimal(amount), language) == written


def test_a_missing_amount_is_a_dash():
    assert format_money(None) == "–"


@given(cents=CENTS, language=st.sampled_from(["fi", "sv", "en"]))
def test_what_is_written_reads_back_to_the_same_cent(cents, language):
    amount = Decimal(cents) / 100
    assert parse_money(format_money(amount, language)) == amount


@given(parts=st.lists(CENTS.map(lambda c: Decimal(c) / 100), max_size=50))
def test_sums_of_amounts_are_exact_to_the_cent(parts):
    total = sum(parts, Decimal(0))
    assert total == Decimal(sum(int(p * 100) for p in parts)) / 100
    # The float sum would drift (0.1 + 0.2); the Decimal one never does.
    assert sum([Decimal("0.10"), Decimal("0.20")], Decimal(0)) == Decimal("0.30")


def test_002_budget_lines_add_up_to_the_pinned_total_exactly():
    i1 = [40000, 240000, 200000, 150000, 30000, 90000, 100000, 30000, 30000, 40000]
    i2, i4 = [15000, 30000, 25000, 30000], [56000, 120000, 30000, 48000]
    assert [sum(i1), sum(i2), sum(i4)] == [950000, 100000, 254000]
    total = sum(parse_money(str(n)) for n in i1 + i2 + i4)
    assert format_money(total, "fi") == f"1{NBSP}304{NBSP}000,00{NBSP}€"


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [("0", "100", "0"), ("50", "200", "0.25"), ("1", "3", "0.3333"), ("5", None, None)],
)
def test_share_is_a_rounded_fraction(part, whole, expected):
    result = share(Decimal(part), Decimal(whole) if whole else None)
    assert result == (Decimal(expected) if expected else None)
