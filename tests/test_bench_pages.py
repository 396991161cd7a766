"""bench/pages.py: its page list still points at the portal's URLs, its bare view stays bare,
its users get the roles the pages need, and its statistics are what the table says."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import resolve

from bench.pages import BARE
from bench.pages import PAGES
from bench.pages import SERVER_URLCONF
from bench.pages import Timing
from bench.pages import World
from bench.pages import select_pages
from bench.pages import verdicts
from bench.pages_data import ensure_users
from bench.pages_data import find_world
from projects.models import Membership
from projects.models import ProgrammeRole

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProcessGoalFactory
from .factories import ProjectFactory
from .factories import WorkPackageFactory


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.key)
def test_every_page_resolves_to_its_view(page):
    # given objects with ids 11 to 15
    path = page.path(World(hanke=11, action=12, indicator=13, package=14, goal=15))
    # when the path is resolved by the benchmark server's URL configuration
    match = resolve(path.split("?")[0], urlconf=SERVER_URLCONF)
    # then it reaches the named view with the world's ids
    assert match.view_name == page.url_name
    assert set(match.kwargs.values()) <= {11, 12, 13, 15}
    assert all(f"={getattr(World(0, 0, 0, 14, 15), attr)}" in path for attr in page.params.values())


def test_page_keys_are_unique_and_the_bare_view_is_always_timed():
    keys = [page.key for page in PAGES]
    assert len(keys) == len(set(keys))
    assert [page.key for page in select_pages("hanke,overview")] == [BARE, "hanke", "overview"]
    assert [page.key for page in select_pages(f"{BARE},home")] == [BARE, "home"]
    assert select_pages(None) == PAGES
    with pytest.raises(SystemExit):
        select_pages("hanke,no-such-page")


def test_bare_view_needs_a_login_and_reads_only_session_and_user(
    client, personas, settings, django_assert_max_num_queries
):
    settings.ROOT_URLCONF = SERVER_URLCONF
    response = client.get("/bench/bare/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(personas.ministry_viewer)
    with django_assert_max_num_queries(2):
        response = client.get("/bench/bare/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_bare_view_is_not_a_portal_url(client, personas):
    client.force_login(personas.programme_admin)
    assert client.get("/bench/bare/").status_code == 404


@pytest.fixture
def two_hankkeet(db):
    small, big = ProjectFactory(), ProjectFactory()
    ActionFactory(work_package__project=small)
    first = WorkPackageFactory(project=big, order=0)
    top = WorkPackageFactory(project=big, order=1)
    sub = WorkPackageFactory(project=big, parent=top, order=2)
    actions = [ActionFactory(work_package=first), *ActionFactory.create_batch(2, work_package=sub)]
    goal = ProcessGoalFactory(work_package=sub)
    goal.actions.set(actions[1:])
    ProcessGoalFactory(work_package=first).actions.set(actions[:1])
    few = IndicatorFactory(project=big)
    many = IndicatorFactory(project=big)
    MeasurementFactory(indicator=few)
    for year in (2021, 2022, 2023):
        MeasurementFactory(indicator=many, period=f"{year}-12-31")
    return big, actions[0], many, top, goal


def test_world_is_the_biggest_hanke_with_its_fullest_indicator(two_hankkeet):
    big, first_action, fullest, top, goal = two_hankkeet
    world = find_world()
    assert world.hanke == big.pk
    assert world.action == first_action.pk
    assert world.indicator == fullest.pk
    assert world.package == top.pk  # two actions, both in its sub-package
    assert world.goal == goal.pk


def test_bench_users_get_their_roles_once_and_a_new_password_each_run(two_hankkeet):
    big = two_hankkeet[0]
    world = find_world()
    # when the users are ensured twice, as two benchmark runs do
    ensure_users(world, "first-password-123")
    ensure_users(world, "second-password-456")
    # then each exists once, with the newest password and its role
    users = get_user_model().objects.filter(username__startswith="bench.")
    assert sorted(users.values_list("username", flat=True)) == [
        "bench.admin",
        "bench.manager",
        "bench.viewer",
    ]
    assert all(user.check_password("second-password-456") for user in users)
    roles = dict(ProgrammeRole.objects.values_list("user__username", "role"))
    assert roles == {"bench.admin": "admin", "bench.viewer": "viewer"}
    memberships = Membership.objects.active().filter(user__username="bench.manager")
    assert list(memberships.values_list("project_id", "role")) == [(big.pk, "manager")]


def test_percentiles_ratio_and_verdicts():
    page = next(page for page in PAGES if page.key == "overview")
    timing = Timing(page, "/ohjelma/", times_ms=[float(n) for n in range(1, 101)])
    assert timing.p50 == pytest.approx(50.5)
    assert timing.p95 == pytest.approx(95.05)
    assert timing.max == 100.0
    ratio, under_ratio, under_ms = verdicts(timing, bare_p95=5.0)
    assert ratio == pytest.approx(19.01)
    assert (under_ratio, under_ms) == (False, True)
    assert verdicts(timing, bare_p95=10.0)[1] is True  # 9.5 × the bare view: within 10 ×


def test_no_bench_script_shadows_an_installed_module():
    # `python bench/x.py` puts bench/ first on sys.path: a bench/import_export.py once hid
    # django-import-export from the server the page benchmark starts.
    import importlib.util
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench"
    shadowing = [
        script.name
        for script in bench.glob("*.py")
        if importlib.util.find_spec(script.stem) is not None
    ]
    assert not shadowing
