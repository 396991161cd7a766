"""How a person is named on pages, in messages and in exports: one rule for every app."""

from __future__ import annotations


def display_name(user) -> str:
    """The user's full name, or the username when no name is recorded; "" for no user."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
