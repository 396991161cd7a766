"""No title printed twice on the hanke page (issue 18, point 2): a process goal named like its
work package (Etelä-Pohjanmaa's G1–G8) is drawn under the package's heading by its number."""

import pytest
from django.urls import reverse

from objectives.models import same_title

from .factories import ActionFactory
from .factories import ProcessGoalFactory
from .factories import WorkPackageFactory

# Pages read in English (the msgids), so the texts are stable.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _url(project):
    return reverse("objectives:hanke", args=[project.pk])


def test_same_title_ignores_case_spacing_and_a_full_stop():
    assert same_title("Hoitoon pääsee.", "hoitoon  pääsee")
    assert not same_title("Hoitoon pääsee", "Hoitoon pääsee nopeasti")
    assert not same_title("", "")


def test_a_goal_named_like_its_work_package_is_printed_once(client, personas):
    # given a package named after its one goal (as Etelä-Pohjanmaa's G1–G8), and another goal
    project = personas.project
    title = "Alueella on yhtenäinen sote-keskuksen malli"
    wp = WorkPackageFactory(project=project, code="G1", name_fi=title)
    same = ProcessGoalFactory(work_package=wp, number="G1", title_fi=title)
    other = ProcessGoalFactory(work_package=wp, number="G1.2", title_fi="Jonot lyhenevät")
    for goal in (same, other):
        ActionFactory(work_package=wp, title_fi=f"Toimi {goal.number}").goals.add(goal)
    client.force_login(personas.steering_member)
    # when the package is opened
    html = client.get(_url(project), {"paketti": wp.pk}).content.decode()
    packages = html[html.index('id="hanke-packages"') :]
    # then the title is printed once, in the package's heading; the goal's link names it
    assert packages.count(title) == 1
    assert f'<h2 id="wp-{wp.pk}">G1 {title}</h2>' in packages
    goal_url = reverse("objectives:goal-detail", args=[same.pk])
    assert f'<a class="tree__title" href="{goal_url}">Process goal G1</a>' in packages
    # a goal with its own title keeps it
    assert "G1.2 Jonot lyhenevät</a>" in packages
    # and the filtered view (the rows across packages) prints it once too
    filtered = client.get(_url(project), {"q": "Toimi"}).content.decode()
    assert filtered[filtered.index('id="hanke-packages"') :].count(title) == 1


def test_the_goal_is_named_in_the_readers_language(client, personas, settings):
    project = personas.project
    wp = WorkPackageFactory(project=project, code="G2", name_fi="Sama", name_sv="Samma")
    goal = ProcessGoalFactory(work_package=wp, number="G2", title_fi="Sama", title_sv="Annan")
    ActionFactory(work_package=wp).goals.add(goal)
    client.force_login(personas.steering_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    html = client.get(_url(project), {"paketti": wp.pk}).content.decode()
    # in Swedish the titles differ, so both are printed
    assert "G2 Annan</a>" in html
