"""The hanke page: the work breakdown as a tree with lights, filters, access and query count."""

from datetime import UTC
from datetime import date
from datetime import datetime
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from measures.status_engine import status_recompute_projects
from objectives.forms import ProjectFilterForm
from portal.people import display_name
from projects.models import PlanMilestone
from projects.models import PlanVersion
from projects.models import Project
from projects.selectors import plan_follow_up
from projects.selectors import plan_milestones
from projects.selectors import plan_versions
from projects.selectors import project_people_choices
from reporting.dashboards.selectors import ProjectFilters
from reporting.dashboards.selectors import project_tree

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MembershipFactory
from .factories import ProcessGoalFactory
from .factories import WorkPackageFactory
from .helpers import done_and_late
from .helpers import goals_in_progress

# Pages read in English (the msgids), so the texts are stable.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = date(2023, 6, 30)
XSS = '<script>alert("x")</script>'


@pytest.fixture
def hanke(personas):
    """Two top-level packages, one with a sub-package; goals tagged HT1/HT3; five actions."""
    project = personas.project
    version = PlanVersion.objects.create(project=project, key="v2", name="Päivitetty suunnitelma")
    wp1, goal_a, done, late = done_and_late(
        project,
        done={"responsible_text": "Kunta X", "owner": personas.project_worker},
        late={"schedule_text": "Q1/2023", "plan_version": version, "change": "new"},
    )
    late.goals.add(goal_a)
    wp11 = WorkPackageFactory(
        project=project, code="TP1.1", name_fi="Neuvonta", parent=wp1, order=2
    )
    wp2 = WorkPackageFactory(project=project, code="TP2", name_fi="Johtaminen", order=3)
    goal_b = ProcessGoalFactory(
        work_package=wp11, number="P2", title_fi="Neuvonta paranee", hts=[3]
    )
    goal_c = ProcessGoalFactory(work_package=wp2, number="P3", title_fi="Tyhjä tavoite")
    starting = ActionFactory(
        work_package=wp11, number="2.1", title_fi="Chat-neuvonta", status="starting"
    )
    starting.goals.add(goal_b)
    loose = ActionFactory(
        work_package=wp2,
        number="3.1",
        title_fi="Johtoryhmän koulutus",
        status="in_progress",
        owner=personas.project_manager,
    )
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    return {
        "wp1": wp1, "wp11": wp11, "wp2": wp2, "goal_a": goal_a, "goal_b": goal_b,
        "goal_c": goal_c, "done": done, "late": late, "starting": starting, "loose": loose,
        "version": version,
    }  # fmt: skip


def _url(project, **params):
    url = reverse("objectives:hanke", args=[project.pk])
    return f"{url}?{urlencode(params)}" if params else url


def _get(client, personas, **params):
    client.force_login(personas.project_manager)
    response = client.get(_url(personas.project, **params))
    assert response.status_code == 200
    return response.content.decode()


def _shown(html, hanke):
    return {
        key
        for key in ("done", "late", "starting", "loose")
        # the action's own row (a rollup's reason may link a late action too)
        if f'class="tree__title" href="{reverse("objectives:action-detail", args=[hanke[key].pk])}"'
        in html
    }


def test_the_page_lists_the_work_packages_folded_with_lights_and_counts(client, personas, hanke):
    # when
    html = _get(client, personas)
    # then the top-level packages are there in order, each with its light and its actions
    # counted by light (the sub-package's included), and no action rows yet
    assert html.index("TP1 Palvelut</h2>") < html.index("TP2 Johtaminen</h2>")
    assert "TP1.1 Neuvonta</h3>" not in html and _shown(html, hanke) == set()
    assert f'id="wp-light-{hanke["wp1"].pk}"' in html and f'id="wp-light-{hanke["wp2"].pk}"' in html
    assert "3 actions" in html and "1 action<" in html
    assert html.count('class="distribution"') == 3  # the summary and the two packages
    # each package opens with a link that keeps working without JavaScript
    wp1 = hanke["wp1"].pk
    toggle = f'id="wp-toggle-{wp1}" href="{_url(personas.project)}?paketti={wp1}"'
    assert toggle in html and 'aria-expanded="false"' in html
    # the summary: the hanke's own light and actions by light
    tree = project_tree(user=personas.project_manager, project=personas.project)
    assert tree.light is not None and tree.counts == {
        "green": 1,
        "red": 1,
        "orange": 1,
        "yellow": 1,
    }
    assert tree.page is None and not tree.drawn_goals


