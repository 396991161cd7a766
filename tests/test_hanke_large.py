"""A large hanke's page: work packages with lights and counts, each opened on its own."""

from datetime import date

import pytest
from django.urls import reverse

from measures.status_engine import status_recompute_projects
from objectives import selectors
from objectives.selectors import HankeFilters, hanke_tree

from .factories import ActionFactory, ProcessGoalFactory, WorkPackageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def big(personas, monkeypatch):
    """Six actions over a package with a sub-package and a second package; the collapse
    threshold lowered to four so the rule can be seen with a handful of rows."""
    monkeypatch.setattr(selectors, "COLLAPSE_ABOVE", 4)
    project = personas.project
    wp1 = WorkPackageFactory(project=project, code="TP1", order=1)
    wp11 = WorkPackageFactory(project=project, code="TP1.1", parent=wp1, order=2)
    wp2 = WorkPackageFactory(project=project, code="TP2", order=3)
    goal = ProcessGoalFactory(work_package=wp11, title_fi="Alatavoite")
    for package, count in ((wp1, 2), (wp11, 1), (wp2, 3)):
        for i in range(count):
            action = ActionFactory(
                work_package=package, title_fi=f"Toimi {package.code}-{i}", status="in_progress"
            )
            if package == wp11:
                action.goals.add(goal)
    status_recompute_projects(project_ids=[project.pk], today=date(2023, 6, 30))
    return project, wp1, wp11, wp2


def test_unfiltered_large_hanke_lists_packages_with_counts_not_rows(personas, big):
    project, wp1, wp11, wp2 = big
    tree = hanke_tree(user=personas.steering_member, project=project)
    assert tree.collapsed and tree.action_count == 6
    assert sum(tree.counts.values()) == 6
    counts = {n.package.code: n.action_count for n in tree.packages}
    assert counts == {"TP1": 3, "TP2": 3}  # TP1 includes its sub-package's action
    assert tree.packages[0].children[0].action_count == 1
    assert not any(n.goals or n.loose_actions for n in tree.packages)


def test_page_links_each_package_and_the_link_opens_it(client, personas, big):
    project, wp1, wp11, wp2 = big
    client.force_login(personas.steering_member)
    url = reverse("objectives:hanke", args=[project.pk])
    html = client.get(url).content.decode()
    assert "This hanke has 6 actions." in html
    assert f'href="?wp={wp1.pk}"' in html and "Show its 3 actions" in html
    assert "Toimi TP2-0" not in html
    # the package's own view shows its rows, its sub-package's included
    opened = client.get(url, {"wp": wp1.pk})
    html = opened.content.decode()
    assert opened.context["fragment"].built["tree"].collapsed is False
    assert "Toimi TP1-0" in html and "Toimi TP1.1-0" in html and "Toimi TP2-0" not in html
    assert "Alatavoite" in html


def test_a_small_hanke_is_never_collapsed(personas, big, monkeypatch):
    project = big[0]
    monkeypatch.setattr(selectors, "COLLAPSE_ABOVE", 250)
    tree = hanke_tree(user=personas.steering_member, project=project)
    assert not tree.collapsed and tree.action_count == 6


def test_any_filter_shows_rows_even_for_a_large_hanke(personas, big):
    project = big[0]
    tree = hanke_tree(user=personas.steering_member, project=project, filters=HankeFilters(q="TP2"))
    assert not tree.collapsed and tree.action_count == 3
