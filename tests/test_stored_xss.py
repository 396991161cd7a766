"""Stored XSS: markup written into every free-text field comes back as text, everywhere.

The permission matrix's world (tests/test_permission_matrix.py) gets a status history, a
submitted self-assessment (its frozen report), lights with their reasons, and then every
free-text column of every row — the portal's models, their history rows, people's names,
an uploaded file's cells — is overwritten with a payload that breaks out of an attribute
and opens an element. Every page of the URL configuration (every GET route of the matrix)
is read as each persona who may read it: the element never appears as markup. The PDFs
show the payload as text, and the exports hold it exactly as written (not HTML-escaped).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from measures.status_engine import status_recompute_projects
from portal.models import JobUpload
from projects.models import BudgetLine
from projects.models import SteeringMeeting
from projects.services import expenditure_create
from reporting.exports.tables import TABLES

from .conftest import module_world
from .conftest import personas_build
from .factories import recorded_on
from .helpers import assessment_submit
from .helpers import status_report
from .test_permission_matrix import MATRIX
from .test_permission_matrix import OK
from .test_permission_matrix import PERSONAS
from .test_permission_matrix import _kwargs
from .test_permission_matrix import _user
from .test_permission_matrix import _world_build

MARKUP = "<i>XSS</i>"
PAYLOAD = f"\"'>{MARKUP}"  # leaves a quoted attribute, then opens an element
APPS = ("projects", "objectives", "measures", "reporting", "portal")
# Columns that are not text a person wrote: keys, codes of the system, file types, tokens.
SKIPPED = {"content_type", "language", "key", "token", "password", "username", "uid", "kind"}


def _text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.EmailField | models.URLField | models.SlugField)
        and not field.choices
        and not field.primary_key
        and field.name not in SKIPPED
        and (field.max_length is None or field.max_length >= len(PAYLOAD) + 6)
    ]


def _fill_every_text_field() -> int:
    """Overwrite each free-text column of every row with the payload (unique per row)."""
    filled = 0
    targets = [m for m in apps.get_models() if m._meta.app_label in APPS]
    for model in [*targets, get_user_model()]:
        fields = _text_fields(model)
        if model is get_user_model():
            fields = [model._meta.get_field("first_name"), model._meta.get_field("last_name")]
        if not fields:
            continue
        for pk in model._default_manager.values_list("pk", flat=True):
            model._default_manager.filter(pk=pk).update(
                **{field.name: f"{PAYLOAD}{pk}" for field in fields}
            )
            filled += 1
    return filled


def _enrich(world) -> None:
    """What the pages show beyond the matrix's rows: statuses with comments, lights with their
    reasons, a submitted self-assessment with its frozen report, an upload's cells."""
    personas, action = world["personas"], world["action"]
    # an earlier meeting: the meeting page then lists what changed since it
    SteeringMeeting.objects.create(project=personas.project, date=date(2023, 4, 1))
    with recorded_on(date(2023, 4, 15)):  # between the two meetings
        status_report(action, personas.project_worker, "in_progress", date(2023, 4, 15), PAYLOAD)
    line = BudgetLine.objects.create(
        project=personas.project, year=2023, category="personnel", line="Palkat", amount=1000
    )
    expenditure_create(
        project=personas.project,
        actor=personas.project_manager,
        date=date(2023, 2, 1),
        amount=Decimal("10"),
        category="personnel",
        description="Palkka",
        budget_line=line,
    )
    JobUpload.objects.filter(pk=world["import_job"].pk).update(
        rows=[[PAYLOAD, PAYLOAD]], preview={}
    )
    upload = JobUpload.objects.get(pk=world["finance_job"].pk)
    upload.rows[0]["cells"]["line"] = PAYLOAD
    JobUpload.objects.filter(pk=upload.pk).update(rows=upload.rows)


def _submit_round(world) -> None:
    personas, project = world["personas"], world["personas"].project
    assessment_submit(
        personas.project_manager,
        world["period"],
        project,
        summaries={world["action"].work_package_id: PAYLOAD},
        narratives={world["indicator"].pk: (PAYLOAD, PAYLOAD)},
    )


