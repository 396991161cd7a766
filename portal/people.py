"""How a person is named on pages, in messages and in exports: one rule for every app."""

from __future__ import annotations


def display_name(user) -> str:
    """The user's full name, or the username when no name is recorded; "" for no user."""
    if user is None:
        return ""
    return person_name(user.first_name, user.last_name, user.get_username())


def person_name(first_name: str, last_name: str, username: str) -> str:
    """The rule of `display_name` from the columns (a list read as plain values)."""
    return f"{first_name} {last_name}".strip() or username
