"""Reporting rounds: the workflow rules, the services' refusals, the frozen snapshot, the
pages and their query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from measures.status_engine import status_recompute_projects
from objectives.models import ReportingPeriod
from projects.access import roles_for
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import Risk
from reporting.models import ReportSnapshot
from reporting.models import SelfAssessment
from reporting.rounds.selectors import round_dashboard
from reporting.rounds.services import AssessmentConflictError
from reporting.rounds.services import reporting_period_save
from reporting.rounds.services import self_assessment_decide
from reporting.rounds.services import self_assessment_save
from reporting.rounds.services import self_assessment_submit
from reporting.rounds.snapshots import statuses_at_cut_off
from reporting.rounds.workflow import State
from reporting.rounds.workflow import TransitionRefused
from reporting.rounds.workflow import editable
from reporting.rounds.workflow import transition

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProjectFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory
from .helpers import status_report

CUT_OFF = date(2023, 3, 31)

# --- The workflow as a pure function (no database) ---------------------------------------


@pytest.mark.parametrize(
    ("state", "event", "reason", "expected"),
    [
        ("draft", "save", "", State.DRAFT),
        ("draft", "submit", "", State.SUBMITTED),
        ("returned", "save", "", State.RETURNED),
        ("returned", "submit", "", State.SUBMITTED),
        ("submitted", "accept", "", State.ACCEPTED),
        ("submitted", "return", "Täydennä", State.RETURNED),
    ],
)
def test_allowed_transitions(state, event, reason, expected):
    assert transition(state, event, reason=reason) == expected


@pytest.mark.parametrize(
    ("state", "event", "reason", "code"),
    [
        ("submitted", "save", "", "locked"),
        ("submitted", "submit", "", "locked"),
        ("accepted", "save", "", "accepted"),
        ("accepted", "submit", "", "accepted"),
        ("draft", "accept", "", "not_submitted"),
        ("returned", "accept", "", "not_submitted"),
        ("accepted", "return", "x", "not_submitted"),
        ("draft", "return", "x", "not_submitted"),
        ("submitted", "return", "", "reason_required"),
        ("submitted", "return", "   ", "reason_required"),
    ],
)
def test_refused_transitions(state, event, reason, code):
    with pytest.raises(TransitionRefused) as refused:
        transition(state, event, reason=reason)
    assert refused.value.code == code
    assert refused.value.message


@pytest.mark.parametrize(
    ("state", "expected"),
    [("draft", True), ("returned", True), ("submitted", False), ("accepted", False)],
)
def test_only_drafts_and_returned_ones_are_editable(state, expected):
    assert editable(state) is expected


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def period(personas):
    return ReportingPeriodFactory(
        programme=personas.project.programme, name="Väliarviointi 4/2023", cut_off=CUT_OFF
    )


@pytest.fixture
def hanke(personas):
    """One work package with an action (in progress before the cut-off) and an indicator."""
    project = personas.project
    package = WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut")
    action = ActionFactory(
        project=project, work_package=package, title_fi="Neuvonta", status="not_started"
    )
    status_report(action, personas.project_manager, "in_progress", date(2023, 2, 1), "Käynnistetty")
    indicator = IndicatorFactory(
        project=project,
        code="M1",
        baseline_value=10,
        targets={date(2023, 12, 31): 90},
        # the second value is of a period after the cut-off
        measurements={date(2022, 12, 31): 40, date(2023, 6, 30): 60},
    )
    line = BudgetLine.objects.create(
        project=project, year=2023, category="personnel", line="Palkat", amount=Decimal(1000)
    )
    for day, amount, description in (
        (date(2023, 1, 15), Decimal(250), "Tammikuu"),
        (date(2023, 5, 15), Decimal(300), "Toukokuu"),
    ):
        Expenditure.objects.create(
            project=project, budget_line=line, date=day, amount=amount, description=description
        )
    Risk.objects.create(project=project, title="Rekrytointi viivästyy", likelihood=3, impact=2)
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 4, 5))
    action.refresh_from_db()
    return {"package": package, "action": action, "indicator": indicator}


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _fill(personas, period, hanke, version=0, text="Hyvin etenee"):
    return self_assessment_save(
        actor=personas.project_manager,
        period=period,
        project=personas.project,
        expected_version=version,
        summaries={hanke["package"].pk: text},
        narratives={hanke["indicator"].pk: ("Uusi palvelu", "Jatketaan")},
    )


def _decide(actor, submitted, returned_because: str | None = None):
    """`actor` accepts the submitted self-assessment or, given `returned_because` (a reason,
    even a blank one), returns it."""
    return self_assessment_decide(
        actor=actor,
        assessment=submitted,
        accept=returned_because is None,
        reason=returned_because or "",
        expected_version=submitted.version,
    )


def _submitted(personas, period, hanke):
    saved = _fill(personas, period, hanke)
    return self_assessment_submit(
        actor=personas.project_manager, assessment=saved, expected_version=saved.version
    )


# --- Services -------------------------------------------------------------------------------


def test_admin_opens_a_round_and_the_history_names_them(personas):
    period = reporting_period_save(
        actor=personas.programme_admin,
        programme=personas.project.programme,
        name="Väliarviointi 10/2023",
        cut_off=date(2023, 9, 30),
        due_date=date(2023, 10, 31),
    )
    assert period.history.get().history_user == personas.programme_admin


@pytest.mark.parametrize("who", ["ministry_viewer", "project_manager", "steering_member"])
def test_only_the_programme_admin_opens_rounds(personas, who):
    with pytest.raises(PermissionDenied):
        reporting_period_save(
            actor=getattr(personas, who),
            programme=personas.project.programme,
            name="X",
            cut_off=date(2023, 9, 30),
            due_date=date(2023, 10, 31),
        )


def test_due_date_before_cut_off_is_refused(personas):
    with pytest.raises(ValidationError):
        reporting_period_save(
            actor=personas.programme_admin,
            programme=personas.project.programme,
            name="X",
            cut_off=date(2023, 9, 30),
            due_date=date(2023, 9, 1),
        )


@pytest.mark.parametrize(
    "who", ["project_worker", "steering_member", "ministry_viewer", "outsider"]
)
def test_only_the_project_manager_fills_the_self_assessment(personas, period, hanke, who):
    with pytest.raises(PermissionDenied):
        self_assessment_save(
            actor=getattr(personas, who),
            period=period,
            project=personas.project,
            expected_version=0,
            summaries={},
            narratives={},
        )


def test_draft_save_keeps_texts_and_a_stale_version_is_a_conflict(personas, period, hanke):
    first = _fill(personas, period, hanke)
    assert first.status == "draft" and first.version == 1
    assert first.summaries.get().text == "Hyvin etenee"
    assert first.narratives.get().next_steps == "Jatketaan"
    second = _fill(personas, period, hanke, version=1, text="Muutettu")
    assert second.version == 2 and second.summaries.get().text == "Muutettu"
    with pytest.raises(AssessmentConflictError):
        _fill(personas, period, hanke, version=1, text="Vanha")
    assert SelfAssessment.objects.get().summaries.get().text == "Muutettu"


def test_submitted_and_accepted_are_locked(personas, period, hanke):
    submitted = _submitted(personas, period, hanke)
    with translation.override("en"), pytest.raises(ValidationError, match="locked"):
        _fill(personas, period, hanke, version=submitted.version)
    accepted = _decide(personas.programme_admin, submitted)
    assert accepted.status == "accepted" and accepted.decided_by == personas.programme_admin
    with translation.override("en"), pytest.raises(ValidationError, match="accepted"):
        _fill(personas, period, hanke, version=accepted.version)
    with pytest.raises(ValidationError):
        self_assessment_submit(
            actor=personas.project_manager, assessment=accepted, expected_version=accepted.version
        )


@pytest.mark.parametrize("who", ["ministry_viewer", "project_manager"])
def test_only_the_programme_admin_decides(personas, period, hanke, who):
    submitted = _submitted(personas, period, hanke)
    with pytest.raises(PermissionDenied):
        _decide(getattr(personas, who), submitted)


def test_return_needs_a_reason_keeps_it_in_history_and_allows_resubmission(personas, period, hanke):
    submitted = _submitted(personas, period, hanke)
    with translation.override("en"), pytest.raises(ValidationError, match="reason"):
        _decide(personas.programme_admin, submitted, returned_because=" ")
    returned = _decide(
        personas.programme_admin, submitted, returned_because="Mittarin M1 selitys puuttuu"
    )
    assert returned.status == "returned"
    again = _fill(personas, period, hanke, version=returned.version, text="Korjattu")
    resubmitted = self_assessment_submit(
        actor=personas.project_manager, assessment=again, expected_version=again.version
    )
    assert resubmitted.status == "submitted"
    reasons = [h.return_reason for h in resubmitted.history.all() if h.status == "returned"]
    assert "Mittarin M1 selitys puuttuu" in reasons
    # the resubmission replaced the frozen report of the returned one
    assert ReportSnapshot.objects.get().data["work_packages"][0]["summary"] == "Korjattu"


# --- The snapshot ---------------------------------------------------------------------------


def test_statuses_at_cut_off_come_from_the_log(personas, period):
    package = WorkPackageFactory(project=personas.project)
    before, later_only, never = (
        ActionFactory(project=personas.project, work_package=package, status="not_started")
        for _ in range(3)
    )
    manager = personas.project_manager
    for action, status, day in [
        (before, "starting", date(2023, 1, 1)),
        (before, "in_progress", date(2023, 3, 31)),
        (before, "done", date(2023, 4, 2)),
        (later_only, "in_progress", date(2023, 5, 1)),
    ]:
        action.refresh_from_db()
        status_report(action, manager, status, day, f"{status} {day}")
    result = statuses_at_cut_off([before.pk, later_only.pk, never.pk], CUT_OFF)
    assert result[before.pk]["status"] == "in_progress"
    assert result[before.pk]["comment"] == "in_progress 2023-03-31"
    assert result[later_only.pk]["status"] == "not_started"
    assert never.pk not in result


def test_submission_freezes_lights_statuses_measurements_budget_and_risks(personas, period, hanke):
    _submitted(personas, period, hanke)
    data = ReportSnapshot.objects.get(period=period, project=personas.project).data
    action = data["actions"][0]
    assert action["at_cut_off"]["status"] == "in_progress"
    assert action["at_cut_off"]["comment"] == "Käynnistetty"
    assert action["light"]["light"]
    assert data["project"]["light"]["light"]
    assert data["work_packages"][0]["light"]["light"]
    indicator = data["indicators"][0]
    assert [m["value"] for m in indicator["measurements"]] == ["40"]  # up to the cut-off only
    assert indicator["light"]["light"]
    assert indicator["behind_trend"] == "Uusi palvelu"
    assert data["budget"] == [
        {"year": 2023, "category": "personnel", "line": "Palkat", "amount": "1000", "spent": "250"}
    ]
    assert data["risks"][0]["title"] == "Rekrytointi viivästyy"


def test_a_later_edit_does_not_change_the_accepted_report(client, personas, period, hanke):
    # given an accepted round
    submitted = _submitted(personas, period, hanke)
    _decide(personas.programme_admin, submitted)
    # when the action's status is corrected back to before the cut-off, and a risk is edited
    action = hanke["action"]
    action.refresh_from_db()
    status_report(action, personas.project_manager, "done", date(2023, 3, 30), "Valmistui jo")
    Risk.objects.update(title="Uusi riski")
    # then the live self-assessment page shows the correction ...
    _english(client, personas.project_manager)
    live = client.get(reverse("reporting:assessment", args=[personas.project.pk, period.pk]))
    assert "Valmistui jo" in live.content.decode()
    # ... but the frozen report still shows the status and risk as submitted
    frozen = client.get(reverse("reporting:frozen-report", args=[personas.project.pk, period.pk]))
    html = frozen.content.decode()
    assert "In progress" in html and "Käynnistetty" in html
    assert "Valmistui jo" not in html
    assert "Rekrytointi viivästyy" in html and "Uusi riski" not in html


# --- Pages ----------------------------------------------------------------------------------


def test_manager_saves_and_submits_through_the_page_then_edits_are_refused(
    client, personas, period, hanke
):
    _english(client, personas.project_manager)
    url = reverse("reporting:assessment", args=[personas.project.pk, period.pk])
    fields = {
        f"wp-{hanke['package'].pk}": "Eteni",
        f"ind-{hanke['indicator'].pk}-behind": "Syy",
        f"ind-{hanke['indicator'].pk}-next": "Toimet",
    }
    response = client.post(url, {**fields, "action": "save", "expected_version": "0"})
    assert response.status_code == 302
    assert SelfAssessment.objects.get().status == "draft"
    response = client.post(url, {**fields, "action": "submit", "expected_version": "1"})
    assert response.status_code == 302
    assert SelfAssessment.objects.get().status == "submitted"
    # a second browser tab still holding the form
    response = client.post(url, {**fields, "action": "save", "expected_version": "3"})
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    page = client.get(url).content.decode()
    assert "Submitted to THL and locked" in page and 'name="action"' not in page


def test_htmx_save_answers_with_the_form_partial(client, personas, period, hanke):
    _english(client, personas.project_manager)
    url = reverse("reporting:assessment", args=[personas.project.pk, period.pk])
    response = client.post(
        url, {"action": "save", "expected_version": "0"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="assessment-form"')
    assert "Draft saved." in html


def test_return_reason_is_shown_to_the_project_manager(client, personas, period, hanke):
    submitted = _submitted(personas, period, hanke)
    _english(client, personas.programme_admin)
    decide = reverse("reporting:assessment-decide", args=[personas.project.pk, period.pk])
    refused = client.post(
        decide, {"decision": "return", "reason": "", "expected_version": submitted.version}
    )
    assert refused.status_code == 200 and "Give a reason" in refused.content.decode()
    client.post(
        decide,
        {"decision": "return", "reason": "Budjetti puuttuu", "expected_version": submitted.version},
    )
    _english(client, personas.project_manager)
    html = client.get(
        reverse("reporting:assessment", args=[personas.project.pk, period.pk])
    ).content.decode()
    assert "Returned for changes by THL" in html and "Budjetti puuttuu" in html
    assert 'value="submit"' in html  # editable again


def test_admin_creates_a_round_through_the_page(client, personas):
    _english(client, personas.programme_admin)
    url = reverse("reporting:period-list")
    response = client.post(
        url,
        {
            "programme": personas.project.programme.pk,
            "name": "Väliarviointi 4/2024",
            "cut_off": "2024-03-31",
            "due_date": "2024-04-30",
        },
    )
    assert response.status_code == 302
    assert ReportingPeriod.objects.get().name == "Väliarviointi 4/2024"
    bad = client.post(
        url,
        {
            "programme": personas.project.programme.pk,
            "name": "Väärin",
            "cut_off": "2024-09-30",
            "due_date": "2024-09-01",
        },
    )
    assert bad.status_code == 200 and 'class="form-errors"' in bad.content.decode()


def test_dashboard_lists_late_hankkeet_first(personas, period, hanke):
    # given the own hanke submitted and the other hanke not, after the due date
    _submitted(personas, period, hanke)
    third = ProjectFactory(programme=personas.project.programme)
    rows = round_dashboard(user=personas.programme_admin, period=period, today=date(2023, 5, 2))
    # then the two that did not submit come first, marked late
    assert [r.late for r in rows] == [True, True, False]
    assert {r.project for r in rows[:2]} == {personas.other_project, third}
    # before the due date nothing is late
    rows = round_dashboard(user=personas.programme_admin, period=period, today=date(2023, 4, 2))
    assert not any(r.late for r in rows)
    assert rows[0].project == personas.project  # waiting for a decision first


# --- Query counts ---------------------------------------------------------------------------


def _grow(project, actions: int, indicators: int):
    package = WorkPackageFactory(project=project)
    for _ in range(actions):
        ActionFactory(project=project, work_package=package)
    for _ in range(indicators):
        indicator = IndicatorFactory(project=project)
        MeasurementFactory(indicator=indicator)


def test_round_pages_have_flat_query_counts(
    client, personas, period, django_assert_max_num_queries
):
    # given a small hanke and a big one (both visible to the admin), more hankkeet for the
    # dashboard between the two measurements
    small, big = personas.project, personas.other_project
    _grow(small, 2, 1)
    _grow(big, 40, 15)
    status_recompute_projects(project_ids=[small.pk, big.pk], today=date(2023, 4, 5))
    client.force_login(personas.programme_admin)
    roles_for(personas.programme_admin)  # cached on the user: both rounds start warm
    pages = [
        ("reporting:assessment", True, 20),
        ("reporting:frozen-report", True, 12),
        ("reporting:round-dashboard", False, 12),
        ("reporting:hanke-rounds", None, 12),
        ("reporting:period-list", None, 12),
    ]
    counts = []
    for project, extra in [(small, 1), (big, 10)]:
        for _ in range(extra):
            ProjectFactory(programme=project.programme)
        measured = []
        # when the admin (allowed everything) fills and submits; the snapshot is set-based
        with django_assert_max_num_queries(40) as queries:
            saved = self_assessment_save(
                actor=personas.programme_admin,
                period=period,
                project=project,
                expected_version=0,
                summaries={},
                narratives={},
            )
        measured.append(len(queries))
        with django_assert_max_num_queries(40) as queries:
            self_assessment_submit(
                actor=personas.programme_admin, assessment=saved, expected_version=saved.version
            )
        measured.append(len(queries))
        # then every page reads in a bounded number of queries, the same for both sizes
        for name, with_project, bound in pages:
            if with_project is None:
                args = [project.pk] if name == "reporting:hanke-rounds" else []
            else:
                args = [project.pk, period.pk] if with_project else [period.pk]
            with django_assert_max_num_queries(bound) as queries:
                assert client.get(reverse(name, args=args)).status_code == 200
            measured.append(len(queries))
        counts.append(measured)
    assert counts[0] == counts[1]
