"""Every URL × every persona: login redirect, 404 outside scope, 403 read-only, success.

The list of routes comes from the URL configuration itself: a new URL without an entry in
MATRIX fails `test_every_url_has_an_entry_in_the_matrix`. Django admin is covered by
tests/test_admin.py (staff only) and is left out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse

from portal.mail import unsubscribe_token
from portal.models import Job
from portal.models import JobUpload
from projects.models import MeetingDecision
from projects.models import PlanVersion
from projects.models import Risk
from projects.models import SteeringMeeting
from reporting.imports.services import import_job_create

from .conftest import module_world
from .conftest import personas_build
from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProcessGoalFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory
from .factories import member

PERSONAS = [
    "anonymous",
    "outsider",
    "ministry_viewer",
    "steering_member",
    "region_steering",  # a steering group member over the hanke's whole region
    "other_worker",
    "project_worker",  # owns the world's action
    "fellow_worker",  # a worker of the same hanke who does not own the action
    "project_manager",
    "programme_admin",
]
LOGIN, OK, FORBIDDEN, MISSING = "login", "ok", 403, 404
UNAUTHORIZED = 401  # the open data API answers an anonymous call instead of redirecting


def _expect(anonymous, outsider, viewer, steering, other_worker, worker, manager, admin, **more):
    """The answer per persona: a region's steering member as the hanke's own steering
    member, a fellow worker as the owning worker, unless `more` says otherwise."""
    expected = {
        "anonymous": anonymous,
        "outsider": outsider,
        "ministry_viewer": viewer,
        "steering_member": steering,
        "region_steering": steering,
        "other_worker": other_worker,
        "project_worker": worker,
        "fellow_worker": worker,
        "project_manager": manager,
        "programme_admin": admin,
    }
    expected.update(more)
    assert list(expected) == sorted(expected, key=PERSONAS.index)
    return expected


PUBLIC = _expect(OK, OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = _expect(LOGIN, OK, OK, OK, OK, OK, OK, OK)
HANKE_READ = _expect(LOGIN, MISSING, OK, OK, MISSING, OK, OK, OK)
HANKE_ENTRY = _expect(LOGIN, MISSING, FORBIDDEN, FORBIDDEN, MISSING, OK, OK, OK)
# An action's status: the worker who owns it, not every worker of the hanke.
ACTION_ENTRY = _expect(
    LOGIN, MISSING, FORBIDDEN, FORBIDDEN, MISSING, OK, OK, OK, fellow_worker=FORBIDDEN
)
HANKE_MANAGE = _expect(LOGIN, MISSING, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, OK, OK)
PROGRAMME_READ = _expect(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
ADMIN_ONLY = _expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
# THL's decision on a hanke's self-assessment: 404 outside the hanke, 403 for its own roles.
HANKE_DECIDE = _expect(LOGIN, MISSING, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, FORBIDDEN, OK)
# The open data API (reporting/api): lists are scoped (an outsider gets their own rows), a
# detail outside the caller's scope is 404, like the pages; read-only, so no write routes.
API_SIGNED_IN = _expect(UNAUTHORIZED, OK, OK, OK, OK, OK, OK, OK)
API_HANKE_READ = _expect(UNAUTHORIZED, MISSING, OK, OK, MISSING, OK, OK, OK)
# An export job's page, status and rerun belong to its requester (here the ministry viewer):
# everyone else gets 404, the programme admin included.
JOB_OWNER = _expect(LOGIN, MISSING, OK, MISSING, MISSING, MISSING, MISSING, MISSING)
# An uploaded import file belongs to the user who uploaded it (the hanke's manager here):
# 404 for everyone else, the programme admin included.
IMPORT_OWNER = _expect(LOGIN, MISSING, MISSING, MISSING, MISSING, MISSING, OK, MISSING)


@dataclass(frozen=True)
class Route:
    method: str
    kwargs: str  # which object of the world fills the URL
    expected: dict
    data: tuple = ()


def _page(kwargs: str, expected: dict, *queries: tuple) -> list[Route]:
    """A page read (GET) as `expected` says: as it is, and with each of `queries`."""
    return [Route("get", kwargs, expected, query) for query in ((), *queries)]


def _form(kwargs: str, expected: dict, data: tuple = (), *, read=None, query: tuple = ()):
    """A page with a form: read (GET, with `query`) as `read` says, or as `expected` when
    not given, and the form posted (POST `data`) as `expected` says."""
    return [Route("get", kwargs, read or expected, query), Route("post", kwargs, expected, data)]


def _plan_editor(part: str, add: tuple, edit: tuple) -> dict[str, list[Route]]:
    """The plan editor's add and edit pages of one part of the plan (issue #17): the hanke's
    manager and the programme office only; `add` and `edit` are what is posted to each."""
    return {
        f"reporting:plan-{part}-add": _form("project", HANKE_MANAGE, add),
        f"reporting:plan-{part}-edit": _form(f"plan_{part}", HANKE_MANAGE, edit),
    }


# The action status form, filled in.
ACTION_STATUS = (
    ("status", "in_progress"),
    ("status_date", "2023-05-01"),
    ("comment", "x"),
    ("expected_version", "1"),
)


MATRIX: dict[str, list[Route]] = {
    "healthz": _page("", PUBLIC),
    "set_language": [Route("post", "", PUBLIC, (("language", "sv"), ("next", "/")))],
    "login": _page("", PUBLIC),
    "logout": [Route("post", "", PUBLIC)],
    "password_change": _page("", SIGNED_IN),
    "password_change_done": _page("", SIGNED_IN),
    "password_reset": _page("", PUBLIC),
    "password_reset_done": _page("", PUBLIC),
    "password_reset_confirm": _page("reset", PUBLIC),
    "password_reset_complete": _page("", PUBLIC),
    "home": _page("", SIGNED_IN),
    "reporting:overview": _page("", SIGNED_IN, (("kierros", "viimeisin"),)),
    "reporting:round-compare": _page("", PROGRAMME_READ),
    "reporting:hanke-round-compare": _page("project", HANKE_READ),
    "reporting:compare": _page(
        "", PROGRAMME_READ, (("ht", "2"),), (("indicator", "sotkanet:4123"),)
    ),
    "reporting:project-report-xlsx": _page("project", HANKE_READ),
    "reporting:project-report-csv": _page("project_table", HANKE_READ),
    "reporting:project-report-pdf": _page("project", HANKE_READ),
    # No round posted: the form again.
    "reporting:national-extract": _form("", PROGRAMME_READ, (("format", "xlsx"),)),
    "reporting:export-job-list": _page("", SIGNED_IN),
    "reporting:export-job-detail": _page("national_job", JOB_OWNER),
    "reporting:export-job-status": _page("national_job", JOB_OWNER),
    "reporting:export-job-rerun": [Route("post", "failed_job", JOB_OWNER)],
    # The file: the requester's national extract; a regional report (asked for by the
    # hanke's worker) for everyone who may see that hanke.
    "reporting:export-job-download": [
        *_page("national_job", JOB_OWNER),
        *_page("regional_job", HANKE_READ),
    ],
    "reporting:period-list": _form(
        "", ADMIN_ONLY, (("name", "Väliarviointi 4/2030"),), read=PROGRAMME_READ
    ),
    "reporting:period-edit": _form("period", ADMIN_ONLY, (("name", ""),)),
    "reporting:round-dashboard": _page("dashboard", PROGRAMME_READ),
    "reporting:hanke-rounds": _page("project", HANKE_READ),
    "reporting:assessment": _form(
        "round", HANKE_MANAGE, (("action", "save"), ("expected_version", "0")), read=HANKE_READ
    ),
    "reporting:assessment-decide": [
        Route("post", "round", HANKE_DECIDE, (("decision", "accept"), ("expected_version", "1")))
    ],
    "reporting:frozen-report": _page("round", HANKE_READ),
    # Workers import measurements; the plan (actions, indicators) is the manager's.
    "reporting:import-start": _form("project", HANKE_ENTRY, (("kind", "measurements"),)),
    "reporting:import-map": _form(
        "import_job",
        IMPORT_OWNER,
        (("col_work_package", "Work package"), ("col_number", "Action number")),
    ),
    "reporting:import-job": _page("import_job", IMPORT_OWNER),
    "reporting:import-confirm": [Route("post", "import_job", IMPORT_OWNER)],
    "reporting:import-rerun": [Route("post", "import_job", IMPORT_OWNER)],
    "measures:indicator-list": _page("project", HANKE_READ, (("sivu", "2"),)),
    "measures:indicator-detail": _form(
        "indicator",
        HANKE_ENTRY,
        (
            ("period", "2022-12-31"),
            ("value", "50"),
            ("source", "manual"),
            ("expected_version", "0"),
        ),
        read=HANKE_READ,
    ),
    "measures:indicator-sotkanet-upload": [Route("post", "indicator", HANKE_ENTRY)],
    # The plan in the browser (issue #17): the hanke's manager and the programme office only.
    "reporting:plan": _page("project", HANKE_MANAGE, (("osa", "poistetut"),)),
    # Each part of the plan: an add page and an edit page (the posts are invalid: the form
    # again, or a refusal).
    **_plan_editor("package", (("code", ""),), (("op", "retire"), ("reason", ""))),
    **_plan_editor("goal", (("number", ""),), (("number", ""), ("expected_version", "1"))),
    **_plan_editor("action", (("number", ""),), (("number", ""), ("expected_version", "1"))),
    **_plan_editor("indicator", (("code", ""),), (("op", "targets"), ("target_2023", "x"))),
    "reporting:plan-versions": _form("project", HANKE_MANAGE, (("name", ""),)),
    "reporting:plan-version-diff": _page("plan_version", HANKE_MANAGE),
    "objectives:action-list": _page("project", HANKE_READ, (("sivu", "2"),)),
    "objectives:goal-detail": _page("goal", HANKE_READ),
    "objectives:hanke": _page(
        "project",
        HANKE_READ,
        (("kierros", "viimeisin"),),
        # one package opened, a page of its rows (the htmx request: tests/test_hanke_large.py)
        (("paketti", "1"), ("sivu", "2")),
        (("q", "x"), ("sivu", "2")),
    ),
    "objectives:action-detail": _form("action", ACTION_ENTRY, ACTION_STATUS, read=HANKE_READ),
    "objectives:action-row": [
        *_page("action", HANKE_READ),
        *_form("action", ACTION_ENTRY, ACTION_STATUS, read=ACTION_ENTRY, query=(("edit", "1"),)),
    ],
    "objectives:my-work": _page("", SIGNED_IN, (("scope", "hanke"), ("sivu", "2"))),
    "object-history": _page("history", HANKE_READ),
    "change-log": _page("", ADMIN_ONLY),
    "project-members": _form(
        "project",
        HANKE_MANAGE,
        read=HANKE_READ,
        data=(
            ("email", "uusi@example.invalid"),
            ("first_name", "Uusi"),
            ("last_name", "Henkilö"),
            ("role", "worker"),
        ),
    ),
    "project-budget": _form(
        "project",
        HANKE_MANAGE,
        (
            ("date", "2023-05-01"),
            ("amount", "1 250,50"),
            ("category", "personnel"),
            ("description", "x"),
        ),
        read=HANKE_READ,
    ),
    # No file posted: the form answers with its error.
    "project-budget-import": _form("project", HANKE_MANAGE),
    # Confirming a file whose row matches no budget line: refused with a message, nothing saved.
    "project-budget-import-preview": _form("finance_job", HANKE_MANAGE),
    "project-risks": _form(
        "project", HANKE_MANAGE, (("title", "x"), ("status", "open")), read=HANKE_READ
    ),
    "risk-edit": _form(
        "risk", HANKE_MANAGE, (("title", "x"), ("status", "open"), ("expected_version", "1"))
    ),
    "project-meetings": _form(
        "project", HANKE_MANAGE, (("date", "2023-06-01"), ("attendees", "x")), read=HANKE_READ
    ),
    "meeting-detail": _form(
        "meeting", HANKE_MANAGE, (("text", "Päätös"), ("due_date", "2023-09-01")), read=HANKE_READ
    ),
    "meeting-pdf": _page("meeting", HANKE_READ),
    "meeting-decision-done": [Route("post", "decision", HANKE_MANAGE, (("done", "1"),))],
    "member-edit": [Route("post", "membership", HANKE_MANAGE, (("action", "end"),))],
    "api:api-root": _page("", API_SIGNED_IN),
    "api:schema": _page("", API_SIGNED_IN),
    "api:docs": _page("", API_SIGNED_IN),
    "api:region-list": _page("", API_SIGNED_IN),
    "api:region-detail": _page("region", API_HANKE_READ),
    "api:project-list": _page("", API_SIGNED_IN),
    "api:project-detail": _page("project_pk", API_HANKE_READ),
    "api:goal-list": _page("", API_SIGNED_IN),
    "api:goal-detail": _page("goal", API_HANKE_READ),
    "api:action-list": _page("", API_SIGNED_IN),
    "api:action-detail": _page("action", API_HANKE_READ),
    "api:indicator-list": _page("", API_SIGNED_IN),
    "api:indicator-detail": _page("indicator", API_HANKE_READ),
    "api:measurement-list": _page("", API_SIGNED_IN),
    "api:measurement-detail": _page("measurement", API_HANKE_READ),
    "preferences": _form("", SIGNED_IN, (("language", "en"), ("digest_enabled", "on"))),
    # The signed token in the address is the permission: no login needed.
    "digest-unsubscribe": _form("unsubscribe", PUBLIC),
    "user-list": _page("", ADMIN_ONLY),
    "user-edit": [
        Route("post", "user", ADMIN_ONLY, (("action", "role"), ("programme_role", "viewer")))
    ],
}


def _named_routes(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_has_an_entry_in_the_matrix():
    missing = _named_routes() - set(MATRIX)
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    # Built once for the module's ~1 000 cases; each case runs in a savepoint rolled back
    # after it (conftest.module_world), so a POST in one case is gone before the next.
    with module_world(django_db_blocker):
        yield _world_build(personas_build())


@pytest.fixture
def world(_world, db):
    return _world


def _world_build(personas) -> dict:
    """One hanke with an indicator, an action owned by its worker and a worker's membership;
    a second worker of the hanke, a steering member of its region, a worker of another."""
    package = WorkPackageFactory(project=personas.project)
    action = ActionFactory(
        work_package=package, project=personas.project, owner=personas.project_worker
    )
    indicator = IndicatorFactory(project=personas.project)
    goal = ProcessGoalFactory(work_package=package)
    measurement = MeasurementFactory(indicator=indicator)
    other_worker = member("other_worker", personas.other_project, "worker")
    fellow_worker = member("fellow_worker", personas.project, "worker")
    region_steering = member("region_steering", None, "steering", region=personas.project.region)
    membership = personas.project_worker.memberships.get()
    period = ReportingPeriodFactory(
        programme=personas.project.programme, name="Väliarviointi 4/2023", cut_off=date(2023, 3, 31)
    )
    risk = Risk.objects.create(project=personas.project, title="Risk")
    plan_version = PlanVersion.objects.create(
        project=personas.project, key="2023", name="2023–2025", issued_on=date(2023, 1, 1)
    )
    meeting = SteeringMeeting.objects.create(project=personas.project, date=date(2023, 5, 2))
    decision = MeetingDecision.objects.create(meeting=meeting, text="Decision")
    import_job = import_job_create(
        project=personas.project,
        actor=personas.project_manager,
        kind="actions",
        name="toimenpiteet.csv",
        content=f"Work package,Action number\n{package.code},{action.number}".encode(),
    )
    finance_job = Job.objects.create(
        kind="finance-import",
        project=personas.project,
        status="previewed",
        filename="kirjanpito.csv",
    )
    JobUpload.objects.create(
        job=finance_job,
        rows=[{"number": 2, "cells": {"period": "3/2023", "amount": "10", "line": "x"}}],
    )
    done = {"status": "done", "content": b"x", "filename": "x.csv", "content_type": "text/csv"}
    of_period = {"period": period.pk}
    national_job = Job.objects.create(
        owner=personas.ministry_viewer, kind="national", parameters=of_period, **done
    )
    regional_job = Job.objects.create(
        owner=personas.project_worker, kind="regional", project=personas.project, **done
    )
    failed_job = Job.objects.create(
        owner=personas.ministry_viewer, kind="national", parameters=of_period, status="failed"
    )
    return {
        "import_job": import_job,
        "finance_job": finance_job,
        "national_job": national_job,
        "regional_job": regional_job,
        "failed_job": failed_job,
        "meeting": meeting,
        "decision": decision,
        "period": period,
        "risk": risk,
        "plan_version": plan_version,
        "package": package,
        "personas": personas,
        "action": action,
        "indicator": indicator,
        "goal": goal,
        "measurement": measurement,
        "other_worker": other_worker,
        "fellow_worker": fellow_worker,
        "region_steering": region_steering,
        "membership": membership,
    }


def _kwargs(kind: str, world) -> dict:
    personas = world["personas"]
    return {
        "": {},
        "project": {"project_pk": personas.project.pk},
        "project_table": {"project_pk": personas.project.pk, "table": "actions"},
        "indicator": {"pk": world["indicator"].pk},
        "goal": {"pk": world["goal"].pk},
        "measurement": {"pk": world["measurement"].pk},
        "region": {"pk": personas.project.region_id},
        "project_pk": {"pk": personas.project.pk},
        "action": {"pk": world["action"].pk},
        "history": {"model_key": "action", "pk": world["action"].pk},
        "membership": {"pk": world["membership"].pk},
        "period": {"pk": world["period"].pk},
        "dashboard": {"period_pk": world["period"].pk},
        "round": {"project_pk": personas.project.pk, "period_pk": world["period"].pk},
        "risk": {"pk": world["risk"].pk},
        "plan_package": {"project_pk": personas.project.pk, "pk": world["package"].pk},
        "plan_goal": {"project_pk": personas.project.pk, "pk": world["goal"].pk},
        "plan_action": {"project_pk": personas.project.pk, "pk": world["action"].pk},
        "plan_indicator": {"project_pk": personas.project.pk, "pk": world["indicator"].pk},
        "plan_version": {"project_pk": personas.project.pk, "pk": world["plan_version"].pk},
        "finance_job": {"project_pk": personas.project.pk, "pk": world["finance_job"].pk},
        "meeting": {"project_pk": personas.project.pk, "pk": world["meeting"].pk},
        "decision": {"project_pk": personas.project.pk, "pk": world["decision"].pk},
        "user": {"pk": personas.outsider.pk},
        "import_job": {"project_pk": personas.project.pk, "pk": world["import_job"].pk},
        "reset": {"uidb64": "MQ", "token": "set-password"},
        "unsubscribe": {"token": unsubscribe_token(personas.project_worker)},
        "national_job": {"pk": world["national_job"].pk},
        "regional_job": {"pk": world["regional_job"].pk},
        "failed_job": {"pk": world["failed_job"].pk},
    }[kind]


def _user(persona: str, world):
    if persona == "anonymous":
        return None
    if persona in ("other_worker", "fellow_worker", "region_steering"):
        return world[persona]
    return getattr(world["personas"], persona)


CASES = [
    pytest.param(name, index, persona, id=f"{name}-{route.method}-{persona}")
    for name, routes in MATRIX.items()
    for index, route in enumerate(routes)
    for persona in PERSONAS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index", "persona"), CASES)
def test_permission_matrix(client, world, name, index, persona):
    # given the persona signed in (or not)
    route = MATRIX[name][index]
    user = _user(persona, world)
    if user is not None:
        client.force_login(user)
    # when they call the URL
    url = reverse(name, kwargs=_kwargs(route.kwargs, world))
    response = getattr(client, route.method)(url, dict(route.data))
    # then the answer is the one the role table promises
    expected = route.expected[persona]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login")), response["Location"]
    elif expected == OK:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302 and name != "logout":  # logout lands on login
            assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
