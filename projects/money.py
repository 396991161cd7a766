"""Money as people type it and as they read it (pure: no ORM, no request).

Contract:
- Amounts are exact `Decimal` euros with two decimals (cents); never floats.
- `parse_money("1 304 000,50 €")` reads what a person types in Finnish, Swedish or English
  style ("1 304 000", "1 304 000,50 €", "1304000.5", "1,304,000.50") and raises
  `MoneyRejected` with a message in the reader's language for anything negative, malformed
  or finer than a cent, rather than guessing.
- `format_money(amount, "fi")` writes it the reader's way: "1 304 000,00 €" in Finnish and
  Swedish (no-break spaces), "€1,304,000.00" in English.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
# DecimalField(max_digits=14, decimal_places=2): twelve digits before the decimal point.
MAX_AMOUNT = Decimal("999999999999.99")
NBSP = "\u00a0"

# Spaces people (and spreadsheets) put between digit groups: space, no-break, narrow no-break,
# thin space; and the ways the currency is written.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"(€|eur(os?)?)", re.IGNORECASE)
_MINUS = ("-", "\u2212", "\u2013")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


class MoneyRejected(ValueError):
    """The text is not an amount of money; the message is for the person who typed it."""


def _integer_part(text: str, grouping: str | None) -> str:
    """The digits before the decimal separator, with any grouping separators checked."""
    if grouping is None:
        if not text.isdigit():
            raise MoneyRejected(_("Enter an amount in euros, e.g. 1 304 000,50."))
        return text
    if not _GROUPED.match(text) or any(sep not in (grouping,) for sep in re.findall(r"[.,]", text)):
        raise MoneyRejected(_("Enter an amount in euros, e.g. 1 304 000,50."))
    return text.replace(grouping, "")


def _split(text: str) -> tuple[str, str]:
    """(integer digits, decimal digits) of a compact amount such as "1304000,5"."""
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        # Both: the last one is the decimal separator, the other groups digits (1.304.000,50).
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_sep == "," else ","
        whole, _sep, cents = text.rpartition(decimal_sep)
        return _integer_part(whole, grouping), cents
    separator = "," if commas else "." if dots else None
    if separator is None:
        return _integer_part(text, None), ""
    if text.count(separator) > 1:
        # "1,304,000" or "1.304.000": only grouping, no decimals.
        return _integer_part(text, separator), ""
    whole, _sep, cents = text.partition(separator)
    return _integer_part(whole, None), cents


def _check_space_groups(text: str) -> None:
    """Digits grouped by spaces must be grouped in threes ("1 304 000", not "13 04 000")."""
    head = re.match(r"^[+]?(\d+) \d", text)
    tails = re.findall(r"(?<=\d) (\d+)", text)
    if (head and len(head.group(1)) > 3) or any(len(t) != 3 for t in tails):
        raise MoneyRejected(_("Enter an amount in euros, e.g. 1 304 000,50."))


def parse_money(raw: str | None, *, allow_zero: bool = True) -> Decimal:
    """The amount in `raw` as Decimal euros with two decimals; MoneyRejected if it is not one."""
    spaced = _SPACES.sub(" ", _CURRENCY.sub("", raw or "")).strip()
    _check_space_groups(spaced)
    text = spaced.replace(" ", "")
    if not text:
        raise MoneyRejected(_("Enter an amount."))
    if text.startswith(_MINUS) or text.endswith(_MINUS):
        raise MoneyRejected(_("The amount cannot be negative."))
    if text.startswith("+"):
        text = text[1:]
    whole, cents = _split(text)
    if not whole or not whole.isdigit() or (cents and not cents.isdigit()):
        raise MoneyRejected(_("Enter an amount in euros, e.g. 1 304 000,50."))
    if len(cents) > 2:
        raise MoneyRejected(_("Give the amount to the cent at most (two decimals)."))
    try:
        amount = Decimal(f"{whole}.{cents or '0'}").quantize(CENT)
    except InvalidOperation:  # pragma: no cover - the checks above leave only digits
        raise MoneyRejected(_("Enter an amount in euros, e.g. 1 304 000,50.")) from None
    if amount > MAX_AMOUNT:
        raise MoneyRejected(_("The amount is too large."))
    if amount == 0 and not allow_zero:
        raise MoneyRejected(_("The amount must be more than zero."))
    return amount


# (grouping, decimal separator, euro before the amount) per language.
_STYLES = {
    "fi": (NBSP, ",", False),
    "sv": (NBSP, ",", False),
    "en": (",", ".", True),
}


def format_money(amount: Decimal | int | None, language: str = "fi") -> str:
    """`amount` in euros with cents, written the reader's way ("1 304 000,00 €")."""
    if amount is None:
        return "–"
    grouping, decimal_sep, euro_first = _STYLES.get((language or "fi")[:2], _STYLES["fi"])
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "\u2212" if value < 0 else ""
    whole, _sep, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    number = f"{grouping.join(groups)}{decimal_sep}{cents}"
    return f"{sign}€{number}" if euro_first else f"{sign}{number}{NBSP}€"


def share(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """part / whole as a fraction rounded to 0.0001 (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
