"""My work, and status updates in a list row: rules, in-place refresh, conflicts, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from measures.models import CurrentLight
from measures.status_engine import status_recompute_projects
from objectives.models import Action
from objectives.models import StatusUpdate
from portal.paging import PAGE_SIZE

from .factories import ActionFactory
from .factories import MembershipFactory
from .factories import ProcessGoalFactory
from .factories import ReportingPeriodFactory
from .factories import WorkPackageFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _today():
    return timezone.localdate()


def _days(n: int):
    return _today() + timedelta(days=n)


@pytest.fixture
def work(personas):
    """The worker's hanke: one late action, one due soon, one later, one done, one not theirs."""
    package = WorkPackageFactory(project=personas.project)
    goal = ProcessGoalFactory(work_package=package)
    mine = dict(work_package=package, owner=personas.project_worker)
    actions = {
        "late": ActionFactory(
            **mine, number="1.1", status="in_progress", planned_end=_days(-10), title_fi="Myöhässä"
        ),
        "soon": ActionFactory(
            **mine, number="1.2", status="in_progress", planned_end=_days(12), title_fi="Pian"
        ),
        "later": ActionFactory(
            **mine, number="1.3", status="starting", planned_end=_days(200), title_fi="Myöhemmin"
        ),
        "done": ActionFactory(**mine, number="1.4", status="done", title_fi="Valmis jo"),
        "theirs": ActionFactory(
            work_package=package,
            number="1.5",
            owner=personas.project_manager,
            status="in_progress",
            planned_end=_days(-3),
            title_fi="Johtajan oma",
        ),
    }
    for action in actions.values():
        action.goals.add(goal)
    status_recompute_projects(project_ids=[personas.project.pk], today=_today())
    return actions


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _sections(response):
    work = response.context["work"]
    return (
        [a.number for a in work.late],
        [a.number for a in work.due_soon],
        [a.number for a in work.other],
    )


def test_worker_sees_own_open_actions_late_first_then_due_soon(client, personas, work):
    _english(client, personas.project_worker)
    response = client.get(reverse("objectives:my-work"))
    assert response.status_code == 200
    assert response.context["work"].scope == "mine"
    assert _sections(response) == (["1.1"], ["1.2"], ["1.3"])
    html = response.content.decode()
    assert html.index("Myöhässä") < html.index("Pian") < html.index("Myöhemmin")
    assert "Valmis jo" not in html and "Johtajan oma" not in html
    # each of the worker's rows offers the update, with the action named for screen readers
    assert html.count("Update status<span") == 3


def test_manager_sees_the_whole_hanke_by_default_and_can_narrow(client, personas, work):
    _english(client, personas.project_manager)
    response = client.get(reverse("objectives:my-work"))
    assert response.context["work"].scope == "hanke"
    assert _sections(response) == (["1.1", "1.5"], ["1.2"], ["1.3"])
    mine = client.get(reverse("objectives:my-work"), {"scope": "mine"})
    assert _sections(mine) == (["1.5"], [], [])


def test_steering_member_reads_the_hanke_list_without_update_buttons(client, personas, work):
    _english(client, personas.steering_member)
    response = client.get(reverse("objectives:my-work"), {"scope": "hanke"})
    assert _sections(response)[0] == ["1.1", "1.5"]
    assert "Update status" not in response.content.decode()


def test_people_without_a_hanke_are_told_why_the_list_is_empty(client, personas, work):
    _english(client, personas.ministry_viewer)
    response = client.get(reverse("objectives:my-work"), {"scope": "hanke"})
    assert response.status_code == 200
    assert "You have no role in any hanke" in response.content.decode()
    # and the outsider (manager of another hanke) sees nothing of this one
    _english(client, personas.outsider)
    response = client.get(reverse("objectives:my-work"), {"scope": "hanke"})
    assert "Myöhässä" not in response.content.decode()


def _row(action, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('objectives:action-row', args=[action.pk])}?{query}"


def _payload(action, **data):
    return {
        "status": "in_progress",
        "status_date": _today().isoformat(),
        "owner": str(action.owner_id or ""),
        "comment": "",
        "planned_end": action.planned_end.isoformat() if action.planned_end else "",
        "planned_end_reason": "",
        "expected_version": str(action.version),
        **data,
    }


