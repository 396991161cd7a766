"""Page frames written once (issue 19): a card section is named by its own heading (the `card`
tag writes the heading's id once), and a hanke sub-page named by its view says that name in
its title and its h1."""

import re

import pytest
from django.template import Context
from django.template import Template
from django.urls import reverse

from .helpers import rows

CARD = Template(
    '{% load i18n portal_tags %}{% card heading id="risks-heading" css=css section_id=sid %}'
    "<p>{{ body }}</p>{% endcard %}"
)


def _card(heading, css="", sid="", body="rows"):
    return CARD.render(Context({"heading": heading, "css": css, "sid": sid, "body": body}))


def test_a_card_is_a_section_named_by_its_heading():
    html = _card("Risks")
    assert html == (
        '<section class="card" aria-labelledby="risks-heading">\n'
        '  <h2 id="risks-heading">Risks</h2><p>rows</p></section>'
    )


def test_a_card_takes_classes_and_an_id_of_its_own():
    html = _card("Risks", css="card--wide", sid="risks")
    assert html.startswith(
        '<section class="card card--wide" id="risks" aria-labelledby="risks-heading">'
    )


def test_a_card_escapes_its_heading_and_keeps_its_content_as_drawn():
    html = _card("<b>R&D</b>", body="<i>x</i>")
    assert '<h2 id="risks-heading">&lt;b&gt;R&amp;D&lt;/b&gt;</h2>' in html
    assert "<p>&lt;i&gt;x&lt;/i&gt;</p>" in html  # the content's own escaping, not twice


def _labelled_cards(html: str) -> list[tuple[str, bool]]:
    """(aria-labelledby, whether an element has that id) of every card section."""
    names = re.findall(r'<section class="card[^"]*"[^>]*aria-labelledby="([^"]+)"', html)
    return [(name, f'id="{name}"' in html) for name in names]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "language", "name"),
    rows(
        "reporting:plan-versions | fi | Suunnitelmaversiot",
        "reporting:plan-versions | sv | Planversioner",
        "project-budget-import   | fi | Tuo kustannukset taloushallintojärjestelmästä",
        "project-budget-import   | sv | Importera kostnader från ekonomisystemet",
    ),
)
def test_a_sub_page_named_by_its_view(client, settings, personas, url_name, language, name):
    # given a project manager reading in Finnish or Swedish
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(personas.project_manager)
    # when a sub-page of the hanke that its view names is opened
    html = client.get(reverse(url_name, args=[personas.project.pk])).content.decode()
    # then its title and its only h1 say the name, without the hanke's tabs
    assert f"<title>{name} – {personas.project.display_name}" in html
    assert re.findall(r"<h1>(.*?)</h1>", html) == [name]
    assert 'class="hanke-tabs' not in html
    # and every card on it is named by a heading that is there
    cards = _labelled_cards(html)
    assert cards and all(found for _, found in cards)


@pytest.mark.django_db
def test_a_sub_page_without_a_name_keeps_the_hanke_heading_and_tabs(client, personas):
    client.force_login(personas.project_manager)
    html = client.get(reverse("project-risks", args=[personas.project.pk])).content.decode()
    assert re.search(r"<h1>[^<]*: " + re.escape(personas.project.display_name), html)
    assert all(found for _, found in _labelled_cards(html))