def test_an_opened_package_shows_its_goals_sub_packages_and_actions(client, personas, hanke):
    # when the first package is opened
    html = _get(client, personas, paketti=hanke["wp1"].pk)
    # then its goals with HTs, its sub-package and all their actions are there, in order
    for text in (
        "TP1 Palvelut",
        "TP1.1 Neuvonta</h3>",
        "Jonot lyhenevät",
        "HT1",
        "Neuvonta paranee",
    ):
        assert text in html
    assert html.index("Jonot lyhenevät") < html.index("TP1.1 Neuvonta</h3>")
    assert html.index("TP1.1 Neuvonta</h3>") < html.index("TP2 Johtaminen</h2>")
    assert _shown(html, hanke) == {"done", "late", "starting"}
    assert 'aria-expanded="true"' in html and html.count('aria-expanded="true"') == 1
    # lights with their reasons, schedule, responsible party, owner and last update
    assert "light--red" in html and "Late: planned end 31.3.2023 has passed" in html
    assert "light--green" in html and "light--orange" in html
    assert "5-12/2022" in html and "Kunta X" in html
    assert personas.project_worker.get_full_name() in html
    assert "2.5.2023" in html
    # and the second package: an empty goal and an action without a goal
    html = _get(client, personas, paketti=hanke["wp2"].pk)
    assert "Tyhjä tavoite" in html and "No actions serve this goal." in html
    assert _shown(html, hanke) == {"loose"}
    assert html.index("Actions without a process goal") < html.index("Johtoryhmän koulutus")


def test_a_package_counts_the_actions_that_opening_it_shows(client, personas, hanke):
    # given an action of TP2 that serves a goal of TP1, as the plans' detailed actions do
    helper = ActionFactory(
        work_package=hanke["wp2"], number="3.2", title_fi="Apuna muualla", status="in_progress"
    )
    helper.goals.add(hanke["goal_a"])
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)
    # then TP1 counts it (it is drawn under TP1's goal) and TP2 does not
    tree = project_tree(user=personas.steering_member, project=personas.project)
    assert [(n.package.code, n.action_count) for n in tree.packages] == [("TP1", 4), ("TP2", 1)]
    assert sum(tree.packages[0].counts.values()) == 4 and tree.action_count == 5
    assert "Apuna muualla" in _get(client, personas, paketti=hanke["wp1"].pk)
    assert "Apuna muualla" not in _get(client, personas, paketti=hanke["wp2"].pk)


def test_a_retired_goal_places_no_action(client, personas, hanke):
    # given an action of TP2 serving a live goal of TP1 and a retired goal of TP2, and an
    # action of TP2 whose only goal is retired
    retired = ProcessGoalFactory(work_package=hanke["wp2"], number="P9", retired_on=TODAY)
    both = ActionFactory(work_package=hanke["wp2"], number="3.2", title_fi="Kahden tavoitteen")
    both.goals.add(hanke["goal_a"], retired)
    only = ActionFactory(work_package=hanke["wp2"], number="3.3", title_fi="Vanhan tavoitteen")
    only.goals.add(retired)
    status_recompute_projects(project_ids=[personas.project.pk], today=TODAY)

    # when
    tree = project_tree(user=personas.steering_member, project=personas.project)
    opened = project_tree(
        user=personas.steering_member, project=personas.project, open_package=hanke["wp2"].pk
    )

    # then the first is drawn (and counted) only under its live goal, the second among TP2's
    # actions without a goal, and the retired goal nowhere
    assert [(n.package.code, n.action_count) for n in tree.packages] == [("TP1", 4), ("TP2", 2)]
    assert [a.number for a in opened.packages[1].loose_actions] == ["3.1", "3.3"]
    assert [g.goal.number for g in opened.packages[1].goals] == ["P3"]
    tp1 = project_tree(
        user=personas.steering_member, project=personas.project, open_package=hanke["wp1"].pk
    ).packages[0]
    assert [a.number for a in tp1.goals[0].actions] == ["1.1", "1.2", "3.2"]


def test_a_sub_package_in_the_address_opens_its_top_level_package(client, personas, hanke):
    html = _get(client, personas, paketti=hanke["wp11"].pk)
    assert _shown(html, hanke) == {"done", "late", "starting"}
    # a package of no hanke, or junk, leaves every package folded
    assert _shown(_get(client, personas, paketti="999999"), hanke) == set()
    assert _shown(_get(client, personas, paketti="x"), hanke) == set()


