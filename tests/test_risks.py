"""The risk register: score and level rules, the heat map's counts, the page, adding and
editing with conflict detection, permissions, query bounds and the seeds' risks."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from projects.finance import RiskLevel
from projects.finance import heat_map
from projects.finance import review_overdue
from projects.finance import risk_level
from projects.finance import risk_score
from projects.models import Risk
from projects.selectors import risk_register
from projects.services import RiskConflictError
from projects.services import risk_save

# Pages read in English (the msgids), so the texts are stable.
pytestmark = pytest.mark.usefixtures("english")

# --- Pure rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "level"),
    [
        (1, 1, 1, RiskLevel.LOW),
        (1, 5, 5, RiskLevel.LOW),
        (2, 3, 6, RiskLevel.MEDIUM),
        (3, 3, 9, RiskLevel.MEDIUM),
        (2, 5, 10, RiskLevel.MEDIUM),
        (3, 5, 15, RiskLevel.HIGH),
        (5, 3, 15, RiskLevel.HIGH),
        (5, 5, 25, RiskLevel.HIGH),
        (None, 5, None, None),
        (4, None, None, None),
    ],
)
def test_score_is_likelihood_times_impact_and_sets_the_level(likelihood, impact, score, level):
    assert risk_score(likelihood, impact) == score
    assert risk_level(likelihood, impact) == level


def test_heat_map_counts_each_cell_and_keeps_unrated_apart():
    ratings = [(5, 5), (5, 5), (1, 2), (3, 4), (None, None), (2, None)]
    result = heat_map(ratings)
    cells = {(c.likelihood, c.impact): c.count for _, row in result.rows for c in row}
    assert len(cells) == 25
    assert cells[(5, 5)] == 2 and cells[(1, 2)] == 1 and cells[(3, 4)] == 1
    assert sum(cells.values()) == result.rated == 4
    assert result.unrated == 2
    assert result.by_level == {"low": 1, "medium": 1, "high": 2}
    # rows from likelihood 5 at the top down to 1; columns impact 1..5
    assert [likelihood for likelihood, _ in result.rows] == [5, 4, 3, 2, 1]
    assert [c.impact for c in result.rows[0][1]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("next_review", "status", "overdue"),
    [
        (date(2023, 6, 29), "open", True),
        (date(2023, 6, 29), "monitored", True),
        (date(2023, 6, 29), "closed", False),
        (date(2023, 6, 30), "open", False),
        (None, "open", False),
    ],
)
def test_review_is_overdue_only_when_past_and_still_followed(next_review, status, overdue):
    assert review_overdue(next_review, status=status, today=date(2023, 6, 30)) is overdue


# --- Pages and services ---------------------------------------------------------------------


def _risk(project, **values):
    return Risk.objects.create(project=project, **{"title": "Riski", **values})


@pytest.mark.django_db
def test_register_lists_risks_with_score_overdue_marker_and_heat_map(client, personas):
    # given three followed risks (one overdue for review), a closed one and an unrated one
    project = personas.project
    yesterday = timezone.localdate() - timedelta(days=1)
    _risk(project, title="Rekrytointi", likelihood=4, impact=5, next_review=yesterday)
    _risk(project, title="Aikataulu", likelihood=4, impact=5, cause="Lyhyt hankeaika")
    _risk(project, title="Viestintä", likelihood=2, impact=2)
    _risk(project, title="Suljettu", likelihood=4, impact=5, status="closed")
    _risk(project, title="Arvioimaton")
    # when the steering member opens the register
    client.force_login(personas.steering_member)
    response = client.get(reverse("project-risks", args=[project.pk]))
    html = response.content.decode()
    # then the table shows the scores and levels, overdue marked in words
    assert response.status_code == 200
    assert "Lyhyt hankeaika" in html
    assert "20 <span" in html and "High" in html
    assert html.count("Overdue</strong>") == 1
    assert "1 risk is overdue for review." in html
    # and the heat map counts the followed risks only, in text
    register = risk_register(project=project, today=timezone.localdate())
    assert register.heat_map.rated == 3 and register.heat_map.unrated == 1
    assert "2 risks" in html and "Rated: 3 (high: 2). Not rated: 1." in html
    assert '<th scope="row">5</th>' in html and '<th scope="col" class="num">5</th>' in html
    # readers get no add form and no edit links
    assert 'id="risk-form"' not in html and "/riskit/" not in html.split("risks-heading")[1]


@pytest.mark.django_db
def test_beside_the_heat_map_each_filled_cell_names_its_risks(client, personas):
    # given two followed risks in one cell, one in another, a closed and an unrated one
    project = personas.project
    _risk(project, title="Rekrytointi", likelihood=4, impact=5)
    _risk(project, title="Aikataulu", likelihood=4, impact=5)
    _risk(project, title="Viestintä", likelihood=2, impact=2)
    _risk(project, title="Suljettu", likelihood=4, impact=5, status="closed")
    _risk(project, title="Arvioimaton")
    # when the steering member opens the register
    client.force_login(personas.steering_member)
    html = client.get(reverse("project-risks", args=[project.pk])).content.decode()
    # then the list beside the grid names the risks of each filled cell, highest score first
    listed = html.split('id="heat-list-heading"')[1].split("</section>")[0]
    high = listed.index("Likelihood 4 × impact 5 = 20")
    low = listed.index("Likelihood 2 × impact 2 = 4")
    assert high < listed.index("Rekrytointi") < listed.index("Aikataulu") < low
    assert low < listed.index("Viestintä")
    assert "Suljettu" not in listed and "Arvioimaton" not in listed


@pytest.mark.django_db
def test_manager_adds_a_risk_and_the_history_names_them(client, personas):
    client.force_login(personas.project_manager)
    url = reverse("project-risks", args=[personas.project.pk])
    assert 'id="risk-form"' in client.get(url).content.decode()
    data = {
        "title": "Osaajapula",
        "cause": "Kilpailu työvoimasta",
        "likelihood": "4",
        "impact": "3",
        "mitigation": "Rekrytointi ajoissa",
        "owner": personas.project_worker.pk,
        "status": "open",
        "next_review": "2026-01-31",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert (risk.likelihood, risk.impact, risk.owner, risk.version) == (
        4,
        3,
        personas.project_worker,
        1,
    )
    assert risk.history.get().history_user == personas.project_manager
    history = client.get(reverse("object-history", args=["risk", risk.pk]))
    assert history.status_code == 200 and "Osaajapula" in history.content.decode()


@pytest.mark.django_db
def test_invalid_rating_is_refused_in_the_htmx_form_partial(client, personas):
    client.force_login(personas.project_manager)
    url = reverse("project-risks", args=[personas.project.pk])
    data = {"title": "x", "likelihood": "6", "status": "open"}
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html and 'id="risk-entry"' in html and "<h1>" not in html
    assert not Risk.objects.exists()


@pytest.mark.django_db
def test_owner_outside_the_hanke_is_refused_by_the_service(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        risk_save(
            project=personas.project,
            actor=personas.project_manager,
            values={"title": "x", "status": "open", "owner": personas.outsider},
        )
    assert "owner" in refused.value.message_dict


@pytest.mark.django_db
def test_edit_detects_a_change_saved_meanwhile(client, personas):
    # given a risk the manager opened at version 1
    risk = _risk(personas.project, title="Alkuperäinen", likelihood=2, impact=2)
    client.force_login(personas.project_manager)
    url = reverse("risk-edit", args=[risk.pk])
    assert 'name="expected_version" value="1"' in client.get(url).content.decode()
    # and the admin saved a change meanwhile
    risk_save(
        project=personas.project,
        actor=personas.programme_admin,
        values={"title": "Adminin versio", "status": "monitored", "likelihood": 5, "impact": 5},
        risk=risk,
        expected_version=1,
    )
    # when the manager saves on top of version 1
    data = {"title": "Managerin versio", "status": "open", "likelihood": "3", "expected_version": 1}
    response = client.post(url, data)
    # then nothing is overwritten: both versions are shown, the input kept
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this risk meanwhile" in html
    assert "Adminin versio" in html and 'value="Managerin versio"' in html
    assert Risk.objects.get().title == "Adminin versio"
    assert 'name="expected_version" value="2"' in html
    # and saving again on the current version replaces it
    response = client.post(url, {**data, "expected_version": 2})
    assert response.status_code == 302
    saved = Risk.objects.get()
    assert (saved.title, saved.version, saved.impact) == ("Managerin versio", 3, None)
    assert [h.history_user for h in saved.history.order_by("history_date")] == [
        None,
        personas.programme_admin,
        personas.project_manager,
    ]


@pytest.mark.django_db
def test_service_refuses_a_stale_version_and_a_reader(personas):
    risk = _risk(personas.project)
    with pytest.raises(RiskConflictError):
        risk_save(
            project=personas.project,
            actor=personas.project_manager,
            values={"title": "x", "status": "open"},
            risk=risk,
            expected_version=7,
        )
    for reader in (personas.project_worker, personas.steering_member, personas.ministry_viewer):
        with pytest.raises(PermissionDenied):
            risk_save(
                project=personas.project, actor=reader, values={"title": "x", "status": "open"}
            )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["project_worker", "steering_member"])
def test_readers_get_403_on_risk_writes(client, personas, persona):
    risk = _risk(personas.project)
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("risk-edit", args=[risk.pk])).status_code == 403
    post = client.post(reverse("project-risks", args=[personas.project.pk]), {"title": "x"})
    assert post.status_code == 403
    assert Risk.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "size"), [(2, "small"), (60, "large")])
def test_risk_page_query_count_is_flat(
    client, personas, django_assert_max_num_queries, count, size
):
    for i in range(count):
        _risk(
            personas.project,
            title=f"r{i}",
            likelihood=1 + i % 5,
            impact=1 + (i * 3) % 5,
            owner=personas.project_worker,
        )
    client.force_login(personas.project_manager)
    # session, user, roles ×2, hanke, risks (with owners), people for the owner select
    with django_assert_max_num_queries(9):
        response = client.get(reverse("project-risks", args=[personas.project.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("/historia/risk/") == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "expected"), [("mine", ["Oma myöhässä"]), ("hanke", ["Muun", "Oma myöhässä"])]
)
def test_overdue_risk_reviews_show_on_my_work(client, personas, scope, expected):
    # given overdue reviews (one owned by the manager), one due today, one closed, one in
    # a hanke the manager has no role in
    project, past = personas.project, timezone.localdate() - timedelta(days=3)
    _risk(project, title="Oma myöhässä", next_review=past, owner=personas.project_manager)
    _risk(project, title="Muun", next_review=past - timedelta(days=1))
    _risk(project, title="Tänään", next_review=timezone.localdate())
    _risk(project, title="Suljettu", next_review=past, status="closed")
    _risk(personas.other_project, title="Vieras", next_review=past)
    client.force_login(personas.project_manager)
    # when the manager opens My work
    response = client.get(reverse("objectives:my-work"), {"scope": scope})
    # then the overdue reviews of the scope are listed, oldest first
    titles = [r.title for r in response.context["overdue_risks"]]
    assert titles == expected
    html = response.content.decode()
    assert "Risk reviews overdue" in html and "Vieras" not in html and "Tänään" not in html


# --- The demo (keep last: the module-wide demo data stays loaded after the first use) ------


def test_seeds_risks_are_loaded_per_region_and_left_unrated(demo_db):
    # The four plans' risk chapters: 000 (Keski-Suomi) 8, 001 6, 002 6, 003 9; 004's seven
    # risks of the 2015 development structure belong to the region, not to the 2020 hanke.
    # None of the plans rates likelihood or impact, so none is rated here either.
    counts = {
        code: Risk.objects.filter(project__region__code=code).count()
        for code in ("13", "14", "16", "10")
    }
    assert counts == {"13": 8, "14": 6, "16": 6, "10": 9}
    assert Risk.objects.filter(region__code="13", project=None).count() == 7
    assert not Risk.objects.filter(likelihood__isnull=False).exists()
    assert Risk.objects.filter(project__region__code="16", title="Taloudelliset riskit").exists()
