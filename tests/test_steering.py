"""The steering group's meetings: recording meetings and decisions (permissions, owners, due
dates, plan actions), the meeting page's "what changed since the previous meeting" on
factory data, follow-up state, query bounds, and the national overview's budget and risk
columns."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from objectives.models import Action
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import MeetingDecision
from projects.models import Risk
from projects.models import SteeringMeeting
from reporting.meetings.selectors import meeting_view
from reporting.meetings.services import meeting_decision_create
from reporting.meetings.services import meeting_decision_set_done
from reporting.meetings.services import steering_meeting_create

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import MembershipFactory
from .factories import ProjectFactory
from .factories import TargetFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .factories import recorded_on
from .helpers import status_report

PREVIOUS, MEETING, TODAY = date(2023, 3, 1), date(2023, 6, 1), date(2023, 6, 30)


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _status_update(action, day, author):
    """`author`'s report that `action` started, written as a row (not through the service)
    and recorded on `day`."""
    with recorded_on(day):
        return action.status_updates.create(
            status="in_progress", previous_status="not_started", status_date=day, author=author
        )


def _assigned(meeting, personas, text, due_date, action):
    """The decision `text` the manager records at `meeting`: the project worker's to do by
    `due_date`, on the plan's `action`."""
    return meeting_decision_create(
        meeting=meeting,
        actor=personas.project_manager,
        text=text,
        owner=personas.project_worker,
        due_date=due_date,
        action=action,
    )


def _meetings(project, manager):
    previous = steering_meeting_create(
        project=project, actor=manager, date=PREVIOUS, attendees="Anna\nBertil"
    )
    meeting = steering_meeting_create(project=project, actor=manager, date=MEETING)
    return previous, meeting


# --- Services: who may record, what is checked ----------------------------------------------


@pytest.mark.django_db
def test_manager_records_a_meeting_with_history(personas):
    meeting = steering_meeting_create(
        project=personas.project, actor=personas.project_manager, date=MEETING, attendees="A"
    )
    assert meeting.history.get().history_user == personas.project_manager
    with pytest.raises(ValidationError) as exc:
        steering_meeting_create(
            project=personas.project, actor=personas.project_manager, date=MEETING
        )
    assert "date" in exc.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["steering_member", "project_worker", "ministry_viewer", "outsider"]
)
def test_readers_cannot_record_meetings_or_decisions(personas, persona):
    reader = getattr(personas, persona)
    with pytest.raises(PermissionDenied):
        steering_meeting_create(project=personas.project, actor=reader, date=MEETING)
    meeting = SteeringMeeting.objects.create(project=personas.project, date=MEETING)
    with pytest.raises(PermissionDenied):
        meeting_decision_create(meeting=meeting, actor=reader, text="x")
    decision = MeetingDecision.objects.create(meeting=meeting, text="x")
    with pytest.raises(PermissionDenied):
        meeting_decision_set_done(
            decision=decision, actor=reader, done=True, project=personas.project
        )
    assert not MeetingDecision.objects.get().done


@pytest.mark.django_db
def test_decision_with_owner_due_date_and_plan_action(personas):
    manager = personas.project_manager
    meeting = SteeringMeeting.objects.create(project=personas.project, date=MEETING)
    action = ActionFactory(work_package=WorkPackageFactory(project=personas.project))
    decision = _assigned(meeting, personas, "Selvitetään rekrytointi", date(2023, 9, 1), action)
    assert (decision.owner, decision.due_date, decision.action) == (
        personas.project_worker,
        date(2023, 9, 1),
        action,
    )
    assert decision.history.get().history_user == manager
    # an owner outside the hanke and an action of another hanke are refused
    with pytest.raises(ValidationError) as exc:
        meeting_decision_create(meeting=meeting, actor=manager, text="x", owner=personas.outsider)
    assert "owner" in exc.value.message_dict
    other = ActionFactory(work_package=WorkPackageFactory(project=personas.other_project))
    with pytest.raises(ValidationError) as exc:
        meeting_decision_create(meeting=meeting, actor=manager, text="x", action=other)
    assert "action" in exc.value.message_dict
    # marking done is idempotent and recorded
    meeting_decision_set_done(decision=decision, actor=manager, done=True, project=meeting.project)
    meeting_decision_set_done(decision=decision, actor=manager, done=True, project=meeting.project)
    assert MeetingDecision.objects.get(pk=decision.pk).done
    assert decision.history.count() == 2
    with pytest.raises(PermissionDenied):
        meeting_decision_set_done(
            decision=decision, actor=manager, done=False, project=personas.other_project
        )


# --- What changed since the previous meeting ------------------------------------------------


