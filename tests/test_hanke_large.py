"""The hanke page stays bounded: packages folded, one opened in place (htmx) or by its link,
rows a page at a time, whatever the number of actions."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.status_engine import status_recompute_projects
from objectives.models import Action
from portal.paging import PAGE_SIZE
from reporting.dashboards.selectors import project_tree

from .factories import ActionFactory
from .factories import ProcessGoalFactory
from .factories import WorkPackageFactory
from .helpers import small_and_big

# Pages read in English (the msgids), so the texts are stable.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = date(2023, 6, 30)
HTMX = {"HX-Request": "true"}


def _hanke(project, actions: int, goals: int = 5):
    """TP1 with `actions` actions spread over `goals` goals, TP1.1 under it with one, and TP2
    with three actions without a goal; lights computed. Bulk-created: 400 rows in a moment."""
    wp1 = WorkPackageFactory(project=project, code="TP1", name_fi="Iso paketti", order=1)
    wp11 = WorkPackageFactory(project=project, code="TP1.1", parent=wp1, order=2)
    wp2 = WorkPackageFactory(project=project, code="TP2", name_fi="Pieni paketti", order=3)
    tp1_goals = [ProcessGoalFactory(work_package=wp1, order=i) for i in range(goals)]
    sub_goal = ProcessGoalFactory(work_package=wp11, title_fi="Alatavoite")
    built = [
        ActionFactory.build(work_package=wp1, project=project, order=i, status="in_progress")
        for i in range(actions)
    ]
    built.append(ActionFactory.build(work_package=wp11, project=project, title_fi="Alatoimi"))
    built += [
        ActionFactory.build(work_package=wp2, project=project, order=i, title_fi=f"Irto {i}")
        for i in range(3)
    ]
    created = Action.objects.bulk_create(built)
    links = [
        Action.goals.through(action_id=a.pk, processgoal_id=tp1_goals[i % goals].pk)
        for i, a in enumerate(created[:actions])
    ]
    links.append(Action.goals.through(action_id=created[actions].pk, processgoal_id=sub_goal.pk))
    Action.goals.through.objects.bulk_create(links)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    return wp1, wp11, wp2


def _url(project):
    return reverse("objectives:hanke", args=[project.pk])


def _rows(html: str) -> int:
    return html.count('class="tree__action')


def test_the_folded_page_does_not_grow_with_the_actions(
    client, personas, django_assert_max_num_queries
):
    # given two hankkeet, 20 and 400 actions in one package (both visible to the admin)
    hankkeet = small_and_big(client, personas, _hanke, 20, 400)
    # when the admin reads each hanke page
    sizes, queries = [], []
    for project, _packages in hankkeet:
        with django_assert_max_num_queries(22) as captured:
            html = client.get(_url(project)).content.decode()
        sizes.append(len(html.encode()))
        queries.append(len(captured))
        assert _rows(html) == 0  # packages only
    # then the same queries and the same size, give or take the digits of the counts
    assert queries[0] == queries[1]
    assert abs(sizes[0] - sizes[1]) < 200, sizes
    assert "401 actions" in html  # TP1, its sub-package's action included


def test_an_opened_package_draws_one_page_of_rows_whatever_its_size(
    client, personas, django_assert_max_num_queries
):
    sizes, queries = [], []
    for project, (package, *_others) in small_and_big(client, personas, _hanke, 60, 400):
        with django_assert_max_num_queries(27) as captured:
            html = client.get(_url(project), {"paketti": package.pk}).content.decode()
        assert _rows(html) == PAGE_SIZE
        sizes.append(len(html.encode()))
        queries.append(len(captured))
    assert queries[0] == queries[1]
    # the same page of rows (under fewer goal headings in the big one), other numbers
    assert max(sizes) < 1.1 * min(sizes), sizes


def test_the_toggle_opens_a_package_in_place_with_htmx(client, personas):
    # given a steering member on the folded page
    wp1, _wp11, wp2 = _hanke(personas.project, 6)
    client.force_login(personas.steering_member)
    folded = client.get(_url(personas.project)).content.decode()
    toggle = re.search(rf'<a class="package-toggle" id="wp-toggle-{wp1.pk}"[^>]*>', folded)[0]
    assert f'href="{_url(personas.project)}?paketti={wp1.pk}"' in toggle
    assert f'hx-get="{_url(personas.project)}?paketti={wp1.pk}"' in toggle
    assert 'hx-target="#hanke-packages"' in toggle and 'hx-push-url="true"' in toggle
    assert 'aria-expanded="false"' in toggle and f'aria-controls="wp-body-{wp1.pk}"' in toggle
    # when the toggle asks for the package with htmx
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            _url(personas.project),
            {"paketti": wp1.pk},
            headers={**HTMX, "HX-Trigger": f"wp-toggle-{wp1.pk}"},
        )
    html = response.content.decode()
    # (the filter form is not drawn, so its owner select's people are not read)
    people = [q for q in queries if 'FROM "projects_membership" INNER JOIN "auth_user"' in q["sql"]]
    assert not people
    # then only the package list comes back, the package open, its toggle focused again
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="hanke-packages"')
    assert "<h1>" not in html and "hanke-filters" not in html and "<html" not in html
    assert _rows(html) == 7 and "Alatoimi" in html and "Irto 0" not in html
    opened = re.search(rf'<a class="package-toggle" id="wp-toggle-{wp1.pk}"[^>]*>', html)[0]
    assert 'aria-expanded="true"' in opened and "data-focus-after-swap" in opened
    assert f'href="{_url(personas.project)}?"' in opened  # closing drops ?paketti=
    closed = re.search(rf'<a class="package-toggle" id="wp-toggle-{wp2.pk}"[^>]*>', html)[0]
    assert 'aria-expanded="false"' in closed and "data-focus-after-swap" not in closed
    # and the live region says what happened
    assert 'id="live-region" hx-swap-oob="innerHTML">Work package TP1 opened: 7 actions.' in html


def test_the_same_address_without_htmx_is_the_whole_page_with_the_package_open(client, personas):
    wp1, _wp11, _wp2 = _hanke(personas.project, 6)
    client.force_login(personas.steering_member)
    for headers in (
        {},
        {**HTMX, "HX-History-Restore-Request": "true"},
        {**HTMX, "HX-Boosted": "true"},
    ):
        html = client.get(_url(personas.project), {"paketti": wp1.pk}, headers=headers).text
        assert "<h1>" in html and "hanke-filters" in html  # the whole page
        assert _rows(html) == 7 and 'aria-expanded="true"' in html
        assert "hx-swap-oob" not in html


def test_closing_with_htmx_announces_it(client, personas):
    wp1, _wp11, _wp2 = _hanke(personas.project, 6)
    client.force_login(personas.steering_member)
    html = client.get(
        _url(personas.project), headers={**HTMX, "HX-Trigger": f"wp-toggle-{wp1.pk}"}
    ).text
    assert _rows(html) == 0 and 'aria-expanded="true"' not in html
    assert ">Work packages closed.</div>" in html


def test_an_opened_package_pages_its_rows_and_the_links_keep_the_address(client, personas):
    # given a package of 120 actions (and one more in its sub-package)
    wp1, wp11, _wp2 = _hanke(personas.project, 120)
    client.force_login(personas.project_manager)
    first = client.get(_url(personas.project), {"paketti": wp1.pk}).text
    # then the first page draws a page of rows and links to the next, the package kept open
    assert _rows(first) == PAGE_SIZE == 25
    assert "1–25 of 121 (page 1 of 5)" in first
    assert f'href="{_url(personas.project)}?paketti={wp1.pk}&amp;sivu=2#hanke-packages"' in first
    assert "TP1.1" not in first.split('id="hanke-packages"')[1]  # the sub-package comes last
    # and the last page holds the rest, the sub-package with its action included
    last = client.get(_url(personas.project), {"paketti": wp1.pk, "sivu": "5"}).text
    assert _rows(last) == 21 and "Alatoimi" in last and 'rel="prev"' in last
    assert f'id="wp-light-{wp11.pk}"' in last
    # a row's links carry the page it sits on, so a save refreshes that page's lights
    assert f"paketti={wp1.pk}&amp;sivu=5&amp;view=hanke" in last
    # out-of-range and junk page numbers give the last and the first page
    assert _rows(client.get(_url(personas.project), {"paketti": wp1.pk, "sivu": "99"}).text) == 21
    junk = client.get(_url(personas.project), {"paketti": wp1.pk, "sivu": "x"}).text
    assert _rows(junk) == PAGE_SIZE


def test_filtered_rows_come_a_page_at_a_time_with_the_filters_kept(client, personas):
    wp1, _wp11, _wp2 = _hanke(personas.project, 120)
    client.force_login(personas.steering_member)
    html = client.get(_url(personas.project), {"q": "Toimenpide", "light": "yellow"}).text
    tree = project_tree(user=personas.steering_member, project=personas.project)
    assert tree.page is None  # nothing asked for: folded
    assert _rows(html) == PAGE_SIZE and "120 actions match the filters." in html
    assert "package-toggle" not in html  # the matching rows are drawn, not folded
    assert "sivu=2" in html and "q=Toimenpide&amp;light=yellow&amp;sivu=2" in html
    second = client.get(_url(personas.project), {"q": "Toimenpide", "light": "yellow", "sivu": 5})
    assert _rows(second.text) == 20


def test_saving_a_row_on_a_later_page_refreshes_that_pages_lights(client, personas):
    wp1, _wp11, _wp2 = _hanke(personas.project, 120)
    client.force_login(personas.project_manager)
    page = client.get(_url(personas.project), {"paketti": wp1.pk, "sivu": "2"})
    action = page.context["tree"].opened.goals[0].actions[0]
    row = reverse("objectives:action-row", args=[action.pk])
    response = client.post(
        f"{row}?paketti={wp1.pk}&sivu=2&view=hanke",
        {
            "status": "done",
            "status_date": TODAY.isoformat(),
            "owner": "",
            "comment": "Valmis",
            "planned_end": "",
            "planned_end_reason": "",
            "expected_version": str(action.version),
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    goals_on_page = {g.goal.pk for g in page.context["tree"].drawn_goals}
    refreshed = {int(pk) for pk in re.findall(r'id="goal-light-(\d+)" hx-swap-oob', html)}
    assert refreshed == goals_on_page
    assert f'id="wp-counts-{wp1.pk}" hx-swap-oob="true"' in html


def test_the_htmx_request_is_refused_as_the_page_is(client, personas):
    wp1 = _hanke(personas.project, 3)[0]
    headers = {**HTMX, "HX-Trigger": f"wp-toggle-{wp1.pk}"}
    response = client.get(_url(personas.project), {"paketti": wp1.pk}, headers=headers)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(personas.outsider)
    response = client.get(_url(personas.project), {"paketti": wp1.pk}, headers=headers)
    assert response.status_code == 404
