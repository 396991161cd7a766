"""Steps the test modules share, taken through the services as a user would take them."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from measures.status_engine import status_recompute_projects
from objectives.models import StatusUpdate
from objectives.services import action_status_update
from projects.models import BudgetLine
from reporting.exports.services import ExportOptions
from reporting.exports.services import export_job_start
from reporting.meetings.services import meeting_decision_create
from reporting.meetings.services import steering_meeting_create
from reporting.rounds.services import self_assessment_save
from reporting.rounds.services import self_assessment_submit

from . import factories


def status_report(action, actor, status: str, status_date, comment: str = "", **more):
    """`actor` reports `status` for `action` as of `status_date`, against the version the
    instance holds unless `more` gives `expected_version`; `more` may add `today`, `owner`
    and the planned end. Returns what `action_status_update` returns."""
    more.setdefault("expected_version", action.version)
    return action_status_update(
        action=action, actor=actor, status=status, comment=comment, status_date=status_date, **more
    )


def status_form(action, **fields) -> dict:
    """What the action page's status form posts: in progress as of 2.5.2023, commented, no
    owner, against the action's version; `fields` change or add to it."""
    return {
        "status": "in_progress",
        "status_date": "2023-05-02",
        "owner": "",
        "comment": "Aloitettu",
        "expected_version": str(action.version),
        **fields,
    }


def assessment_submit(actor, period, project, *, summaries=None, narratives=None):
    """`actor` saves a first draft of the hanke's self-assessment for `period` (nothing
    written unless given) and submits it; returns the submitted assessment."""
    saved = self_assessment_save(
        actor=actor,
        period=period,
        project=project,
        expected_version=0,
        summaries=summaries or {},
        narratives=narratives or {},
    )
    return self_assessment_submit(actor=actor, assessment=saved, expected_version=saved.version)


def services_package(project, **action):
    """Work package TP1 "Palvelut" of `project` with process goal P1 "Jonot lyhenevät" (HT1)
    and its action 1.1 "Digitaalinen ajanvaraus" (5–12/2022, from 1.5.2022), as `action`
    says further; returns the three."""
    package = factories.WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut", order=1)
    goal = factories.ProcessGoalFactory(
        work_package=package, number="P1", title_fi="Jonot lyhenevät", hts=[1]
    )
    action = {
        "number": "1.1",
        "title_fi": "Digitaalinen ajanvaraus",
        "schedule_text": "5-12/2022",
        "planned_start": date(2022, 5, 1),
        **action,
    }
    first = factories.ActionFactory(work_package=package, **action)
    first.goals.add(goal)
    return package, goal, first


def waiting_times(project, target_date=date(2023, 12, 31)):
    """Indicator M1 "Jonotusaika" of `project` (days, baseline 30): target 14.5 by
    `target_date`, values 28.25 (2021) and 20 (2022)."""
    return factories.IndicatorFactory(
        project=project,
        code="M1",
        name_fi="Jonotusaika",
        unit="days",
        baseline_value=30,
        targets={target_date: Decimal("14.5")},
        measurements={date(2021, 12, 31): Decimal("28.25"), date(2022, 12, 31): Decimal("20")},
    )


def goals_in_progress(package, n: int, status_date: date) -> list:
    """n process goals in `package`, tagged HT1 to HT5 in turn, each with an action in
    progress (no owner) reported on `status_date`; returns the actions."""
    actions = []
    for i in range(n):
        goal = factories.ProcessGoalFactory(work_package=package, hts=[1 + i % 5])
        action = factories.ActionFactory(work_package=package, status="in_progress", owner=None)
        action.goals.add(goal)
        StatusUpdate.objects.create(action=action, status="in_progress", status_date=status_date)
        actions.append(action)
    return actions


def spring_and_autumn_rounds(programme):
    """The rounds "Kierros 4/2023" (cut-off 31.3.2023) and "Kierros 10/2023" (30.9.2023)."""
    spring = factories.ReportingPeriodFactory(
        programme=programme, name="Kierros 4/2023", cut_off=date(2023, 3, 31)
    )
    autumn = factories.ReportingPeriodFactory(
        programme=programme, name="Kierros 10/2023", cut_off=date(2023, 9, 30)
    )
    return spring, autumn


def action_late_later(
    project, actor, *, number="1.1", title_fi="Neuvonta", comment="Alkoi", hts=(), **package
):
    """Work package TP1 of `project` (`package` gives more of it) with an action planned on
    2.1.2023 for 1–6/2023, which `actor` reports in progress on 1.2.2023 (recorded then):
    on schedule at the spring round, late after its planned end. Returns both."""
    with factories.recorded_on(date(2023, 1, 2)):
        work_package = factories.WorkPackageFactory(project=project, code="TP1", **package)
        action = factories.ActionFactory(
            project=project,
            work_package=work_package,
            number=number,
            title_fi=title_fi,
            status="not_started",
            planned_start=date(2023, 1, 1),
            planned_end=date(2023, 6, 30),
            hts=hts,
        )
    with factories.recorded_on(date(2023, 2, 1)):
        status_report(
            action, actor, "in_progress", date(2023, 2, 1), comment, today=date(2023, 2, 1)
        )
    return work_package, action


