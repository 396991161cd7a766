"""Every write service refuses another hanke's object, whatever the view in front of it does.

The actor is the manager of one hanke (every plan and member right there); each case hands a
service an object of the other hanke, or links one into the manager's own. The service itself
must refuse (PermissionDenied, or ValidationError for a cross-hanke link) and write nothing.
The world is built once for the module; each case runs in a savepoint rolled back after it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from simple_history.models import registered_models

from measures.services import IndicatorImportRow
from measures.services import MeasurementImportRow
from measures.services import indicators_import
from measures.services import measurement_save
from measures.services import measurements_import
from measures.services import target_save
from objectives.services import ActionImportRow
from objectives.services import actions_import
from portal.models import Job
from portal.models import JobUpload
from projects.finance_import_services import finance_import_confirm
from projects.finance_import_services import finance_import_start
from projects.models import BudgetLine
from projects.models import MeetingDecision
from projects.models import Risk
from projects.models import SteeringMeeting
from projects.services import expenditure_create
from projects.services import member_change_role
from projects.services import member_end
from projects.services import member_invite
from projects.services import programme_role_set
from projects.services import risk_save
from projects.services import user_set_active
from reporting.exports.services import ExportOptions
from reporting.exports.services import export_job_rerun
from reporting.exports.services import export_job_start
from reporting.imports.services import import_job_confirm
from reporting.imports.services import import_job_create
from reporting.imports.services import import_job_map
from reporting.imports.services import import_job_rerun
from reporting.meetings.services import meeting_decision_create
from reporting.meetings.services import meeting_decision_set_done
from reporting.meetings.services import steering_meeting_create
from reporting.models import SelfAssessment
from reporting.rounds.services import reporting_period_save
from reporting.rounds.services import self_assessment_decide
from reporting.rounds.services import self_assessment_save
from reporting.rounds.services import self_assessment_submit

from .conftest import module_world
from .conftest import personas_build
from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MembershipFactory
from .factories import ReportingPeriodFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .helpers import status_report


def _hanke_objects(project, owner, prefix: str) -> dict:
    package = WorkPackageFactory(project=project)
    meeting = SteeringMeeting.objects.create(project=project, date=date(2023, 5, 2))
    return {
        "package": package,
        "action": ActionFactory(work_package=package, project=project, owner=owner),
        "indicator": IndicatorFactory(project=project, unit="count"),
        "risk": Risk.objects.create(project=project, title="Riski"),
        "meeting": meeting,
        "decision": MeetingDecision.objects.create(meeting=meeting, text="Päätös"),
        "line": BudgetLine.objects.create(
            project=project, year=2023, category="personnel", line=f"{prefix} palkat", amount=1000
        ),
    }


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker):
        personas = personas_build()
        other = personas.other_project
        other_worker = MembershipFactory(
            user=UserFactory(username="scope_other_worker"), project=other, role="worker"
        )
        period = ReportingPeriodFactory(
            programme=other.programme, name="Väliarviointi 4/2023", cut_off=date(2023, 3, 31)
        )
        theirs = _hanke_objects(other, other_worker.user, "muut")
        theirs.update(
            membership=other_worker,
            assessment=SelfAssessment.objects.create(period=period, project=other),
            import_job=import_job_create(
                project=other,
                actor=personas.outsider,
                kind="actions",
                name="toimenpiteet.csv",
                content=f"Work package,Action number\n{theirs['package'].code},1".encode(),
            ),
            finance_job=JobUpload.objects.create(
                job=Job.objects.create(
                    kind="finance-import",
                    project=other,
                    status="previewed",
                    filename="kirjanpito.csv",
                ),
                rows=[],
            ).job,
            export_job=Job.objects.create(
                owner=personas.outsider, kind="regional", project=other, status="failed"
            ),
        )
        ours = _hanke_objects(personas.project, personas.project_worker, "omat")
        yield {"personas": personas, "period": period, "theirs": theirs, "ours": ours}


@pytest.fixture
def world(_world, db):
    return _world


def _history_rows() -> int:
    return sum(model.history.count() for model in registered_models.values())


def _refused(call, world, expected=PermissionDenied):
    before = _history_rows(), Job.objects.count(), JobUpload.objects.count()
    with pytest.raises(expected):
        call(world)
    assert (_history_rows(), Job.objects.count(), JobUpload.objects.count()) == before


def _mine(world):
    return world["personas"].project_manager


def _theirs(world, name):
    return world["theirs"][name]


def _expense(world, project, **more):
    """The manager of the own hanke records an expense of 10 € in `project`."""
    return expenditure_create(
        project=project,
        actor=_mine(world),
        date=date(2023, 5, 1),
        amount=Decimal("10"),
        category="personnel",
        description="x",
        **more,
    )


# Each case: the manager of one hanke calls a write service on the other hanke's object.
FOREIGN = {
    "action_status_update": lambda w: status_report(
        _theirs(w, "action"), _mine(w), "in_progress", date(2023, 5, 1), "x", expected_version=1
    ),
    "actions_import": lambda w: actions_import(
        project=w["personas"].other_project, actor=_mine(w), rows=[], comment="x"
    ),
    "measurement_save": lambda w: measurement_save(
        indicator=_theirs(w, "indicator"),
        period=date(2023, 1, 31),
        raw_value="5",
        actor=_mine(w),
    ),
    "target_save": lambda w: target_save(
        indicator=_theirs(w, "indicator"), target_date=date(2025, 12, 31), value=5, actor=_mine(w)
    ),
    "indicators_import": lambda w: indicators_import(
        project=w["personas"].other_project,
        actor=_mine(w),
        rows=[IndicatorImportRow(code="X1", values={"name_fi": "x", "unit": "count"})],
        comment="x",
    ),
    "measurements_import": lambda w: measurements_import(
        project=w["personas"].other_project, actor=_mine(w), rows=[], comment="x"
    ),
    "risk_save-new": lambda w: risk_save(
        project=w["personas"].other_project, actor=_mine(w), values={"title": "x"}
    ),
    # the manager's own hanke in hand, the other hanke's risk to edit
    "risk_save-edit": lambda w: risk_save(
        project=w["personas"].project,
        actor=_mine(w),
        values={"title": "x"},
        risk=_theirs(w, "risk"),
        expected_version=1,
    ),
    "expenditure_create": lambda w: _expense(w, w["personas"].other_project),
    "steering_meeting_create": lambda w: steering_meeting_create(
        project=w["personas"].other_project, actor=_mine(w), date=date(2023, 6, 1)
    ),
    "meeting_decision_create": lambda w: meeting_decision_create(
        meeting=_theirs(w, "meeting"), actor=_mine(w), text="x"
    ),
    "meeting_decision_set_done": lambda w: meeting_decision_set_done(
        decision=_theirs(w, "decision"), actor=_mine(w), done=True, project=w["personas"].project
    ),
    "member_invite": lambda w: member_invite(
        project=w["personas"].other_project,
        actor=_mine(w),
        email="uusi@example.invalid",
        first_name="Uusi",
        last_name="Henkilö",
        role="worker",
    ),
    "member_change_role": lambda w: member_change_role(
        membership=_theirs(w, "membership"), actor=_mine(w), role="manager", expected_version=1
    ),
    "member_end": lambda w: member_end(membership=_theirs(w, "membership"), actor=_mine(w)),
    "self_assessment_save": lambda w: self_assessment_save(
        actor=_mine(w),
        period=w["period"],
        project=w["personas"].other_project,
        expected_version=1,
        summaries={},
        narratives={},
    ),
    "self_assessment_submit": lambda w: self_assessment_submit(
        actor=_mine(w), assessment=_theirs(w, "assessment"), expected_version=1
    ),
    "self_assessment_decide": lambda w: self_assessment_decide(
        actor=_mine(w),
        assessment=_theirs(w, "assessment"),
        accept=True,
        reason="",
        expected_version=1,
    ),
    "finance_import_start": lambda w: finance_import_start(
        project=w["personas"].other_project,
        actor=_mine(w),
        raw=b"Period,Line,Amount\n3/2023,x,10\n",
        filename="kirjanpito.csv",
    ),
    # the manager's own hanke in hand, the other hanke's uploaded file to apply
    "finance_import_confirm": lambda w: finance_import_confirm(
        project=w["personas"].project, actor=_mine(w), job=_theirs(w, "finance_job")
    ),
    "import_job_create": lambda w: import_job_create(
        project=w["personas"].other_project,
        actor=_mine(w),
        kind="actions",
        name="toimenpiteet.csv",
        content=b"Work package,Action number\nTP1,1\n",
    ),
    "import_job_map": lambda w: import_job_map(
        job=_theirs(w, "import_job"),
        actor=_mine(w),
        mapping=_theirs(w, "import_job").upload.mapping,
    ),
    "import_job_confirm": lambda w: import_job_confirm(
        job=_theirs(w, "import_job"), actor=_mine(w)
    ),
    "import_job_rerun": lambda w: import_job_rerun(job=_theirs(w, "import_job"), actor=_mine(w)),
    "export_job_start": lambda w: export_job_start(
        actor=_mine(w),
        kind="regional",
        options=ExportOptions(),
        project=w["personas"].other_project,
    ),
    "export_job_rerun": lambda w: export_job_rerun(actor=_mine(w), job=_theirs(w, "export_job")),
    # programme-wide writes: never a hanke role's
    "reporting_period_save": lambda w: reporting_period_save(
        actor=_mine(w),
        programme=w["personas"].project.programme,
        name="x",
        cut_off=date(2024, 3, 31),
        due_date=date(2024, 4, 30),
    ),
    "user_set_active": lambda w: user_set_active(
        user=w["personas"].outsider, actor=_mine(w), active=False
    ),
    "programme_role_set": lambda w: programme_role_set(
        user=w["personas"].project_worker, actor=_mine(w), role="admin"
    ),
}


@pytest.mark.parametrize("service", FOREIGN)
def test_a_write_service_refuses_another_hankes_object(world, service):
    _refused(FOREIGN[service], world)


def _ours(world, name):
    return world["ours"][name]


# Each case: the manager writes to their own hanke but links the other hanke's object in.
LINKED = {
    "expenditure_create-budget_line": lambda w: _expense(
        w, w["personas"].project, budget_line=_theirs(w, "line")
    ),
    "meeting_decision_create-action": lambda w: meeting_decision_create(
        meeting=_ours(w, "meeting"), actor=_mine(w), text="x", action=_theirs(w, "action")
    ),
    "meeting_decision_create-owner": lambda w: meeting_decision_create(
        meeting=_ours(w, "meeting"),
        actor=_mine(w),
        text="x",
        owner=w["personas"].outsider,
    ),
    "risk_save-owner": lambda w: risk_save(
        project=w["personas"].project,
        actor=_mine(w),
        values={"title": "x", "owner": w["personas"].outsider},
    ),
    "action_status_update-owner": lambda w: status_report(
        _ours(w, "action"),
        _mine(w),
        "in_progress",
        date(2023, 5, 1),
        "x",
        expected_version=1,
        owner=w["personas"].outsider,
    ),
    "actions_import-work_package": lambda w: actions_import(
        project=w["personas"].project,
        actor=_mine(w),
        rows=[ActionImportRow(work_package=_theirs(w, "package"), number="9.9")],
        comment="x",
    ),
    "measurements_import-indicator": lambda w: measurements_import(
        project=w["personas"].project,
        actor=_mine(w),
        rows=[
            MeasurementImportRow(
                indicator=_theirs(w, "indicator"),
                period=date(2023, 1, 31),
                raw_value="5",
                expected_version=0,
            )
        ],
        comment="x",
    ),
}


@pytest.mark.parametrize("service", LINKED)
def test_a_write_service_refuses_to_link_another_hankes_object(world, service):
    _refused(LINKED[service], world, expected=(PermissionDenied, ValidationError))


def test_a_worker_updates_only_the_actions_they_own(world):
    # given two workers of the same hanke; the action is the first one's
    personas = world["personas"]
    fellow = MembershipFactory(
        user=UserFactory(username="scope_fellow"), project=personas.project, role="worker"
    ).user
    action = _ours(world, "action")

    def update(actor):
        return status_report(action, actor, "in_progress", date(2023, 5, 1), "x")

    # then the other worker of the hanke is refused and nothing is written
    _refused(lambda _w: update(fellow), world)
    # and the owner may
    assert update(personas.project_worker).status == "in_progress"