def test_row_opens_its_form_in_place_and_without_htmx_goes_to_the_action(client, personas, work):
    _english(client, personas.project_worker)
    action = work["soon"]
    response = client.get(_row(action, edit=1, view="mywork"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_row{action.pk}_status"' in html and "data-focus-after-swap" in html
    assert 'hx-target="closest .tree__action"' in html
    plain = client.get(_row(action, edit=1, view="mywork"))
    assert plain.status_code == 302
    assert plain["Location"] == reverse("objectives:action-detail", args=[action.pk])


def test_late_action_needs_a_comment_and_nothing_is_saved_without_one(client, personas, work):
    _english(client, personas.project_worker)
    action = work["late"]
    response = client.post(_row(action, view="mywork"), _payload(action), headers=HTMX)
    assert response.status_code == 200
    assert "The action is late: explain the situation in a comment." in response.content.decode()
    assert not StatusUpdate.objects.filter(action=action).exists()
    assert Action.objects.get(pk=action.pk).version == action.version


def test_moving_back_needs_a_comment(client, personas, work):
    _english(client, personas.project_worker)
    action = work["soon"]
    response = client.post(
        _row(action, view="mywork"), _payload(action, status="not_started"), headers=HTMX
    )
    assert "The status moves back: say why in a comment." in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "in_progress"


def test_new_planned_end_needs_a_reason_and_cannot_precede_the_start(client, personas, work):
    _english(client, personas.project_worker)
    action = work["soon"]
    action.planned_start = _days(-100)
    action.save()
    response = client.post(
        _row(action, view="mywork"), _payload(action, planned_end=_days(60).isoformat())
    )
    assert "Give a reason for the new planned end." in response.content.decode()
    response = client.post(
        _row(action, view="mywork"),
        _payload(action, planned_end=_days(-200).isoformat(), planned_end_reason="x"),
    )
    assert "cannot be before the planned start" in response.content.decode()
    assert Action.objects.get(pk=action.pk).planned_end == action.planned_end


def test_saving_a_late_action_with_a_new_end_turns_it_yellow_and_refreshes_the_summary(
    client, personas, work
):
    # given the worker on the hanke page, where the late action is red
    _english(client, personas.project_worker)
    action = work["late"]
    project = personas.project
    page = client.get(reverse("objectives:hanke", args=[project.pk]))
    assert page.context["tree"].counts == {
        "red": 2,
        "yellow": 1,
        "orange": 1,
        "green": 1,
    }
    # when they open its work package and save "in progress" with a comment and a later
    # planned end, from the row (which carries the page's ?paketti=)
    opened = client.get(page.request["PATH_INFO"], {"paketti": action.work_package_id})
    assert f"paketti={action.work_package_id}&amp;view=hanke" in opened.content.decode()
    response = client.post(
        _row(action, paketti=action.work_package_id, view="hanke"),
        _payload(
            action,
            comment="Rekrytointi viivästyi",
            planned_end=_days(90).isoformat(),
            planned_end_reason="Uusi aikataulu ohjausryhmän päätöksellä",
        ),
        headers=HTMX,
    )
    # then the row comes back yellow, and the rollups above it come out of band
    assert response.status_code == 200
    html = response.content.decode()
    assert "light--yellow" in html.split('id="live-region"')[0]
    assert '<div id="hanke-summary" hx-swap-oob="true">' in html
    assert "hanke-glance" not in html  # budget, risks, indicators: unchanged, not re-read
    assert response.context["tree"].counts == {
        "red": 1,
        "yellow": 2,
        "orange": 1,
        "green": 1,
    }
    assert f'id="goal-light-{action.goals.get().pk}" hx-swap-oob="true"' in html
    assert f'id="wp-light-{action.work_package_id}" hx-swap-oob="true"' in html
    assert f'id="wp-counts-{action.work_package_id}" hx-swap-oob="true"' in html
    assert "Action 1.1 saved: In progress." in html
    # and the stored light and the history record the change, end moved with its reason
    row = CurrentLight.objects.filter(kind="action", object_id=action.pk).get()
    assert row.light == "yellow"
    update = StatusUpdate.objects.get(action=action)
    assert (update.previous_status, update.status) == ("in_progress", "in_progress")
    assert (update.previous_planned_end, update.new_planned_end) == (_days(-10), _days(90))
    assert update.planned_end_reason.startswith("Uusi aikataulu")
    assert update.author == personas.project_worker
    assert Action.objects.get(pk=action.pk).planned_end == _days(90)


def test_my_work_row_save_refreshes_the_my_work_counts(client, personas, work):
    _english(client, personas.project_worker)
    action = work["soon"]
    response = client.post(
        _row(action, view="mywork", scope="mine"),
        _payload(action, status="done", comment="Valmistui"),
        headers=HTMX,
    )
    html = response.content.decode()
    assert 'id="my-work-summary"' in html and 'hx-swap-oob="true"' in html
    assert response.context["work"].counts == {
        "late": 1,
        "due_soon": 0,
        "other": 1,
    }


def test_row_conflict_shows_both_versions_and_overwrites_nothing(client, personas, work):
    # given the manager saved the action after the worker opened the row form
    action = work["soon"]
    client.force_login(personas.project_manager)
    client.post(_row(action, view="mywork"), _payload(action, status="done", comment="Valmis!"))
    # when the worker saves with the version they saw
    _english(client, personas.project_worker)
    response = client.post(
        _row(action, view="mywork"),
        _payload(action, status="starting", comment="Minun versioni"),
        headers=HTMX,
    )
    # then nothing is overwritten and both versions are on screen
    html = response.content.decode()
    assert "Saved meanwhile" in html and "Your input (not saved)" in html
    assert "Valmis!" in html and "Minun versioni" in html
    assert Action.objects.get(pk=action.pk).status == "done"
    assert StatusUpdate.objects.filter(action=action).count() == 1


def test_plain_post_redirects_back_with_the_filters(client, personas, work):
    client.force_login(personas.project_worker)
    action = work["soon"]
    url = _row(action, view="hanke", ht="2", late="on")
    response = client.post(url, _payload(action, comment="ok"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("objectives:hanke", args=[action.project_id]))
    assert "ht=2" in response["Location"] and "late=on" in response["Location"]


def test_worker_cannot_open_or_post_the_row_form_of_an_action_they_do_not_own(
    client, personas, work
):
    client.force_login(personas.project_worker)
    action = work["theirs"]
    assert client.get(_row(action, edit=1), headers=HTMX).status_code == 403
    response = client.post(_row(action), _payload(action, comment="x"), headers=HTMX)
    assert response.status_code == 403
    assert not StatusUpdate.objects.exists()


def test_status_update_lands_in_its_reporting_round_and_the_timeline(client, personas, work):
    # given a round whose cut-off follows today
    period = ReportingPeriodFactory(
        programme=personas.project.programme,
        name="Väliarviointi kevät",
        cut_off=_days(30),
        due_date=_days(60),
    )
    _english(client, personas.project_worker)
    action = work["soon"]
    client.post(_row(action, view="mywork"), _payload(action, status="done", comment="Tehty"))
    assert StatusUpdate.objects.get(action=action).reporting_period == period
    page = client.get(reverse("objectives:action-detail", args=[action.pk])).content.decode()
    assert "In progress → Done" in page and "Väliarviointi kevät" in page


@pytest.mark.parametrize("size", [2, 40])
def test_my_work_runs_a_fixed_number_of_queries(
    client, personas, size, django_assert_max_num_queries
):
    package = WorkPackageFactory(project=personas.project)
    for i in range(size):
        ActionFactory(
            work_package=package,
            owner=personas.project_worker if i % 2 else personas.project_manager,
            status="in_progress",
            planned_end=_days(i - size // 2),
        )
    MembershipFactory(user=personas.project_manager, project=personas.other_project)
    status_recompute_projects(project_ids=[personas.project.pk], today=_today())
    user = get_user_model().objects.get(pk=personas.project_manager.pk)
    client.force_login(user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("objectives:my-work"), {"scope": "hanke"})
    assert sum(response.context["work"].counts.values()) == size


def test_my_work_comes_in_pages_late_first_with_every_section_counted(client, personas):
    # given 70 open actions of the manager's hanke: 20 late, 50 due later
    package = WorkPackageFactory(project=personas.project)
    Action.objects.bulk_create(
        ActionFactory.build(
            work_package=package,
            project=personas.project,
            status="in_progress",
            planned_end=_days(-5 if i < 20 else 200 + i),
            title_fi=f"{'Myöhässä' if i < 20 else 'Myöhemmin'} {i}",
        )
        for i in range(70)
    )
    status_recompute_projects(project_ids=[personas.project.pk], today=_today())
    _english(client, personas.project_manager)
    url = reverse("objectives:my-work")
    # when the first page is read
    first = client.get(url, {"scope": "hanke"})
    html = first.content.decode()
    # then it holds a page of rows, the late ones first, and the summary counts all 70
    assert html.count('class="tree__action') == PAGE_SIZE == 25
    work = first.context["work"]
    assert len(work.late) == 20 and len(work.other) == 5
    assert work.counts == {"late": 20, "due_soon": 0, "other": 50}
    assert 'Other open actions <span class="muted">(50)</span>' in html
    assert f'href="{url}?scope=hanke&amp;sivu=2" rel="next"' in html
    # and the last page holds the remaining 20, with the page in the rows' links
    last = client.get(url, {"scope": "hanke", "sivu": "3"})
    assert last.content.decode().count('class="tree__action') == 20
    assert not last.context["work"].late
    assert "view=mywork&amp;scope=hanke&amp;sivu=3" in last.content.decode()