def small_and_big(client, personas, build, small: int, big: int) -> list[tuple]:
    """The personas' own hanke built by `build(project, small)`, the other one by
    `build(project, big)`, and the programme admin, who sees both, signed in; returns each
    hanke with what `build` returned for it."""
    built = [(personas.project, small), (personas.other_project, big)]
    built = [(project, build(project, size)) for project, size in built]
    client.force_login(personas.programme_admin)
    return built


def steering_member_of(n: int, fill, today: date, *, region_prefix="Q", **project):
    """A steering group member of `n` new hankkeet (`project` gives more of each), each in a
    region of its own and filled by `fill(project, index)`; their lights computed as of
    `today`. Returns the user and the hankkeet's ids."""
    user = factories.UserFactory(username=f"seuraaja{n}")
    ids = []
    for index in range(n):
        region = factories.RegionFactory(code=f"{region_prefix}{n}{index}")
        hanke = factories.ProjectFactory(region=region, **project)
        factories.MembershipFactory(user=user, project=hanke, role="steering")
        fill(hanke, index)
        ids.append(hanke.pk)
    status_recompute_projects(project_ids=ids, today=today)
    return user, ids


def national_export_start(viewer, period):
    """`viewer` asks for the national extract of `period`: its hankkeet table as CSV, in
    English. Returns the export job."""
    return export_job_start(
        actor=viewer,
        kind="national",
        options=ExportOptions(format="csv", table="hankkeet"),
        period=period,
        language="en",
    )


BUDGET_2022 = (  # key, year, category, amount, funded elsewhere
    ("staff", 2022, "personnel", "600000.00", False),
    ("services", 2022, "purchased_services", "300000.00", False),
    ("own", 2022, "personnel", "100000.00", True),
    ("other", None, "other", "50000.00", False),
)


def budget_2022(project, keys=("staff", "services", "own")) -> dict:
    """`project` runs through 2022 with no funding total, and has the lines of BUDGET_2022
    that `keys` name (each called "<category> <funded elsewhere>", e.g. "personnel False");
    returns the lines by key."""
    project.funding_total = None
    project.start_date, project.end_date = date(2022, 1, 1), date(2022, 12, 31)
    project.save()
    return {
        key: BudgetLine.objects.create(
            project=project,
            year=year,
            category=category,
            line=f"{category} {elsewhere}",
            amount=Decimal(amount),
            funded_elsewhere=elsewhere,
        )
        for key, year, category, amount, elsewhere in BUDGET_2022
        if key in keys
    }


def form_poster(url_of, fields: dict):
    """`post(client, obj, **changed)`: `client` posts the form at `url_of(obj)` filled as
    usual (`fields`), with `changed` fields replaced or added."""

    def post(client, obj, **changed):
        return client.post(url_of(obj), fields | changed)

    return post


def rows(*lines: str) -> list[tuple[str, ...]]:
    """A parametrize table written a case a line, its cells parted by "|" (the spaces around
    a cell are not part of it; a cell may be empty)."""
    return [tuple(cell.strip(" ") for cell in line.split("|")) for line in lines]


def meetings_after_a_decision(project, manager, days, attendees, **decision):
    """`manager` records the steering group meetings of `project` on `days` (the previous
    one, then the latest), with `attendees` (likewise a pair), and at the previous one the
    decision "Selvitetään rekrytoinnin tilanne", owned by them, as `decision` says further
    (its due date, its plan action). Returns the latest meeting."""
    (previous_day, day), (previous_attendees, latest_attendees) = days, attendees
    previous = steering_meeting_create(
        project=project, actor=manager, date=previous_day, attendees=previous_attendees
    )
    meeting_decision_create(
        meeting=previous,
        actor=manager,
        text="Selvitetään rekrytoinnin tilanne",
        owner=manager,
        **decision,
    )
    return steering_meeting_create(
        project=project, actor=manager, date=day, attendees=latest_attendees
    )


@contextmanager
def refused_in_english(refusal: type[Exception], message: str):
    """`with refused_in_english(FileRejected, "is empty"):` what runs inside raises `refusal`,
    whose message, read in English inside the block (a lazy message is read in the
    language active there, whatever test ran before: issue #16 point 7), contains
    `message`."""
    with translation.override("en"):
        with pytest.raises(refusal) as refused:
            yield
        assert message in str(refused.value)


def done_and_late(project, done: dict, late: dict):
    """`services_package` of `project` with its action 1.1 done (as `done` says further),
    reported done on 2.5.2023 (recorded then), and action 1.2 "Jonojen purku" in progress,
    late since its planned end 31.3.2023 (as `late` says further). Returns the package, the
    goal and the two actions."""
    package, goal, first = services_package(project, status="done", **done)
    late = {"number": "1.2", "title_fi": "Jonojen purku", "status": "in_progress", **late}
    second = factories.ActionFactory(work_package=package, planned_end=date(2023, 3, 31), **late)
    with factories.recorded_on(date(2023, 5, 2)):
        StatusUpdate.objects.create(action=first, status="done", status_date=date(2023, 5, 2))
    return package, goal, first, second
