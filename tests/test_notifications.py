"""Round reminders and the weekly digest by e-mail: who gets what, once, in their language."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.urls import reverse

from portal.celery import app
from portal.mail import preferences_save
from portal.mail import unsubscribe_token
from portal.models import SentMail
from portal.models import SentMailStatus
from portal.models import UserPreferences
from projects.models import Risk
from reporting.models import SelfAssessment
from reporting.notifications.rules import Scope
from reporting.notifications.rules import digest_key
from reporting.notifications.rules import digest_select
from reporting.notifications.rules import iso_week
from reporting.notifications.rules import needs_reminder
from reporting.notifications.rules import reminder_window_open
from reporting.notifications.rules import round_reminder_key
from reporting.notifications.services import round_reminders_due
from reporting.notifications.services import round_reminders_send
from reporting.notifications.services import weekly_digest_send
from reporting.tasks import round_reminders_send_task
from reporting.tasks import weekly_digest_send_task

from .factories import ActionFactory
from .factories import MembershipFactory
from .factories import ProjectFactory
from .factories import ReportingPeriodFactory
from .factories import UserFactory
from .factories import member
from .factories import programme_admin

TODAY = date(2023, 4, 24)  # a Monday, six days before the round's due date below

# --- Pure rules (no database) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2023, 4, 22), False),  # eight days before: not yet
        (date(2023, 4, 23), True),  # exactly seven days before
        (date(2023, 4, 30), True),  # the due date itself
        (date(2023, 5, 1), False),  # past the due date: the round dashboard shows it late
    ],
)
def test_reminder_window_opens_n_days_before_the_due_date(today, expected):
    assert reminder_window_open(due_date=date(2023, 4, 30), today=today, days_before=7) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [(None, True), ("draft", True), ("returned", True), ("submitted", False), ("accepted", False)],
)
def test_only_unsubmitted_self_assessments_need_a_reminder(status, expected):
    assert needs_reminder(status) is expected


def test_iso_week_keeps_the_week_around_new_year_together():
    assert iso_week(date(2026, 1, 1)) == "2026-W01"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert digest_key(date(2027, 1, 1), 5) == digest_key(date(2026, 12, 28), 5)
    assert round_reminder_key(1, 2, 3) == "round-reminder:1:2:3"


def _action(pk, **kw):
    values = dict(
        pk=pk,
        owner_id=1,
        project_id=10,
        region_id=100,
        status="in_progress",
        planned_start=None,
        planned_end=None,
    )
    return SimpleNamespace(**(values | kw))


def _risk(pk, **kw):
    values = dict(pk=pk, owner_id=1, project_id=10, region_id=100, status="open", next_review=None)
    return SimpleNamespace(**(values | kw))


def test_digest_lists_what_the_status_engine_calls_late_and_overdue_reviews():
    # given actions and risks of one owner, some late or overdue and some not
    today = date(2023, 6, 1)
    actions = [
        _action(1, planned_end=date(2023, 5, 31)),  # late: end passed
        _action(2, status="not_started", planned_start=date(2023, 5, 1)),  # late: not started
        _action(3, planned_end=date(2023, 6, 1)),  # ends today: not late yet
        _action(4, status="done", planned_end=date(2023, 1, 1)),  # done: never late
        _action(5, status="cancelled", planned_end=date(2023, 1, 1)),
        _action(6, planned_end=date(2022, 1, 1), owner_id=2),  # owner without a role
        _action(7, planned_end=date(2022, 1, 1), project_id=11, region_id=101),  # not theirs
    ]
    risks = [
        _risk(1, next_review=date(2023, 5, 1)),  # overdue
        _risk(2, next_review=date(2023, 6, 1)),  # due today
        _risk(3, next_review=date(2023, 1, 1), status="closed"),  # closed: not followed
        _risk(4, next_review=None),
    ]
    scopes = {1: Scope(projects=frozenset({10}))}
    # when the digest is selected
    digests = digest_select(actions=actions, risks=risks, scopes=scopes, today=today)
    # then only owner 1 gets one, with the two late actions (oldest end first) and one risk
    assert set(digests) == {1}
    assert [a.pk for a, _assessment in digests[1].late_actions] == [1, 2]
    assert {a.reason.code for _a, a in digests[1].late_actions} == {
        "action_late_end",
        "action_late_start",
    }
    assert [r.pk for r in digests[1].overdue_risks] == [1]


def test_a_region_or_programme_role_sees_the_hanke_in_the_digest():
    today = date(2023, 6, 1)
    late = [_action(1, planned_end=date(2023, 1, 1), project_id=99, region_id=100)]
    for scope in (Scope(regions=frozenset({100})), Scope(programme=True)):
        digests = digest_select(actions=late, risks=[], scopes={1: scope}, today=today)
        assert len(digests[1].late_actions) == 1


# --- Round reminders ----------------------------------------------------------------------


@pytest.fixture
def round_world(db):
    project = ProjectFactory(name_fi="Testihanke")
    manager = member("pp", project, "manager", first_name="Paula")
    member("worker", project, "worker")
    period = ReportingPeriodFactory(
        programme=project.programme, name="Väliarviointi 4/2023", cut_off=date(2023, 3, 31)
    )
    return SimpleNamespace(project=project, manager=manager, period=period)


def test_round_reminder_goes_to_the_project_manager_in_finnish_with_html(round_world):
    # when the reminders run six days before the due date
    report = round_reminders_send(today=TODAY)
    # then the manager (not the worker) gets one e-mail, in Finnish by default
    assert report.as_dict() == {"sent": 1, "skipped": 0, "failed": 0}
    (message,) = mail.outbox
    assert message.to == ["pp@example.invalid"]
    assert "Väliarviointi 4/2023" in message.subject and "30.4.2023" in message.subject
    assert message.alternatives[0][1] == "text/html"
    url = reverse("reporting:assessment", args=[round_world.project.pk, round_world.period.pk])
    assert url in message.body and url in message.alternatives[0][0]
    # and the log has the row with its reason key
    logged = SentMail.objects.get()
    key = round_reminder_key(round_world.period.pk, round_world.project.pk, round_world.manager.pk)
    assert logged.reason_key == key and logged.language == "fi"
    assert logged.status == SentMailStatus.SENT and logged.sent_at is not None


def test_round_reminder_is_never_sent_twice(round_world):
    # given the reminders ran already
    round_reminders_send(today=TODAY)
    # when they run again that day, the next day and through the task
    second = round_reminders_send(today=TODAY)
    round_reminders_send(today=date(2023, 4, 25))
    round_reminders_send_task.delay()
    # then there is still only one e-mail
    assert len(mail.outbox) == 1
    assert second.skipped == 1
    assert SentMail.objects.count() == 1


@pytest.mark.parametrize(("status", "reminded"), [("draft", 1), ("submitted", 0), ("accepted", 0)])
def test_submitted_or_accepted_hanke_gets_no_reminder(round_world, status, reminded):
    SelfAssessment.objects.create(
        period=round_world.period, project=round_world.project, status=status
    )
    round_reminders_send(today=TODAY)
    assert len(mail.outbox) == reminded


def test_reminder_days_come_from_the_programme(round_world):
    programme = round_world.project.programme
    programme.reminder_days_before = 3
    programme.save()
    assert round_reminders_send(today=TODAY).sent == 0  # six days before: not yet
    assert round_reminders_send(today=date(2023, 4, 27)).sent == 1


def test_a_failed_send_is_retried_once_and_a_claimed_one_is_not(round_world, monkeypatch):
    # given the mail server refuses the first attempt
    calls = []

    def refuse_once(self, fail_silently=False):
        calls.append(self.to)
        if len(calls) == 1:
            raise ConnectionRefusedError("SMTP down")
        mail.outbox.append(self)
        return 1

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_once)
    # when the reminders run, then run again
    first = round_reminders_send(today=TODAY)
    assert first.failed == 1 and SentMail.objects.get().status == SentMailStatus.FAILED
    second = round_reminders_send(today=TODAY)
    # then the second run sends it, and a third finds it sent
    assert second.sent == 1 and len(mail.outbox) == 1
    assert SentMail.objects.get().attempts == 2
    assert round_reminders_send(today=TODAY).skipped == 1


def test_a_row_left_sending_by_a_crash_is_not_sent_again(round_world):
    # given a run that claimed the reminder and died before sending (at-most-once)
    key = round_reminder_key(round_world.period.pk, round_world.project.pk, round_world.manager.pk)
    SentMail.objects.create(
        reason_key=key, kind="round-reminder", recipient=round_world.manager, email="x@y.invalid"
    )
    # when the reminders run again
    report = round_reminders_send(today=TODAY)
    # then nothing is sent for that reason
    assert report.skipped == 1 and not mail.outbox


def test_round_reminders_take_a_fixed_number_of_queries(round_world, django_assert_max_num_queries):
    for _n in range(5):
        project = ProjectFactory(programme=round_world.project.programme)
        MembershipFactory(project=project, role="manager")
    with django_assert_max_num_queries(4):
        due = round_reminders_due(today=TODAY)
    assert len(due) == 6


# --- Weekly digest ------------------------------------------------------------------------


def _in_progress(project, owner, planned_end, **titles):
    """An action of `owner` in `project`, in progress, planned to end on `planned_end`."""
    return ActionFactory(
        project=project,
        work_package__project=project,
        owner=owner,
        status="in_progress",
        planned_end=planned_end,
        **titles,
    )


@pytest.fixture
def digest_world(db):
    project = ProjectFactory(name_fi="Digesthanke")
    owner = member("owner", project, "worker", first_name="Olli")
    late = _in_progress(
        project,
        owner,
        date(2023, 3, 31),
        title_fi="Myöhässä oleva toimenpide",
        title_en="A late action",
    )
    _in_progress(project, owner, date(2023, 12, 31), title_fi="Aikataulussa")
    risk = Risk.objects.create(
        project=project, title="Avainhenkilö lähtee", owner=owner, next_review=date(2023, 4, 1)
    )
    return SimpleNamespace(project=project, owner=owner, late=late, risk=risk)


def test_digest_lists_late_actions_and_overdue_risks_with_links(digest_world):
    # when the weekly digest runs
    report = weekly_digest_send(today=TODAY)
    # then the owner gets one e-mail naming the late action and the risk, with links
    assert report.sent == 1
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert "Myöhässä oleva toimenpide" in message.body and "Aikataulussa" not in message.body
    assert "Avainhenkilö lähtee" in message.body
    for body in (message.body, html):
        assert reverse("objectives:my-work") in body
        assert reverse("objectives:action-detail", args=[digest_world.late.pk]) in body
        assert reverse("project-risks", args=[digest_world.project.pk]) in body
        assert reverse("digest-unsubscribe", args=[unsubscribe_token(digest_world.owner)]) in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert SentMail.objects.get().reason_key == f"digest:2023-W17:{digest_world.owner.pk}"
    # and once a week only
    assert weekly_digest_send(today=date(2023, 4, 26)).skipped == 1
    assert len(mail.outbox) == 1


def test_digest_is_in_the_recipients_language(digest_world):
    preferences_save(
        actor=digest_world.owner, user=digest_world.owner, language="en", digest_enabled=True
    )
    weekly_digest_send_task.delay()  # runs as of the real today: the action is late anyway
    (message,) = mail.outbox
    assert message.subject.startswith("Weekly digest")
    assert "A late action" in message.body and "Late actions you own" in message.body


def test_nobody_without_late_items_or_with_the_digest_off_gets_one(digest_world):
    UserPreferences.objects.create(user=digest_world.owner, digest_enabled=False)
    UserFactory(username="idle")
    assert weekly_digest_send(today=TODAY).sent == 0
    assert not mail.outbox


def test_an_owner_who_left_the_hanke_gets_no_digest(digest_world):
    membership = digest_world.owner.memberships.get()
    membership.valid_to = date(2023, 1, 1)
    membership.save()
    assert weekly_digest_send(today=TODAY).sent == 0


def test_unsubscribe_link_turns_the_digest_off_without_login(client, digest_world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("digest-unsubscribe", args=[unsubscribe_token(digest_world.owner)])
    # when the link is opened, nothing changes yet (mail scanners open links)
    page = client.get(url)
    assert page.status_code == 200 and "Stop sending me the weekly digest" in page.text
    assert not UserPreferences.objects.filter(user=digest_world.owner).exists()
    # when the button is pressed (or the mail client POSTs, RFC 8058)
    done = client.post(url)
    # then the digest is off and the next one is not sent
    assert done.status_code == 200 and "The weekly digest is off" in done.text
    assert UserPreferences.objects.get(user=digest_world.owner).digest_enabled is False
    assert weekly_digest_send(today=TODAY).sent == 0


def test_a_forged_unsubscribe_token_is_not_found(client, digest_world):
    token = unsubscribe_token(digest_world.owner)[:-2] + "xx"
    assert client.post(reverse("digest-unsubscribe", args=[token])).status_code == 404


def test_preferences_page_turns_the_digest_back_on_and_sets_the_language(client, digest_world):
    # given a user who unsubscribed
    UserPreferences.objects.create(user=digest_world.owner, digest_enabled=False)
    client.force_login(digest_world.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when they open their settings from the user menu and turn the digest on, in Swedish
    home = client.get(reverse("home"))
    assert f'href="{reverse("preferences")}"' in home.text
    page = client.get(reverse("preferences"))
    assert page.status_code == 200 and "Send me the weekly digest" in page.text
    response = client.post(reverse("preferences"), {"language": "sv", "digest_enabled": "on"})
    # then it is saved, with history, and the digest comes in Swedish
    assert response.status_code == 302
    prefs = UserPreferences.objects.get(user=digest_world.owner)
    assert prefs.digest_enabled is True and prefs.language == "sv"
    assert prefs.history.first().history_user == digest_world.owner
    weekly_digest_send(today=TODAY)
    assert len(mail.outbox) == 1


def test_preferences_refuse_an_unknown_language(client, digest_world):
    client.force_login(digest_world.owner)
    response = client.post(reverse("preferences"), {"language": "de"})
    assert response.status_code == 200
    assert not UserPreferences.objects.filter(user=digest_world.owner).exists()


def test_sent_mail_log_is_read_only_in_admin(client, round_world):
    round_reminders_send(today=TODAY)
    # (the programme office's admins are superusers in the portal, as the demo makes them)
    client.force_login(programme_admin(username="toimisto", is_staff=True, is_superuser=True))
    logged = SentMail.objects.get()
    changelist = client.get(reverse("admin:portal_sentmail_changelist"))
    assert changelist.status_code == 200 and logged.reason_key in changelist.text
    assert client.get(reverse("admin:portal_sentmail_add")).status_code == 403
    change = client.post(reverse("admin:portal_sentmail_change", args=[logged.pk]), {})
    assert change.status_code in (200, 403)
    assert SentMail.objects.get().status == SentMailStatus.SENT


def test_management_command_runs_both_and_is_safe_to_repeat(round_world, digest_world):
    call_command("send_notifications", "--date", "2023-04-24")
    call_command("send_notifications", "all", "--date", "2023-04-24")
    assert len(mail.outbox) == 2
    assert {m.kind for m in SentMail.objects.all()} == {"round-reminder", "digest"}


def test_beat_schedule_runs_the_reminders_daily_and_the_digest_weekly():
    app.loader.import_default_modules()
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    reminders = schedule["reporting.tasks.round_reminders_send_task"]
    digest = schedule["reporting.tasks.weekly_digest_send_task"]
    assert reminders.day_of_week == set(range(7)) and digest.day_of_week == {1}  # Monday
    for name in (
        "reporting.tasks.round_reminders_send_task",
        "reporting.tasks.weekly_digest_send_task",
    ):
        task = app.tasks[name]
        assert task.acks_late and task.time_limit and task.soft_time_limit
