"""FastSelect renders what Django's Select renders (no database)."""

from __future__ import annotations

import re

import pytest
from django import forms

from portal.widgets import FastSelect

CHOICES = [("", "–"), ("1", "Anna <Admin> & co"), ("2", "Bertil Ö"), ("3", "Cecilia")]


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "2", ["3"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_owner", "required": True, "aria-x": "y"}])
def test_fast_select_matches_djangos_select(value, attrs):
    fast = FastSelect(choices=CHOICES).render("owner", value, attrs)
    django = forms.Select(choices=CHOICES).render("owner", value, attrs)
    assert _normal(fast) == _normal(django)
    assert "&lt;Admin&gt; &amp; co" in fast  # labels are escaped