def test_tree_structure_from_the_selector(personas, hanke):
    tree = project_tree(
        user=personas.steering_member, project=personas.project, open_package=hanke["wp1"].pk
    )
    assert [n.package.code for n in tree.packages] == ["TP1", "TP2"]
    tp1, tp2 = tree.packages
    assert tree.opened is tp1 and tp1.open and not tp2.open
    assert [c.package.code for c in tp1.children] == ["TP1.1"]
    assert [g.goal.number for g in tp1.goals] == ["P1"] and tp1.goals[0].hts == ["HT1"]
    assert [a.number for a in tp1.goals[0].actions] == ["1.1", "1.2"]
    assert (tp1.action_count, tp2.action_count) == (3, 1)
    assert not tp2.goals and not tp2.loose_actions  # folded
    assert tp1.light is not None and tp1.goals[0].light is not None
    tree = project_tree(
        user=personas.steering_member, project=personas.project, open_package=hanke["wp2"].pk
    )
    assert [a.number for a in tree.packages[1].loose_actions] == ["3.1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ht": "1"}, {"done", "late"}),
        ({"ht": "3"}, {"starting"}),
        ({"light": "red"}, {"late"}),
        ({"light": "yellow"}, {"loose"}),
        ({"late": "on"}, {"late"}),
        ({"late": "on", "light": "green"}, set()),
        ({"new": "on"}, {"late"}),
        ({"q": "NEUVONTA"}, {"starting"}),  # a goal's title matches
        ({"q": "koulutus"}, {"loose"}),  # an action's title matches
    ],
)
def test_filters_narrow_the_actions(client, personas, hanke, params, expected):
    html = _get(client, personas, **params)
    assert _shown(html, hanke) == expected


def test_owner_and_plan_version_filters(client, personas, hanke):
    html = _get(client, personas, owner=personas.project_manager.pk)
    assert _shown(html, hanke) == {"loose"}
    html = _get(client, personas, plan_version=hanke["version"].pk)
    assert _shown(html, hanke) == {"late"}
    assert "Päivitetty suunnitelma" in html


def test_the_owner_select_lists_the_hankes_active_people_by_name(client, personas, hanke):
    # given a member without a name and one whose account is closed
    nameless = MembershipFactory(project=personas.project, role="worker", user__first_name="")
    nameless.user.last_name = ""
    nameless.user.save()
    closed = MembershipFactory(project=personas.project, role="worker").user
    closed.is_active = False
    closed.save()
    # when
    choices = project_people_choices(project=personas.project)
    # then every active member is named as on every page, by surname, the closed one left out
    users = {user.pk: user for user in get_user_model().objects.all()}
    assert [name for _pk, name in choices] == [display_name(users[pk]) for pk, _name in choices]
    assert (nameless.user.pk, nameless.user.username) in choices
    assert closed.pk not in dict(choices)
    html = _get(client, personas, owner=personas.project_manager.pk)
    manager = display_name(personas.project_manager)
    assert f'<option value="{personas.project_manager.pk}" selected>{manager}</option>' in html


def test_filtered_view_hides_empty_goals_and_packages_and_keeps_the_query(client, personas, hanke):
    # when
    html = _get(client, personas, ht="3", q="chat", late="")
    # then only the branch with a remaining action is left
    assert "TP1.1 Neuvonta" in html and "TP1 Palvelut" in html
    assert "TP2 Johtaminen</h2>" not in html and "Tyhjä tavoite" not in html
    assert "Jonot lyhenevät" not in html
    # and the form keeps what was asked, so the link can be shared
    assert 'value="chat"' in html
    assert '<option value="3" selected>HT3</option>' in html
    assert "1 action matches the filters." in html


def test_no_match_says_so(client, personas, hanke):
    html = _get(client, personas, q="ei löydy mitään")
    assert "No actions match the filters." in html


def test_invalid_filter_values_filter_nothing(client, personas, hanke):
    client.force_login(personas.project_manager)
    params = {"ht": "9", "owner": personas.outsider.pk, "light": "purple"}
    response = client.get(_url(personas.project, **params))
    tree = response.context["tree"]
    assert not tree.filtered and tree.action_count == 4


def test_filters_dataclass_defaults_are_inactive():
    assert not ProjectFilters().active
    assert ProjectFilters.from_data({"ht": None, "q": "", "late": False}) == ProjectFilters()
    assert ProjectFilters.from_data({"ht": 2}).active


def test_outsider_gets_404_and_anonymous_is_sent_to_login(client, personas, hanke):
    client.force_login(personas.outsider)
    assert client.get(_url(personas.project)).status_code == 404
    client.logout()
    response = client.get(_url(personas.project))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_steering_member_may_read(client, personas, hanke):
    client.force_login(personas.steering_member)
    assert client.get(_url(personas.project)).status_code == 200


