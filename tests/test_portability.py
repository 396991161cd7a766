"""Queries that PostgreSQL answers with DISTINCT ON also run on the SQLite of `make run`."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from portal.models_common import first_of_each
from reporting.models import RollupKind, StatusRollup

from .factories import ProjectFactory


@pytest.fixture
def rollups(db):
    project = ProjectFactory()
    for object_id, day, light in [(1, 1, "red"), (1, 3, "green"), (2, 2, "yellow"), (2, 1, "red")]:
        StatusRollup.objects.create(
            kind=RollupKind.ACTION,
            object_id=object_id,
            project=project,
            as_of=date(2025, 1, day),
            light=light,
            reason_code="test",
            computed_at=timezone.now(),
        )
    return StatusRollup.objects.filter(project=project).order_by("kind", "object_id", "-as_of")


@pytest.mark.parametrize("distinct_on", [True, False])
def test_first_of_each_keeps_the_newest_row_per_object(rollups, monkeypatch, distinct_on):
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", distinct_on)
    rows = first_of_each(
        rollups.values_list("object_id", "light"), ("kind", "object_id"), key=lambda r: r[0]
    )
    assert rows == [(1, "green"), (2, "yellow")]