@pytest.fixture(scope="module")
def _xss_world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker):
        world = _world_build(personas_build())
        _enrich(world)
        assert _fill_every_text_field() > 50
        project = world["personas"].project
        # lights and their reasons (which name the late items) from the payload titles
        status_recompute_projects(project_ids=[project.pk], today=date(2024, 1, 15))
        _submit_round(world)  # the frozen report: built from the payload texts
        yield world


@pytest.fixture
def xss_world(_xss_world, db):
    return _xss_world


# Files, read back by the tests below them rather than as pages.
FILES = {
    "reporting:project-report-pdf",
    "meeting-pdf",
    "reporting:project-report-xlsx",
    "reporting:project-report-csv",
    "reporting:export-job-download",
}
PAGES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name, routes in MATRIX.items()
    for index, route in enumerate(routes)
    if route.method == "get" and name not in FILES
]


# Who sees none of this hanke's rows (the matrix proves it) is left out here.
STRANGERS = {"anonymous", "outsider", "other_worker"}


def _readers(route) -> list[str]:
    return [p for p in PERSONAS if route.expected[p] == OK and p not in STRANGERS]


def _get(client, world, persona, name, route):
    user = _user(persona, world)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=_kwargs(route.kwargs, world))
    # as a browser asks: the API answers with its browsable HTML pages too
    response = client.get(url, dict(route.data), HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code in (200, 302), (persona, response.status_code)
    return response


@pytest.mark.parametrize(("name", "index"), PAGES)
def test_no_page_renders_stored_markup(client, xss_world, name, index):
    route = MATRIX[name][index]
    for persona in _readers(route):
        response = _get(client, xss_world, persona, name, route)
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            continue  # files: read back below
        assert MARKUP not in response.content.decode(), persona
        client.logout()


# The pages that must show the payload at all (as text): else the test above proves nothing.
SHOWN = [
    ("objectives:hanke", "project"),
    ("objectives:action-detail", "action"),
    ("objectives:action-list", "project"),
    ("measures:indicator-detail", "indicator"),
    ("project-risks", "project"),
    ("meeting-detail", "meeting"),
    ("reporting:frozen-report", "round"),
    ("reporting:assessment", "round"),
    ("project-members", "project"),
    ("project-budget-import-preview", "finance_job"),
    ("object-history", "history"),
]


@pytest.mark.parametrize(("name", "kwargs"), SHOWN)
def test_the_payload_is_shown_as_text(client, xss_world, name, kwargs):
    client.force_login(xss_world["personas"].project_manager)
    response = client.get(reverse(name, kwargs=_kwargs(kwargs, xss_world)))
    assert response.status_code == 200
    assert "&lt;i&gt;XSS&lt;/i&gt;" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs"), [("reporting:project-report-pdf", "project"), ("meeting-pdf", "meeting")]
)
def test_pdfs_print_the_payload_as_text(client, xss_world, name, kwargs):
    # A document is the same whoever may download it (reporting/exports/documents.py takes
    # no user); who may is the permission matrix's question.
    client.force_login(xss_world["personas"].steering_member)
    response = client.get(reverse(name, kwargs=_kwargs(kwargs, xss_world)))
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    # the tags printed, not taken as markup: no "XSS" without its "<i>" before it
    assert MARKUP in text
    assert not re.findall(r"(?<!<i>)XSS", text), text


@pytest.mark.parametrize("table", TABLES)
def test_csv_exports_keep_the_payload_as_written(client, xss_world, table):
    client.force_login(xss_world["personas"].steering_member)
    project = xss_world["personas"].project
    response = client.get(
        reverse("reporting:project-report-csv", kwargs={"project_pk": project.pk, "table": table})
    )
    assert response.status_code == 200
    cells = [
        cell
        for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        for cell in row
    ]
    texts = [cell for cell in cells if "XSS" in cell]
    assert texts, f"the {table} table shows none of the written texts"
    assert all(cell.startswith(PAYLOAD) for cell in texts), texts


def test_the_workbook_keeps_the_payload_as_written(client, xss_world):
    client.force_login(xss_world["personas"].steering_member)
    project = xss_world["personas"].project
    response = client.get(reverse("reporting:project-report-xlsx", args=[project.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    texts = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and "XSS" in cell
    ]
    assert texts
    assert all(PAYLOAD in cell and "&lt;" not in cell for cell in texts), texts
