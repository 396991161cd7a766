"""Two saves of one action's status at once: the second waits for the first and is refused.

`action_status_update` reads the action with `SELECT … FOR UPDATE` before it compares the
version the user saw: without the row lock, the second save would read the old version while
the first is still open, pass the check, and overwrite the first save unseen.
Needs committed rows and a second connection, so the test commits for real.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.db import transaction
from django.db.models import F

from objectives.models import Action
from objectives.models import StatusUpdate
from objectives.services import ActionConflictError

from .factories import ActionFactory
from .factories import MembershipFactory
from .helpers import status_report

# serialized rollback: the HT catalogue (a data migration) survives the flush after the test
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD_SECONDS = 1.0


def _other_session_saves(action_id: int, locked: threading.Event, failures: list) -> None:
    """Another request: locks the row, saves a status, and commits a moment later."""
    try:
        with transaction.atomic():
            Action.objects.select_for_update().get(pk=action_id)
            Action.objects.filter(pk=action_id).update(status="done", version=F("version") + 1)
            locked.set()
            threading.Event().wait(HOLD_SECONDS)
    except Exception as exc:  # reported to the test's thread
        failures.append(exc)
        locked.set()
    finally:
        connection.close()


def test_a_second_save_waits_for_the_first_and_meets_its_version():
    # given an action at version 1 and its manager
    action = ActionFactory(status="in_progress")
    manager = MembershipFactory(project=action.project, role="manager").user
    # when another session has locked it and saved version 2, not yet committed
    locked, failures = threading.Event(), []
    other = threading.Thread(target=_other_session_saves, args=(action.pk, locked, failures))
    other.start()
    assert locked.wait(10)
    # and the manager saves with the version they saw (1)
    try:
        with pytest.raises(ActionConflictError):
            status_report(
                action, manager, "cancelled", date(2023, 5, 1), "Peruttu", expected_version=1
            )
    finally:
        other.join(10)
    # then the first save stands and the second wrote nothing
    assert not failures
    current = Action.objects.get(pk=action.pk)
    assert (current.status, current.version) == ("done", 2)
    assert not StatusUpdate.objects.filter(action=action).exists()