def _indicators(project, n):
    for i in range(n):
        IndicatorFactory(
            project=project,
            hts=[1],
            targets={date(2023, 12, 31): 90},
            measurements={date(year, 12, 31): i for year in (2021, 2022)},
        )


@pytest.mark.parametrize(
    ("mode", "bound"),
    [
        # session, user, roles (2), the hanke; the tree (folded 3: packages, the actions
        # with the goals they serve, lights; with rows 6: also the goals, the page's goals
        # and actions); indicator cards opened (3, and a count beyond twelve); the plan
        # versions and the owner select's people; folded (the page it starts from) also the
        # summary's budget (2), risks, indicators (by light, the worst) and the plan's
        # phases: 5 + 3 + 4 + 2 + 5 + 1 ≤ 19 folded, 5 + 6 + 4 + 2 ≤ 17 with rows drawn
        ("folded", 19),
        ("opened", 17),
        ("filtered", 17),
    ],
)
def test_query_count_is_flat(client, personas, django_assert_max_num_queries, mode, bound):
    # given a hanke with 3 actions and 1 indicator, another with 30 and 12 (both visible to
    # the admin)
    small, big = personas.project, personas.other_project
    small_package = WorkPackageFactory(project=small)
    goals_in_progress(small_package, 3, TODAY)
    _indicators(small, 1)
    parent = WorkPackageFactory(project=big)
    for _ in range(3):
        goals_in_progress(WorkPackageFactory(project=big, parent=parent), 10, TODAY)
    _indicators(big, 12)
    status_recompute_projects(project_ids=[small.pk, big.pk], today=TODAY)
    client.force_login(personas.programme_admin)
    # when / then the selector and the page cost the same, whatever the size
    counts = []
    for project, package, size, indicators in ((small, small_package, 3, 1), (big, parent, 30, 12)):
        params = {  # with the indicator cards opened (folded they are one query)
            "folded": {"kortit": 1},
            "opened": {"paketti": package.pk, "kortit": 1},
            "filtered": {"ht": "1", "q": "toimenpide", "kortit": 1},
        }[mode]
        user = get_user_model().objects.get(pk=personas.programme_admin.pk)  # no cached roles
        with django_assert_max_num_queries(14) as selector_queries:  # roles (2) + 12
            tree = project_tree(
                user=user, project=project, filters=ProjectFilters(), open_package=package.pk
            )
        assert tree.action_count == size
        with django_assert_max_num_queries(bound) as page_queries:
            response = client.get(_url(project, **params))
        assert response.status_code == 200
        assert response.content.decode().count('class="indicator-card"') == indicators
        counts.append((len(selector_queries), len(page_queries)))
    assert counts[0] == counts[1]


def test_action_titles_are_escaped(client, personas):
    package = WorkPackageFactory(project=personas.project, name_fi=XSS)
    ActionFactory(work_package=package, title_fi=XSS)
    html = _get(client, personas, paketti=package.pk)
    assert XSS not in html and "&lt;script&gt;" in html


def test_a_filter_select_escapes_its_options_and_marks_the_choice(personas):
    # given a work package whose name is markup, chosen in the filter
    package = WorkPackageFactory(project=personas.project, code="TP9", name_fi=XSS)
    form = ProjectFilterForm(
        {"wp": str(package.pk)},
        packages=[package],
        plan_versions=[],
        people=get_user_model().objects.none(),
    )
    # when the select is drawn, then its options are Django's markup, escaped, one selected
    html = str(form["wp"])
    assert html.startswith('<select name="wp" id="id_wp">')
    assert '\n  <option value="">' in html and XSS not in html
    assert f'<option value="{package.pk}" selected>TP9 &lt;script&gt;alert(&quot;x&quot;)' in html
    assert html.count(" selected") == 1


def test_linked_from_the_action_and_indicator_lists(client, personas, hanke):
    client.force_login(personas.project_manager)
    target = f'href="{_url(personas.project)}"'
    for name in ("objectives:action-list", "measures:indicator-list"):
        assert target in client.get(reverse(name, args=[personas.project.pk])).content.decode()
    detail = reverse("objectives:action-detail", args=[hanke["late"].pk])
    assert target in client.get(detail).content.decode()


def test_a_demo_hanke_renders(client, demo_db, personas):
    # given the demo data with lights computed for Keski-Suomi
    project = Project.objects.filter(region__code="13").first()
    assert project is not None
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    client.force_login(personas.programme_admin)
    # when
    response = client.get(_url(project))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert project.work_packages.first().code in html
    assert "light--" in html and project.actions.count() > 0


