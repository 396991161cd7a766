"""`load_demo --without-generated` (or DEMO_GENERATED_VALUES=0): the demo with only the plans'
own figures (issue 15, point 1). On an empty database (each test loads what it needs)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from measures.models import Indicator
from measures.models import Measurement
from measures.selectors import with_latest_source
from reporting.demo.loader import generated_values_wanted

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


def test_the_option_wins_over_the_setting(settings):
    settings.DEMO_GENERATED_VALUES = False
    assert generated_values_wanted() is False
    assert generated_values_wanted(True) is True
    settings.DEMO_GENERATED_VALUES = True
    assert generated_values_wanted() is True
    assert generated_values_wanted(False) is False


@pytest.mark.expected_seconds(25)  # two real demo loads
def test_load_demo_without_generated_values(settings):
    # when the demo is loaded without generated values (the setting would allow them)
    settings.DEMO_GENERATED_VALUES = True
    out = StringIO()
    call_command("load_demo", "--no-users", "--without-generated", stdout=out)
    # then only the plans' own figures are stored
    assert "0 generated values removed" in out.getvalue()
    assert Measurement.objects.exists()
    assert set(Measurement.objects.values_list("source", flat=True)) == {"plan"}
    # and after recomputing, no indicator light is coloured unless a real value carries it
    call_command("recompute_status", "--date", TODAY.isoformat(), stdout=StringIO())
    coloured = with_latest_source(Indicator.objects.select_related("progress")).exclude(
        progress__light="grey"
    )
    for indicator in coloured:
        assert indicator.latest_source not in (None, "demo"), indicator
    # and loading again with the setting off changes nothing
    settings.DEMO_GENERATED_VALUES = False
    again = StringIO()
    call_command("load_demo", "--no-users", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert not Measurement.objects.filter(source="demo").exists()
