"""Queries that PostgreSQL answers with DISTINCT ON also run on the SQLite of `make run`."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from measures.history import as_recorded
from objectives.models import Action
from portal.models_common import first_of_each

from .factories import ActionFactory
from .factories import ProjectFactory
from .factories import WorkPackageFactory
from .factories import recorded_on


@pytest.fixture
def actions(db):
    """Two actions whose statuses changed on recorded days (their history rows)."""
    project = ProjectFactory()
    package = WorkPackageFactory(project=project)
    with recorded_on(date(2025, 1, 1)):
        first = ActionFactory(project=project, work_package=package, number="1")
        second = ActionFactory(project=project, work_package=package, number="2")
    for action, day, status in [
        (first, 3, "done"),
        (second, 2, "in_progress"),
        (first, 2, "starting"),  # recorded in this order, dated as given
    ]:
        with recorded_on(date(2025, 1, day)):
            Action.objects.filter(pk=action.pk).update(status=status)
            Action.objects.get(pk=action.pk).save()
    return project, first, second


@pytest.mark.parametrize("distinct_on", [True, False])
def test_first_of_each_keeps_the_newest_row_per_object(actions, monkeypatch, distinct_on):
    _project, first, second = actions
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", distinct_on)
    history = Action.history.filter(id__in=[first.pk, second.pk]).order_by("id", "-history_date")
    rows = first_of_each(history.values_list("id", "status"), ("id",), key=lambda r: r[0])
    assert rows == [(first.pk, "done"), (second.pk, "in_progress")]


@pytest.mark.parametrize("distinct_on", [True, False])
def test_rows_as_recorded_by_a_day(actions, monkeypatch, distinct_on):
    project, first, second = actions
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", distinct_on)
    scope, fields = {"project_id__in": [project.pk]}, ("id", "status")
    by_day = {
        day: {r["id"]: r["status"] for r in as_recorded(Action, scope, fields, date(2025, 1, day))}
        for day in (1, 2, 3)
    }
    assert by_day[1] == {first.pk: "not_started", second.pk: "not_started"}
    assert by_day[2] == {first.pk: "starting", second.pk: "in_progress"}
    assert by_day[3] == {first.pk: "done", second.pk: "in_progress"}
    assert as_recorded(Action, scope, fields, date(2024, 12, 31)) == []  # not yet recorded