def test_a_hanke_whose_lights_are_being_recomputed_says_so(client, personas, hanke):
    notice = "Lights are being updated after a recent change"
    assert notice not in _get(client, personas)
    Project.objects.filter(pk=personas.project.pk).update(status_dirty_at=datetime.now(UTC))
    html = _get(client, personas)
    assert notice in html and 'class="updating" role="status"' in html
    goal = reverse("objectives:goal-detail", args=[hanke["goal_a"].pk])
    assert notice in client.get(goal).content.decode()


# --- The plan's phases (issue 15): one folded list under the summary ----------------------


def _phases(project):
    project.source_document = "000_x.txt"
    project.save()
    PlanMilestone.objects.create(
        project=project,
        key="vaihe-2",
        order=1,
        title_fi="Toinen vaihe",
        title_en="Second phase",
        description_fi="Toisessa vaiheessa (vuonna 2021) syvennetään <b>tehtäviä</b>.",
        schedule_text="vuonna 2021",
        planned_start=date(2021, 1, 1),
        planned_end=date(2021, 12, 31),
        source_document="000_x.txt",
        source_ref="L622-630",
    )
    PlanMilestone.objects.create(project=project, key="vaihe-1", order=0, title_fi="Ensivaihe")


def _in_finnish(client, personas) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    return _get(client, personas)


def test_the_plans_phases_are_listed_folded_in_their_order(client, personas, hanke):
    _phases(personas.project)
    html = _in_finnish(client, personas)
    section = html[html.index('id="plan-milestones"') :]
    section = section[: section.index("</details>")]
    assert section.index('data-milestone="vaihe-1"') < section.index('data-milestone="vaihe-2"')
    assert "Suunnitelman aikataulu (2)" in section
    assert "vuonna 2021" in section and "1.1.2021" in section and "31.12.2021" in section
    assert "suunnitelmassa ei ole päivämääriä" in section  # the undated first phase
    assert "&lt;b&gt;tehtäviä&lt;/b&gt;" in section  # the plan's text, escaped
    assert "hankesuunnitelma, rivit 622–630" in section  # the source in words


def test_the_plans_follow_up_text_is_shown_with_its_source(client, personas, hanke):
    version = hanke["version"]
    version.follow_up_fi = "Hankehallinnoija raportoi kuukausittain.\n\nToinen kappale."
    version.follow_up_ref = "L203-207"
    version.source_document = version.source_document or "003_x.txt"
    version.save()
    personas.project.source_document = version.source_document
    personas.project.save()
    html = _in_finnish(client, personas)
    section = html[html.index('id="plan-milestones"') :]
    section = section[: section.index("</details>")]
    assert "Seuranta ja raportointi suunnitelmassa" in section
    assert "<p>Hankehallinnoija raportoi kuukausittain.</p>" in section
    assert "<p>Toinen kappale.</p>" in section
    assert ": hankesuunnitelma, rivit 203–207" in section
    assert "data-milestone" not in section  # no phases: only the follow-up


def test_a_hanke_without_phases_shows_no_timeline(client, personas, hanke):
    assert 'id="plan-milestones"' not in _get(client, personas)


def test_phases_are_read_only_for_those_who_see_the_hanke(personas, hanke):
    _phases(personas.project)
    assert len(plan_milestones(user=personas.project_manager, project=personas.project)) == 2
    assert plan_milestones(user=personas.outsider, project=personas.project) == []
    assert plan_follow_up(plan_versions(user=personas.outsider, project=personas.project)) == []


def test_the_summary_is_where_the_page_starts_and_rows_replace_it(client, personas):
    # given a hanke with a work package of three actions
    project = personas.project
    package = WorkPackageFactory(project=project)
    goals_in_progress(package, 3, TODAY)
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    client.force_login(personas.project_manager)
    client.cookies["django_language"] = "en"
    # when the page opens, it starts from the summary and the plan's phases
    html = client.get(_url(project)).content.decode()
    assert 'id="hanke-summary"' in html and "Back to the hanke's summary" not in html
    # when a package is opened without JS, or the rows are filtered, the rows come instead
    # of the summary, with the way back to it
    for params in ({"paketti": package.pk}, {"q": "toimenpide"}):
        html = client.get(_url(project, **params)).content.decode()
        assert 'id="hanke-summary"' not in html and 'class="tree__action' in html
        assert f'<a href="{_url(project)}">Back to the hanke\'s summary</a>' in html
        assert 'id="indicator-cards"' in html  # the cards section (folded) stays
