"""The date rules on their boundary days: the cut-off, today, the last day of a membership.

Each rule is inclusive of its boundary day (design README §4): a status dated on a cut-off
belongs to that round; an action due today is "due soon"; a membership ending today still
gives access today; a round's lights count what was recorded until the end of its cut-off day.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from measures.status_engine import lights_at
from objectives.models import StatusUpdate
from portal.lights import Light
from projects.models import forget_roles
from projects.models import roles_for
from reporting.dashboards.selectors import DUE_SOON_DAYS
from reporting.dashboards.selectors import my_work

from .factories import ActionFactory
from .factories import MembershipFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .helpers import spring_and_autumn_rounds
from .helpers import status_report

pytestmark = pytest.mark.django_db

CUT_OFF = date(2023, 3, 31)


def _at(day: date, hour: int, minute: int, second: int = 0):
    """Travel to a local time of `day` (the portal's time zone): what is saved is recorded then."""
    moment = datetime.combine(day, time(hour, minute, second))
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def _update(action, actor, status: str, status_date: date):
    return status_report(
        action,
        actor,
        status,
        status_date,
        "Tilanne",
        expected_version=type(action).objects.get(pk=action.pk).version,
        today=status_date,
    )


@pytest.mark.parametrize(
    ("status_date", "round_index"),
    [
        (CUT_OFF - timedelta(days=1), 0),
        (CUT_OFF, 0),  # on the cut-off: still this round
        (CUT_OFF + timedelta(days=1), 1),
    ],
)
def test_a_status_dated_on_a_cut_off_belongs_to_that_round(personas, status_date, round_index):
    # given two rounds and an action of the hanke
    rounds = spring_and_autumn_rounds(personas.project.programme)
    action = ActionFactory(project=personas.project, status="not_started")
    # when its manager records a status dated around the first cut-off
    _update(action, personas.project_manager, "in_progress", status_date)
    # then the update is counted in the round whose cut-off is the first on or after its date
    assert StatusUpdate.objects.get(action=action).reporting_period == rounds[round_index]


def test_due_soon_includes_today_and_the_last_day_of_the_window(personas):
    # given actions of the worker ending yesterday, today, on the window's last day, after it
    today = date(2024, 5, 15)
    ends = {
        "yesterday": today - timedelta(days=1),
        "today": today,
        "last": today + timedelta(days=DUE_SOON_DAYS),
        "after": today + timedelta(days=DUE_SOON_DAYS + 1),
    }
    package = WorkPackageFactory(project=personas.project)
    actions = {
        name: ActionFactory(
            project=personas.project,
            work_package=package,
            owner=personas.project_worker,
            status="in_progress",
            planned_end=end,
        )
        for name, end in ends.items()
    }
    # when the worker opens My work
    work = my_work(user=personas.project_worker, scope="mine", today=today)
    # then an action due today and one due on the 30th day are "due soon", the others not
    assert {a.pk for a in work.due_soon} == {actions["today"].pk, actions["last"].pk}
    assert {a.pk for a in work.other} == {actions["yesterday"].pk, actions["after"].pk}


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "has_access"),
    [
        (None, 0, True),  # ends today: access until the day is over
        (None, -1, False),  # ended yesterday
        (0, None, True),  # starts today
        (1, None, False),  # starts tomorrow
    ],
)
def test_a_membership_is_in_force_on_its_first_and_last_day(valid_from, valid_to, has_access):
    # given a membership whose first or last day is around today
    today = timezone.localdate()

    def day(offset):
        return None if offset is None else today + timedelta(days=offset)

    membership = MembershipFactory(
        user=UserFactory(), role="manager", valid_from=day(valid_from), valid_to=day(valid_to)
    )
    user = membership.user
    forget_roles(user)
    # then the person has the hanke's role exactly on the days it is in force
    assert (membership.project_id in roles_for(user).projects) is has_access


def _light_of(computed, kind: str, object_id: int) -> str:
    return next(
        str(row.light) for row in computed.rows if (row.kind, row.object_id) == (kind, object_id)
    )


def test_a_rollup_on_a_cut_off_day_counts_what_was_recorded_until_its_end(personas):
    # given an action planned to end before the cut-off, late on it
    manager = personas.project_manager
    with _at(date(2023, 1, 2), 12, 0):
        action = ActionFactory(
            project=personas.project,
            status="in_progress",
            planned_start=date(2023, 1, 1),
            planned_end=date(2023, 2, 28),
        )
    project_id = personas.project.pk
    late = lights_at(project_ids=[project_id], day=CUT_OFF)
    assert _light_of(late, "action", action.pk) == Light.RED
    assert _light_of(late, "project", project_id) == Light.RED
    # when it is reported done a minute before midnight of the cut-off day
    with _at(CUT_OFF, 23, 59):
        _update(action, manager, "done", CUT_OFF)
    # and cancelled a minute after it
    with _at(CUT_OFF + timedelta(days=1), 0, 1):
        _update(action, manager, "cancelled", CUT_OFF + timedelta(days=1))
    # then the lights of the cut-off day count the first and not the second
    on_cut_off = lights_at(project_ids=[project_id], day=CUT_OFF)
    assert _light_of(on_cut_off, "action", action.pk) == Light.GREEN
    # and the hanke's rollup of that day has nothing behind
    assert _light_of(on_cut_off, "project", project_id) != Light.RED
