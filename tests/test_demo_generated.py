"""The demo's generated values (issue 15, point 1) on the full demo data set: with them, every
indicator list says which values and lights rest on them; `remove_generated_values` deletes
them all at once, after which no indicator light is coloured unless a real value carries it.

Its own module: it loads the demo data once (conftest `demo_db`).
"""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures.models import Indicator
from measures.models import IndicatorProgress
from measures.models import Measurement
from measures.selectors import with_latest_source
from measures.services import GENERATED_REMOVED_REASON
from measures.status_engine import status_recompute_all
from portal.paging import PAGE_SIZE
from portal.paging import PARAM
from projects.models import Project

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


def _coloured():
    return with_latest_source(Indicator.objects.select_related("progress")).exclude(
        progress__light="grey"
    )


def test_with_generated_values_every_indicator_list_marks_them(client, demo_db, personas):
    # given the demo data with generated values and today's lights
    status_recompute_all(today=TODAY)
    assert Measurement.objects.filter(source="demo").count() > 700
    resting = [i for i in _coloured() if i.latest_generated]
    assert resting  # the demo colours lights with generated values ...
    client.force_login(personas.programme_admin)
    for project in Project.objects.all():
        url = reverse("measures:indicator-list", args=[project.pk])
        pages = 1 + (project.indicators.count() - 1) // PAGE_SIZE
        html = "".join(
            client.get(url, {PARAM: page}).content.decode() for page in range(1, pages + 1)
        )
        # ... and each hanke's list marks every value and light that rests on one
        expected = sum(
            1 for i in with_latest_source(project.indicators.all()) if i.latest_generated
        )
        assert html.count('data-generated="light"') == expected, project
        assert html.count('data-generated="value"') == expected, project


def test_removing_generated_values_leaves_no_light_coloured_by_one(demo_db):
    # given the demo data with generated values
    plan_values = Measurement.objects.filter(source="plan").count()
    generated = Measurement.objects.filter(source="demo")
    count, hankkeet = generated.count(), generated.values("indicator__project").distinct().count()
    # when they are removed with the command and the lights recomputed
    out = StringIO()
    call_command("remove_generated_values", stdout=out)
    assert f"Removed {count} generated values from {hankkeet} hankkeet" in out.getvalue()
    call_command("recompute_status", "--date", TODAY.isoformat(), stdout=StringIO())
    # then only the plans' own figures are left, each removal in the history
    assert not Measurement.objects.filter(source="demo").exists()
    assert Measurement.objects.filter(source="plan").count() == plan_values
    deleted = Measurement.history.filter(history_type="-")
    assert deleted.count() == count
    assert set(deleted.values_list("history_change_reason", flat=True)) == {
        GENERATED_REMOVED_REASON
    }
    # and every coloured indicator light rests on a real value
    for indicator in _coloured():
        assert indicator.latest_source not in (None, "demo"), indicator
    assert not Project.objects.exclude(status_dirty_at=None).exists()
    assert IndicatorProgress.objects.exists()
    # and a second run finds nothing to remove
    again = StringIO()
    call_command("remove_generated_values", stdout=again)
    assert "Removed 0 generated values from 0 hankkeet" in again.getvalue()