def _action(package, number, *, status="in_progress", end=None, on=date(2023, 1, 2)):
    with recorded_on(on):
        return ActionFactory(
            work_package=package,
            number=number,
            status=status,
            planned_start=date(2022, 12, 1),
            planned_end=end or date(2023, 12, 31),
        )


def _status(action, actor, day, status, comment="Selitys"):
    with recorded_on(day):
        return (
            status_report(
                action,
                actor,
                status,
                day,
                comment,
                expected_version=Action.objects.get(pk=action.pk).version,
                today=day,
            )
            .status_updates.order_by("-created_at")
            .first()
        )


def _indicator(project, code, value, on=date(2023, 1, 15)):
    """Baseline 50 (1.1.2022), target 100 (31.12.2024), a value for 2022 entered on `on`."""
    with recorded_on(on):
        indicator = IndicatorFactory(
            project=project,
            code=code,
            baseline_value=Decimal(50),
            baseline_date=date(2022, 1, 1),
            frequency="yearly",
        )
        TargetFactory(indicator=indicator, target_date=date(2024, 12, 31), value=Decimal(100))
        MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), value=Decimal(value))
    return indicator


def _correct(indicator, value, on):
    with recorded_on(on):
        measurement = indicator.measurements.get()
        measurement.value = Decimal(value)
        measurement.save()


@pytest.fixture
def changes_world(personas):
    """One work package whose actions and indicators are recorded on dates around the two
    meetings (1.3. and 1.6.2023); the lights of each meeting come from that history."""
    project, manager = personas.project, personas.project_manager
    previous, meeting = _meetings(project, manager)
    with recorded_on(date(2023, 1, 2)):
        package = WorkPackageFactory(project=project, code="TP1")
    still_late = _action(package, "1", end=date(2023, 1, 31))  # late since January
    became_late = _action(package, "2", end=date(2023, 4, 30))  # late from May
    new_late = _action(package, "3", end=date(2023, 4, 15), on=date(2023, 5, 2))  # added late
    fine = _action(package, "4")
    for number in range(5, 11):
        _action(package, str(number), status="done")
    before = _status(fine, manager, date(2023, 2, 15), "done")
    after = _status(still_late, manager, date(2023, 4, 10), "in_progress", "Rekrytointi viivästyi")
    _status(became_late, manager, date(2023, 6, 20), "done")  # after the meeting's date
    recoloured = _indicator(project, "M1", 70)
    _correct(recoloured, 40, on=date(2023, 5, 15))  # corrected: now below the baseline
    steady = _indicator(project, "M2", 70)
    new_indicator = _indicator(project, "M3", 40, on=date(2023, 5, 15))
    late_change = _indicator(project, "M4", 70)
    _correct(late_change, 40, on=date(2023, 6, 15))  # after the meeting: not counted
    return {
        "meeting": meeting,
        "previous": previous,
        "before": before,
        "after": after,
        "actions": (still_late, became_late, new_late, fine),
        "indicators": (recoloured, steady, new_indicator, late_change),
    }


@pytest.mark.django_db
def test_changes_since_previous_meeting_on_factory_data(changes_world):
    meeting = SteeringMeeting.objects.select_related("project").get(pk=changes_world["meeting"].pk)
    view = meeting_view(meeting=meeting, today=TODAY)
    changes = view.changes
    assert view.previous.pk == changes_world["previous"].pk
    assert (changes.since, changes.until) == (PREVIOUS, MEETING)
    # a status change after the previous meeting shows; one before it (or later) does not
    assert [u.pk for u in changes.status_updates] == [changes_world["after"].pk]
    assert changes.status_update_count == 1
    still_late, became_late, new_late, fine = changes_world["actions"]
    assert [c.obj.pk for c in changes.new_late_actions] == [became_late.pk, new_late.pk]
    recoloured = changes_world["indicators"][0]
    assert [(c.obj.pk, c.before.light, c.after.light) for c in changes.indicator_changes] == [
        (recoloured.pk, "green", "red")
    ]
    # 1.3.: 1 of 9 actions late and no indicator behind (1 of 12: green; the package 1 of 9:
    # yellow); 1.6.: 3 of 10 actions late, 2 of 4 indicators behind (5 of 14: red)
    assert changes.project_before.light == "green"
    assert view.status.light == "red"
    assert [p.light.light for p in view.packages] == ["red"]


