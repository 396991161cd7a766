"""The home page's region cards (projects/templatetags/home_tags.py): every value escaped,
counts in the reader's words and numbers. Pure: unsaved objects, no database."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from projects.models import Organisation
from projects.models import Project
from projects.models import Region
from projects.templatetags.home_tags import region_cards


def _entry(**region) -> SimpleNamespace:
    project = Project(pk=3, name_fi="Hanke <b>", coordinator=Organisation(name_fi="K & K"))
    project.light, project.light_counts = None, {}
    project.goal_count, project.action_count, project.indicator_count = 2, 1, 12
    fields = {"code": "EP", "name_fi": "Etelä-Pohjanmaa", "population": 191_000, **region}
    return SimpleNamespace(region=Region(**fields), projects=[project])


def test_a_card_names_the_region_and_links_its_hanke_escaped():
    with translation.override("fi"):
        html = region_cards([_entry()])
    assert '<section class="card region" aria-labelledby="region-EP">' in html
    assert '<h3><a href="/hankkeet/3/">Hanke &lt;b&gt;</a></h3>' in html
    assert "Hallinnoija: K &amp; K" in html
    assert "Väkiluku 191\u00a0000" in html
    assert 'aria-label="1 toimenpide">1</a>' in html
    assert 'aria-label="12 mittaria">12</a>' in html
    assert '<span class="visually-hidden">: Hanke &lt;b&gt;</span>' in html


def test_a_region_without_a_population_leaves_it_out_in_swedish():
    with translation.override("sv"):
        html = region_cards([_entry(population=None)])
    assert 'class="muted">' in html and "Invånarantal" not in html
    assert 'aria-label="12 indikatorer">12</a>' in html
