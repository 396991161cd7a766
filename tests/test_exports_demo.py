"""Smoke test: the regional report of a demo hanke (its own module: it loads the demo data)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.status_engine import status_recompute_projects
from projects.models import Project

pytestmark = pytest.mark.django_db
TODAY = date(2023, 6, 30)


def test_a_demo_hanke_exports(client, settings, demo_db, personas):
    # given the demo data with lights computed for a Keski-Suomi hanke
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    project = Project.objects.filter(region__code="13").first()
    assert project is not None
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    client.force_login(personas.programme_admin)
    # when the workbook and the actions CSV are downloaded
    xlsx = client.get(reverse("reporting:project-report-xlsx", args=[project.pk]))
    url = reverse("reporting:project-report-csv", args=[project.pk, "actions"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    # then both hold every action of the hanke, with its work package code and a light
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    actions = book["Actions"]
    assert actions.max_row - 1 == project.actions.count() == len(rows) - 1 > 0
    codes = set(project.work_packages.values_list("code", flat=True))
    header = rows[0]
    assert {row[header.index("Work package")] for row in rows[1:]} <= codes
    assert all(row[header.index("Light")] for row in rows[1:])
    indicators = book["Indicators"]
    assert indicators.max_row - 1 >= project.indicators.count()