@pytest.mark.django_db
def test_a_meeting_on_a_day_without_a_nightly_run_shows_the_real_lights(changes_world):
    """No lights were ever stored: the meeting's lights come from the history all the same."""
    meeting = SteeringMeeting.objects.select_related("project").get(pk=changes_world["meeting"].pk)
    assert not meeting.project.current_lights.exists()
    view = meeting_view(meeting=meeting, today=TODAY)
    assert view.status.light == "red"
    assert view.status_counts == {"green": 9, "yellow": 0, "orange": 0, "red": 5, "grey": 0}
    with translation.override("en"):
        assert view.status.reason.text == (
            "3 of 10 actions late: 1, 3, 2; "
            "2 of 4 indicators behind target: M1, M3 – 35.7\u00a0% behind"
        )
    # an action late since January is not "newly late" at the June meeting
    still_late = changes_world["actions"][0]
    assert still_late.pk not in [c.obj.pk for c in view.changes.new_late_actions]


@pytest.mark.django_db
def test_first_meeting_has_nothing_to_compare(personas):
    meeting = steering_meeting_create(
        project=personas.project, actor=personas.project_manager, date=MEETING
    )
    view = meeting_view(meeting=meeting, today=TODAY)
    assert view.previous is None and view.changes is None and view.previous_decisions == []


