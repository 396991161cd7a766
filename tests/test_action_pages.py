"""Action pages: status updates by the right people, conflicts shown, probes refused."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from measures.status_engine import status_recompute_projects
from objectives.models import Action
from objectives.models import StatusUpdate
from portal.paging import PAGE_SIZE
from projects.models import PlanVersion

from .factories import ActionFactory
from .factories import WorkPackageFactory
from .helpers import status_form
from .helpers import status_report

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script>'


@pytest.fixture
def action(personas):
    package = WorkPackageFactory(project=personas.project)
    return ActionFactory(
        work_package=package,
        project=personas.project,
        status="not_started",
        title_fi="Jonot puretaan",
        owner=personas.project_worker,
    )


def _url(action):
    return reverse("objectives:action-detail", args=[action.pk])


def _post(client, action, **data):
    return client.post(_url(action), status_form(action, **data))


@pytest.mark.parametrize("persona", ["project_worker", "project_manager", "programme_admin"])
def test_status_update_by_allowed_roles(client, personas, action, persona):
    client.force_login(getattr(personas, persona))
    assert _post(client, action).status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress" and action.version == 2
    update = StatusUpdate.objects.get(action=action)
    assert update.author == getattr(personas, persona) and update.comment == "Aloitettu"


@pytest.mark.parametrize("persona", ["steering_member", "ministry_viewer"])
def test_read_only_roles_see_the_action_but_cannot_update(client, personas, action, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(_url(action)).status_code == 200
    assert _post(client, action).status_code == 403
    assert Action.objects.get(pk=action.pk).status == "not_started"


def test_worker_cannot_update_an_action_they_do_not_own(client, personas, action):
    action.owner = personas.project_manager
    action.save()
    client.force_login(personas.project_worker)
    assert _post(client, action).status_code == 403


def test_probe_another_hankes_action_by_editing_the_id(client, personas):
    # given an action of a hanke the manager has no role in
    foreign = ActionFactory(
        work_package=WorkPackageFactory(project=personas.other_project),
        project=personas.other_project,
    )
    client.force_login(personas.project_manager)
    # when they open or post to its URL / then it does not exist for them
    assert client.get(_url(foreign)).status_code == 404
    assert _post(client, foreign).status_code == 404
    assert not StatusUpdate.objects.exists()


def test_anonymous_is_sent_to_login(client, action):
    response = _post(client, action)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_done_needs_a_comment_shown_in_finnish(client, personas, action):
    client.force_login(personas.project_manager)
    response = _post(client, action, status="done", comment="")
    assert response.status_code == 200
    assert "tämä tila vaatii kommentin" in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "not_started"


def test_concurrent_update_is_detected(client, personas, action):
    client.force_login(personas.project_manager)
    stale = action.version
    _post(client, action, status="starting", expected_version=str(stale))
    response = _post(client, action, status="done", comment="Valmis", expected_version=str(stale))
    html = response.content.decode()
    assert 'role="alert"' in html
    assert Action.objects.get(pk=action.pk).status == "starting"


def test_titles_and_comments_are_escaped(client, personas):
    evil = ActionFactory(
        work_package=WorkPackageFactory(project=personas.project),
        project=personas.project,
        title_fi=XSS,
    )
    client.force_login(personas.project_manager)
    _post(client, evil, comment=XSS)
    for url in (_url(evil), reverse("objectives:action-list", args=[personas.project.pk])):
        html = client.get(url).content.decode()
        assert XSS not in html
        assert "&lt;script&gt;" in html


def test_htmx_post_returns_the_status_partial(client, personas, action):
    client.force_login(personas.project_worker)
    response = client.post(
        _url(action),
        {
            "status": "starting",
            "status_date": "2023-05-02",
            "expected_version": str(action.version),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.content.decode().lstrip().startswith('<section class="card" id="status"')


@pytest.mark.parametrize("count", [1, 12, 400])
def test_action_list_runs_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries, count
):
    package = WorkPackageFactory(project=personas.project)
    Action.objects.bulk_create(
        ActionFactory.build_batch(count, work_package=package, project=personas.project)
    )
    client.force_login(personas.project_manager)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("objectives:action-list", args=[personas.project.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 1 + min(count, PAGE_SIZE)  # + the header


def test_action_list_comes_in_pages_and_the_links_keep_the_address(client, personas):
    # given a hanke of 120 actions
    package = WorkPackageFactory(project=personas.project)
    Action.objects.bulk_create(
        ActionFactory.build(work_package=package, project=personas.project, order=i)
        for i in range(120)
    )
    client.force_login(personas.steering_member)
    client.cookies["django_language"] = "en"
    url = reverse("objectives:action-list", args=[personas.project.pk])
    # when the first page is read, with another parameter in the address
    html = client.get(url, {"lang": "x"}).content.decode()
    # then it holds a page of rows and links to the next page, keeping that parameter
    assert PAGE_SIZE == 25
    assert html.count("<tr>") == 26 and "1–25 of 120 (page 1 of 5)" in html
    assert f'href="{url}?lang=x&amp;sivu=2"' in html and 'rel="prev"' not in html
    last = client.get(url, {"sivu": "5"}).content.decode()
    assert last.count("<tr>") == 21 and f'href="{url}?sivu=4" rel="prev"' in last


def test_status_date_is_kept(client, personas, action):
    client.force_login(personas.project_worker)
    _post(client, action, status_date="2023-04-30")
    assert StatusUpdate.objects.get().status_date == date(2023, 4, 30)


def test_pages_show_the_newest_stored_light_not_an_older_one(client, personas):
    # given an action that was on time in 2022 and is late by mid-2023 (two nightly runs)
    ActionFactory(
        work_package=WorkPackageFactory(project=personas.project),
        project=personas.project,
        status="in_progress",
        planned_end=date(2022, 12, 31),
    )
    for day in (date(2023, 6, 30), date(2022, 6, 30)):  # older run written last on purpose
        status_recompute_projects(project_ids=[personas.project.pk], today=day)
    client.force_login(personas.project_manager)
    # when the action list is read / then it shows the 2023 light
    html = client.get(
        reverse("objectives:action-list", args=[personas.project.pk])
    ).content.decode()
    assert "light--red" in html and "light--yellow" not in html


# --- "Not reported": a state of its own ------------------------------------------------------


@pytest.fixture
def unreported(personas):
    personas.project.source_document = "001_plan.txt"
    personas.project.save()
    PlanVersion.objects.create(project=personas.project, key="plan", name="Suunnitelma")
    return ActionFactory(
        work_package=WorkPackageFactory(project=personas.project),
        project=personas.project,
        status="not_reported",
        planned_start=date(2020, 1, 1),
        planned_end=date(2020, 12, 31),
        owner=personas.project_worker,
        source_document="001_plan.txt",
        source_ref="L486-497 (Taulukko 1, rivi 15)",
    )


def test_a_not_reported_action_page_says_so_and_names_its_source_in_words(
    client, personas, unreported
):
    status_recompute_projects(project_ids=[personas.project.pk], today=date(2023, 6, 30))
    client.force_login(personas.project_manager)
    html = client.get(_url(unreported)).content.decode()
    assert "light--grey" in html and "light--red" not in html
    assert "Ei raportoitu: suunnitelma ei kerro tilaa" in html
    region = personas.project.region.name_fi
    assert f"{region}: hankesuunnitelma, taulukko 1, rivi 15" in html
    assert "001_plan.txt" not in html
    # the form offers "not reported" while it is the action's status
    assert '<option value="not_reported" selected>Ei raportoitu</option>' in html


@pytest.mark.parametrize("status", ["not_started", "starting", "in_progress"])
def test_a_not_reported_action_moves_to_any_status_without_a_comment(
    client, personas, unreported, status
):
    # the schedule has passed, but "not reported" was never late: a first report is no
    # move back and explains no lateness
    client.force_login(personas.project_worker)
    response = _post(client, unreported, status=status, comment="")
    assert response.status_code == 302
    assert Action.objects.get(pk=unreported.pk).status == status
    assert StatusUpdate.objects.get().previous_status == "not_reported"


def test_a_reported_action_cannot_go_back_to_not_reported(client, personas, action):
    client.force_login(personas.project_manager)
    html = client.get(_url(action)).content.decode()
    assert 'value="not_reported"' not in html  # not offered
    response = _post(client, action, status="not_reported", comment="Ei tiedossa")
    assert response.status_code == 200  # the form refuses the choice
    assert "field--error" in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "not_started"
    # and the service itself, whatever the caller
    with pytest.raises(ValidationError) as refused, translation.override("fi"):
        status_report(
            action, personas.project_manager, "not_reported", date(2023, 5, 2), "Ei tiedossa"
        )
    assert refused.value.message_dict["status"] == [
        "Toimenpiteelle on kirjattu tila: se ei voi palata tilaan ”ei raportoitu”."
    ]


def test_a_save_reads_neither_the_timeline_nor_the_page(client, personas, action):
    # given an action with a status already in its timeline
    client.force_login(personas.project_manager)
    assert _post(client, action).status_code == 302
    action.refresh_from_db()
    # when the next status is saved
    with CaptureQueriesContext(connection) as captured:
        response = _post(client, action, status="done", comment="Kaikki valmista")
    # then it is saved without reading the timeline, the goals or the HTs (the page's
    # objects): a save costs the same however long the timeline (issue #16, load)
    assert response.status_code == 302
    page_reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT")
        and (
            'FROM "objectives_statusupdate"' in q["sql"]
            or "_goals" in q["sql"]
            or "benefit_targets" in q["sql"]
        )
    ]
    assert page_reads == []
    # and the page it redirects to shows both statuses of the timeline
    html = client.get(response["Location"]).content.decode()
    assert "Aloitettu" in html and "Kaikki valmista" in html


def test_a_refused_save_shows_the_whole_page_again(client, personas, action):
    # given an action with a status in its timeline
    client.force_login(personas.project_manager)
    assert _post(client, action).status_code == 302
    action.refresh_from_db()
    # when a save moves the planned end without a reason
    response = _post(client, action, planned_end="2030-01-01", comment="Siirretty")
    # then the form comes back with the error, on the whole page: timeline and light
    assert response.status_code == 200 and response.context["form"].errors
    shown = response.context["action"]
    assert hasattr(shown, "light")
    assert [u.comment for u in shown.status_updates.all()] == ["Aloitettu"]


def test_action_table_sorts_by_a_column_in_the_address_and_reverses(client, personas):
    # given three actions: one late, one in progress, one done (lights stored)
    package = WorkPackageFactory(project=personas.project)
    rows = [
        ("A-done", "done", date(2023, 12, 31)),
        ("B-late", "in_progress", date(2023, 1, 31)),
        ("C-going", "in_progress", date(2024, 6, 30)),
    ]
    for order, (number, status, end) in enumerate(rows):
        ActionFactory(
            work_package=package, number=number, status=status, planned_end=end, order=order
        )
    status_recompute_projects(project_ids=[personas.project.pk], today=date(2023, 6, 30))
    client.force_login(personas.steering_member)
    client.cookies["django_language"] = "en"
    url = reverse("objectives:action-list", args=[personas.project.pk])

    def numbers(query: dict) -> list[str]:
        html = client.get(url, query).content.decode()
        return sorted((number for number, _, _ in rows), key=html.index)

    # when the table is sorted by its lights, then reversed, then by a junk key
    # then the worst light leads, the reverse puts it last, junk keeps the plan order
    assert numbers({"jarjestys": "tila"}) == ["B-late", "C-going", "A-done"]
    assert numbers({"jarjestys": "-tila"}) == ["A-done", "C-going", "B-late"]
    assert numbers({"jarjestys": "x"}) == ["A-done", "B-late", "C-going"]
    # and the sorted header says so, its link reverses and drops the page number
    html = client.get(url, {"jarjestys": "tila", "sivu": "1"}).content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a class="sort-link" href="?jarjestys=-tila">'
        in html
    )
    assert 'href="?jarjestys=aikataulu"' in html