@pytest.mark.django_db
def test_meeting_page_shows_changes_budget_risks_and_previous_decisions(
    client, personas, changes_world
):
    project, manager = personas.project, personas.project_manager
    previous, meeting = changes_world["previous"], changes_world["meeting"]
    action = changes_world["actions"][1]
    _assigned(previous, personas, "Rekrytoidaan koordinaattori", date(2023, 4, 1), action)
    done = meeting_decision_create(meeting=previous, actor=manager, text="Hyväksytään budjetti")
    meeting_decision_set_done(decision=done, actor=manager, done=True, project=project)
    BudgetLine.objects.create(project=project, year=2023, category="other", line="l", amount=1000)
    Expenditure.objects.create(
        project=project, date=date(2023, 2, 1), amount=Decimal("250.00"), description="x"
    )
    Risk.objects.create(project=project, title="Henkilöstövaje", likelihood=4, impact=5)
    Risk.objects.create(project=project, title="Suljettu", likelihood=5, impact=5, status="closed")
    _english(client)
    client.force_login(personas.steering_member)
    response = client.get(reverse("meeting-detail", args=[project.pk, meeting.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "What changed since the previous meeting" in html
    assert reverse("objectives:action-detail", args=[action.pk]) in html
    assert "Budget use" in html and "25 %" in html.replace("\xa0", " ")
    assert 'id="meeting-heat-map"' in html and "Henkilöstövaje" in html
    assert "Suljettu" not in html  # closed risks are not among the top risks
    assert "Rekrytoidaan koordinaattori" in html and "Overdue" in html and "Done" in html
    assert "1.4.2023" in html
    # a reader gets no forms
    assert 'id="decision-form"' not in html and "Mark done" not in html


@pytest.mark.django_db
def test_manager_adds_a_decision_and_marks_it_done_worker_cannot(client, personas):
    project = personas.project
    meeting = SteeringMeeting.objects.create(project=project, date=MEETING)
    url = reverse("meeting-detail", args=[project.pk, meeting.pk])
    _english(client)
    client.force_login(personas.project_worker)
    assert client.post(url, {"text": "x"}).status_code == 403
    client.force_login(personas.project_manager)
    page = client.get(url).content.decode()
    assert 'id="decision-form"' in page
    response = client.post(
        url,
        {"text": "Päätös", "owner": personas.project_worker.pk, "due_date": "2023-09-01"},
    )
    assert response.status_code == 302
    decision = MeetingDecision.objects.get()
    assert decision.owner == personas.project_worker and decision.due_date == date(2023, 9, 1)
    done_url = reverse("meeting-decision-done", args=[project.pk, decision.pk])
    response = client.post(done_url, {"done": "1", "back": str(meeting.pk)})
    assert response.status_code == 302 and response["Location"] == url
    assert MeetingDecision.objects.get().done
    # an invalid submit keeps the input and explains
    response = client.post(url, {"text": "", "due_date": "nope"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


@pytest.mark.django_db
def test_meeting_list_and_recording_from_the_page(client, personas):
    project = personas.project
    url = reverse("project-meetings", args=[project.pk])
    _english(client)
    client.force_login(personas.project_manager)
    response = client.post(url, {"date": "2023-06-01", "attendees": "Anna"})
    meeting = SteeringMeeting.objects.get()
    assert response["Location"] == reverse("meeting-detail", args=[project.pk, meeting.pk])
    again = client.post(url, {"date": "2023-06-01"})
    assert again.status_code == 200 and "already recorded" in again.content.decode()
    client.force_login(personas.steering_member)
    page = client.get(url).content.decode()
    assert "1.6.2023" in page and 'id="meeting-form"' not in page
    hanke = client.get(reverse("objectives:hanke", args=[project.pk])).content.decode()
    assert url in hanke


@pytest.mark.django_db
def test_meeting_of_another_hanke_is_404(client, personas):
    other = SteeringMeeting.objects.create(project=personas.other_project, date=MEETING)
    client.force_login(personas.project_manager)
    url = reverse("meeting-detail", args=[personas.project.pk, other.pk])
    assert client.get(url).status_code == 404


# --- Query bounds ---------------------------------------------------------------------------


def _fill(project, manager, n):
    previous, meeting = _meetings(project, manager)
    with recorded_on(date(2023, 1, 2)):
        package = WorkPackageFactory(project=project)
    worker = MembershipFactory(project=project, role="worker", user=UserFactory()).user
    for i in range(n):
        action = _action(package, f"A{i}", end=date(2023, 4, 30))
        _indicator(project, f"M{i}", 70)
        _status_update(action, date(2023, 4, 1), author=manager)
        MeetingDecision.objects.create(meeting=previous, text=f"d{i}", owner=worker, action=action)
        MeetingDecision.objects.create(meeting=meeting, text=f"e{i}", due_date=date(2023, 1, 1))
        Risk.objects.create(project=project, title=f"r{i}", likelihood=1 + i % 5, impact=3)
        Expenditure.objects.create(
            project=project, date=date(2023, 1, 1), amount=Decimal("1.00"), description="x"
        )
    return meeting


@pytest.mark.django_db
@pytest.mark.parametrize(("n", "size"), [(2, "small"), (40, "large")])
def test_meeting_page_query_count_is_flat(client, personas, django_assert_max_num_queries, n, size):
    meeting = _fill(personas.project, personas.project_manager, n)
    client.force_login(personas.project_manager)
    url = reverse("meeting-detail", args=[personas.project.pk, meeting.pk])
    # session, user, roles ×2, hanke, meeting, previous, the lights of both dates (the first
    # view: their history, 13 each, kept with one insert each), status updates, late actions,
    # indicators, work packages, decisions, risks, budget ×2, people and actions for the
    # decision form: 46 whatever the number of actions, decisions, risks and expenses
    with django_assert_max_num_queries(46):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="decision decision--') == 2 * n


@pytest.mark.django_db
@pytest.mark.parametrize(("n", "size"), [(2, "small"), (40, "large")])
def test_meeting_list_query_count_is_flat(client, personas, django_assert_max_num_queries, n, size):
    for i in range(n):
        SteeringMeeting.objects.create(
            project=personas.project, date=date(2020, 1, 1) + timedelta(days=i)
        )
    client.force_login(personas.steering_member)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("project-meetings", args=[personas.project.pk]))
    assert response.status_code == 200


# --- The national overview: budget use and high risks per region -----------------------------


@pytest.mark.django_db
def test_overview_shows_budget_use_and_high_risks_per_region(client, personas):
    project, other = personas.project, personas.other_project
    # the hanke with itemised lines: 1 000 € budget, 250 € spent; a "total" line is not added
    BudgetLine.objects.create(project=project, year=2023, category="other", line="a", amount=600)
    BudgetLine.objects.create(project=project, year=2023, category="ict", line="b", amount=400)
    BudgetLine.objects.create(project=project, category="total", line="c", amount=5000)
    Expenditure.objects.create(
        project=project, date=date(2023, 2, 1), amount=Decimal("250.00"), description="x"
    )
    # a second hanke of the same region measured against its total funding
    sibling = ProjectFactory(region=project.region, programme=project.programme)
    sibling.funding_total = Decimal("3000.00")
    sibling.save()
    Expenditure.objects.create(
        project=sibling, date=date(2023, 2, 1), amount=Decimal("750.00"), description="y"
    )
    for likelihood, impact, status in [
        (5, 3, "open"),
        (4, 4, "open"),
        (5, 5, "closed"),
        (2, 5, "open"),
    ]:
        Risk.objects.create(
            project=project, title="r", likelihood=likelihood, impact=impact, status=status
        )
    Risk.objects.create(project=sibling, title="s", likelihood=3, impact=5)
    Risk.objects.create(project=other, title="t", likelihood=1, impact=1)
    _english(client)
    client.force_login(personas.programme_admin)
    response = client.get(reverse("reporting:overview"))
    rows = {row.region.pk: row for row in response.context["overview"].rows}
    own, other_row = rows[project.region_id], rows[other.region_id]
    assert (own.budget, own.spent, own.budget_share) == (
        Decimal("4000.00"),
        Decimal("1000.00"),
        Decimal("0.25"),
    )
    assert own.high_risks == 3 and own.no_budget == 0
    assert other_row.budget is None and other_row.no_budget == 1 and other_row.high_risks == 0
    html = response.content.decode()
    assert "Budget used" in html and "Risks rated high" in html
    assert "without budget figures" in html
