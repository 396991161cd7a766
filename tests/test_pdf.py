"""PDF documents: the regional report (issue 7) and the steering group meeting (issue 8).

The PDFs are read back with pypdf: they open, have A4 pages in a number tied to the content,
and hold the expected text in the reader's language. Also: the charts (the pages' Plotly
figures drawn as SVG by kaleido, with their text alternative), the url_fetcher that serves
only our static files, access, links from the pages and bounded query counts.
"""

from __future__ import annotations

import io
import os
import socket
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from measures.status_engine import status_recompute_projects
from projects.charts import budget_burn_figure
from projects.charts import burn_chart_texts
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import Risk
from projects.selectors import budget_summary
from reporting.exports.chart_images import _browser
from reporting.exports.chart_images import _locale_script
from reporting.exports.chart_images import static_charts
from reporting.exports.pdf import FetchRefused
from reporting.exports.pdf import StaticFilesFetcher
from reporting.exports.pdf import render_pdf
from reporting.exports.pdf import static_url
from reporting.meetings.selectors import meeting_view

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProcessGoalFactory
from .factories import WorkPackageFactory
from .helpers import goals_in_progress
from .helpers import meetings_after_a_decision
from .helpers import waiting_times

TODAY = date(2023, 6, 30)
BASE = "http://testserver/"
# A report PDF's queries, whatever the hanke's size: session, user, roles, hanke; the
# report's 17; budget 2, risks 1, indicators 3
REPORT_PDF_QUERIES = 30


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    """All text of the document, any run of white space (line breaks in table cells,
    no-break spaces) as one plain space."""
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # A character that no installed font has is drawn as an empty box (.notdef), and the
    # text of its whole run then reads back as garbage with NUL bytes.
    assert "\x00" not in text, "a character without a glyph in the PDF's fonts"
    return text


def _get(client, user, url, language="fi"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client.get(url)


def _grow(project, n: int) -> None:
    """n more goals, actions (with status updates), indicators with values, risks."""
    goals_in_progress(WorkPackageFactory(project=project), n, TODAY)
    for i in range(n):
        IndicatorFactory(
            project=project,
            baseline_value=10,
            targets={date(2025, 12, 31): 20},
            measurements={date(year, 12, 31): 10 + i for year in (2021, 2022)},
        )
        Risk.objects.create(project=project, title=f"Riski {i}", likelihood=1 + i % 5, impact=2)
        Expenditure.objects.create(
            project=project, date=date(2022, 1 + i % 12, 1), amount=Decimal("100.00")
        )


@pytest.fixture
def hanke(personas):
    """A hanke with a package, a goal, two actions, an indicator with values and targets, a
    budget of 1 304 000 € with an expense, and a risk rated high; lights computed."""
    project = personas.project
    project.name_fi = "Keski-Pohjanmaan sote-keskus"
    project.name_sv = "Mellersta Österbottens social- och hälsocentral"
    project.short_name = "KP sote"
    project.start_date, project.end_date = date(2022, 1, 1), date(2025, 12, 31)
    project.save()
    package = WorkPackageFactory(project=project, code="TP1", name_fi="Palvelut", order=1)
    goal = ProcessGoalFactory(work_package=package, number="P1", title_fi="Jonot lyhenevät")
    action = ActionFactory(
        work_package=package, number="1.1", title_fi="Digitaalinen ajanvaraus", status="done"
    )
    action.goals.add(goal)
    ActionFactory(
        work_package=package,
        number="1.2",
        title_fi="Jonojen purku",
        status="in_progress",
        planned_end=date(2023, 3, 31),
    )
    waiting_times(project, target_date=date(2025, 12, 31))
    BudgetLine.objects.create(
        project=project, year=2022, category="personnel", line="Hankepäällikkö", amount=1304000
    )
    Expenditure.objects.create(
        project=project, date=date(2022, 6, 30), amount=Decimal("215500.50"), description="Palkat"
    )
    Risk.objects.create(
        project=project, title="Rekrytointi viivästyy", likelihood=4, impact=4, mitigation="x"
    )
    status_recompute_projects(project_ids=[project.pk], today=TODAY)
    return project


@pytest.fixture
def meeting(personas, hanke):
    manager = personas.project_manager
    # lights stored as of a day before the meeting, which the meeting view reads
    status_recompute_projects(project_ids=[hanke.pk], today=date(2023, 5, 31))
    days = (date(2023, 3, 1), date(2023, 6, 1))
    return meetings_after_a_decision(
        hanke, manager, days, ("", "Ohjausryhmä"), due_date=date(2023, 4, 1)
    )


# --- The regional report ------------------------------------------------------------------


@pytest.mark.django_db
def test_report_pdf_in_finnish_has_name_budget_risk_and_lights(client, personas, hanke):
    # when the steering member downloads the report with the Finnish interface
    url = reverse("reporting:project-report-pdf", args=[hanke.pk])
    response = _get(client, personas.steering_member, url, "fi")
    reader = _pdf(response)
    # then it is an attachment named after the hanke
    assert response["Content-Disposition"].startswith('attachment; filename="kp-sote-raportti-')
    assert response["Content-Disposition"].endswith('.pdf"')
    text = _text(reader)
    # with the hanke's Finnish name, the budget written the Finnish way, the risk
    assert "Keski-Pohjanmaan sote-keskus" in text
    assert "1 304 000,00 €" in text and "215 500,50 €" in text
    assert "Rekrytointi viivästyy" in text
    # Finnish headings, and the lights as symbol and text
    for heading in ("Yhteenveto", "Työpaketit ja tavoitteet", "Mittarit", "Budjetti", "Riskit"):
        assert heading in text
    assert "✕" in text and "Jonojen purku" in text
    # the indicator chart's legend (SVG text) and its measurements
    assert "Mitattu arvo" in text and "Lähtötaso" in text and "28,25" in text
    # the burn chart's legend
    assert "Käytetty (kertymä)" in text and "Odotettu (tasainen käyttö)" in text


@pytest.mark.django_db
def test_report_pdf_in_swedish(client, personas, hanke):
    url = reverse("reporting:project-report-pdf", args=[hanke.pk])
    text = _text(_pdf(_get(client, personas.project_manager, url, "sv")))
    assert "Mellersta Österbottens social- och hälsocentral" in text
    assert "Sammanfattning" in text and "Risker" in text and "Indikatorer" in text
    assert "Yhteenveto" not in text
    assert "1 304 000,00 €" in text


@pytest.mark.expected_seconds(10)  # a report of 40 charts
@pytest.mark.django_db
def test_report_pages_are_a4_with_page_numbers_and_grow_with_the_hanke(
    client, personas, hanke, django_assert_max_num_queries
):
    url = reverse("reporting:project-report-pdf", args=[hanke.pk])
    small = _pdf(_get(client, personas.programme_admin, url))
    # A4 portrait: 210 × 297 mm = 595 × 842 points
    box = small.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    # summary, plan, actions, indicators and budget each start a page; risks follow budget
    assert 5 <= len(small.pages) <= 7
    pages = len(small.pages)
    assert f"1 / {pages}" in small.pages[0].extract_text()
    assert f"{pages} / {pages}" in small.pages[-1].extract_text()
    # when the hanke grows by 40 actions, indicators and risks
    _grow(hanke, 40)
    status_recompute_projects(project_ids=[hanke.pk], today=TODAY)
    # (signed in still; its queries as many as a small hanke's: the query count test below)
    with django_assert_max_num_queries(REPORT_PDF_QUERIES):
        large = _pdf(client.get(url))
    # then the report has clearly more pages (an indicator with its chart is a third of one)
    assert len(large.pages) >= pages + 12


@pytest.mark.django_db
def test_report_pdf_is_linked_beside_the_xlsx(client, personas, hanke):
    html = _get(client, personas.project_manager, reverse("objectives:hanke", args=[hanke.pk]))
    xlsx = reverse("reporting:project-report-xlsx", args=[hanke.pk])
    pdf = reverse("reporting:project-report-pdf", args=[hanke.pk])
    content = html.content.decode()
    assert xlsx in content and pdf in content


@pytest.mark.django_db
def test_report_pdf_outsider_404_anonymous_login(client, personas, hanke):
    url = reverse("reporting:project-report-pdf", args=[hanke.pk])
    assert client.get(url).status_code == 302
    assert _get(client, personas.outsider, url).status_code == 404


@pytest.mark.django_db
def test_report_pdf_query_count_is_bounded(client, personas, hanke, django_assert_max_num_queries):
    # A hanke grown by 2; the same bound for one grown by 40 (in the test above, whose
    # report of 40 indicators' charts is the costly document of this module, drawn once).
    _grow(hanke, 2)
    status_recompute_projects(project_ids=[hanke.pk], today=TODAY)
    user = get_user_model().objects.get(pk=personas.programme_admin.pk)
    client.force_login(user)
    url = reverse("reporting:project-report-pdf", args=[hanke.pk])
    with django_assert_max_num_queries(REPORT_PDF_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


# --- The steering group meeting -------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_pdf_has_status_budget_risks_and_previous_decisions(
    client, personas, hanke, meeting
):
    url = reverse("meeting-pdf", args=[hanke.pk, meeting.pk])
    response = _get(client, personas.steering_member, url, "fi")
    reader = _pdf(response)
    assert response["Content-Disposition"] == (
        'attachment; filename="kp-sote-ohjausryhma-2023-06-01.pdf"'
    )
    text = _text(reader)
    assert "Keski-Pohjanmaan sote-keskus" in text and "1.6.2023" in text
    assert "Budjetin käyttö" in text and "1 304 000,00 €" in text
    assert "Käytetty (kertymä)" in text  # the burn chart's legend
    assert "Suurimmat riskit" in text and "Rekrytointi viivästyy" in text
    assert "Edellisen kokouksen päätökset" in text and "Selvitetään rekrytoinnin tilanne" in text
    assert "⚠ Myöhässä" in text  # its due date 1.4.2023 has passed, it is not done
    # the heat map as a table with counts and levels in words
    assert "1 riski" in text and "0 riskiä" in text
    assert "Arvioitu: 1 (korkea: 1). Ei arvioitu: 0." in text
    # the hanke's light as symbol and text
    view = meeting_view(meeting=meeting, today=date.today())
    assert view.status is not None
    with translation.override("fi"):
        assert f"{view.status.light.symbol} {view.status.light.label}" in text
    # and no forms
    assert "Merkitse tehdyksi" not in text and "Mark done" not in text
    assert 1 <= len(reader.pages) <= 4


@pytest.mark.django_db
def test_meeting_pdf_in_swedish(client, personas, hanke, meeting):
    url = reverse("meeting-pdf", args=[hanke.pk, meeting.pk])
    text = _text(_pdf(_get(client, personas.steering_member, url, "sv")))
    assert "Användning av budgeten" in text and "De största riskerna" in text
    assert "Budjetin käyttö" not in text


@pytest.mark.django_db
def test_meeting_page_links_the_pdf_and_draws_the_burn_chart(client, personas, hanke, meeting):
    url = reverse("meeting-detail", args=[hanke.pk, meeting.pk])
    html = _get(client, personas.steering_member, url, "en").content.decode()
    assert reverse("meeting-pdf", args=[hanke.pk, meeting.pk]) in html
    assert 'id="meeting-burn-chart"' in html and 'id="meeting-burn-chart-data"' in html
    assert "vendor/plotly.min.js" in html and "js/charts.js" in html
    assert "Cumulative spending by date" in html  # the figures beside the chart


@pytest.mark.django_db
def test_meeting_pdf_of_another_hanke_is_404(client, personas, hanke, meeting):
    url = reverse("meeting-pdf", args=[personas.other_project.pk, meeting.pk])
    assert _get(client, personas.programme_admin, url).status_code == 404
    url = reverse("meeting-pdf", args=[hanke.pk, meeting.pk])
    assert _get(client, personas.outsider, url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 30])
def test_meeting_pdf_query_count_is_bounded(
    client, personas, hanke, meeting, django_assert_max_num_queries, size
):
    _grow(hanke, size)
    client.force_login(personas.steering_member)
    url = reverse("meeting-pdf", args=[hanke.pk, meeting.pk])
    # as the meeting page (46) without its decision form's two reads
    with django_assert_max_num_queries(44):
        response = client.get(url)
    assert response.status_code == 200


# --- The machinery: static files only, never the network ------------------------------------


def test_fetcher_serves_our_stylesheet():
    response = StaticFilesFetcher(BASE).fetch(static_url("css/pdf.css", BASE))
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/tracker.png",
        "http://evil.example/static/css/pdf.css",  # our path on another host
        "http://testserver/media/secret.pdf",  # our host, not a static file
        "http://testserver/static/../portal/settings.py",
        "http://testserver/static/%2e%2e/portal/settings.py",
        "http://testserver/static/no-such-file.css",
        "file:///etc/passwd",
        "data:text/plain,hello",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(FetchRefused):
        StaticFilesFetcher(BASE).fetch(url)


def test_external_resources_are_left_out_without_any_connection(tmp_path, monkeypatch, settings):
    # given a template that names an external image and stylesheet
    (tmp_path / "pdf_external.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css"></head>'
        '<body><p>Hei</p><img src="https://example.com/pixel.png" alt="x"></body></html>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    connections: list = []

    def refuse(*args, **kwargs):
        connections.append(args)
        raise AssertionError("no network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    # when it is rendered, then the PDF is made without the two and nothing was connected to
    pdf = render_pdf("pdf_external.html", {}, language="fi", base_url=BASE)
    assert pdf.startswith(b"%PDF-")
    assert "Hei" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert connections == []


# --- Charts: the pages' Plotly figures, drawn as SVG by kaleido --------------------------------


def _svg_texts(svg: str) -> list[str]:
    import html
    import re

    return [html.unescape(t).replace("\xa0", " ") for t in re.findall(r">([^<>]+)</text>", svg)]


@pytest.mark.django_db
def test_burn_chart_in_finnish_with_euro_axis(hanke):
    summary = budget_summary(project=hanke, today=TODAY)
    with translation.override("fi"):
        (chart,) = static_charts([(budget_burn_figure(summary), *burn_chart_texts(summary))])
    assert chart.title == "Kulutuskäyrä: kertyneet kustannukset ja odotettu suora viiva"
    assert "1 304 000,00 €" in chart.description.replace("\xa0", " ")
    # Plotly drew it with the Finnish locale of the page: euros after the grouped number
    texts = _svg_texts(chart.svg)
    assert "0 €" in texts and "1 000 000 €" in texts, texts
    assert "Käytetty (kertymä)" in texts and "Odotettu (tasainen käyttö)" in texts, texts
    assert chart.svg.startswith('<svg role="img" aria-label="Kulutuskäyrä')


@pytest.mark.django_db
def test_each_language_draws_in_a_browser_of_its_own_that_stays_open(hanke):
    # A browser's page carries its language's Plotly locale: a document in another language
    # used to close it and start another (a second of CPU each time the language changed).
    summary = budget_summary(project=hanke, today=TODAY)

    def draw(language: str):
        with translation.override(language):
            figure = budget_burn_figure(summary)
            (chart,) = static_charts([(figure, *burn_chart_texts(summary))])
        return chart, (os.environ.get("BROWSER_PATH"), _locale_script([figure]))

    # given a Finnish document's charts drawn
    finnish, finnish_key = draw("fi")
    browser = _browser._open[finnish_key].kaleido
    # when a Swedish document's follow, and then a Finnish one's again
    swedish, swedish_key = draw("sv")
    again, _key = draw("fi")
    # then the Swedish ones had a browser of their own, and the Finnish one stayed open
    assert swedish_key != finnish_key and swedish_key in _browser._open
    assert _browser._open[finnish_key].kaleido is browser
    assert _svg_texts(again.svg) == _svg_texts(finnish.svg)
    assert "1 000 000 €" in _svg_texts(again.svg)
    assert _svg_texts(swedish.svg) != _svg_texts(finnish.svg)


def test_charts_of_a_document_escape_names_and_fail_softly(monkeypatch):
    figure = {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "<b>&</b> </text>"}]}
    (chart,) = static_charts([(figure, 'Jonotusaika "<script>"', "Kaksi arvoa")])
    assert (
        "<script>" not in chart.svg and 'aria-label="Jonotusaika &quot;&lt;script&gt;' in chart.svg
    )
    assert "</text> " not in chart.svg  # the trace name is text, not markup
    # without a browser the document goes out without the chart (logged), not as an error
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert static_charts([(figure, "x", "y")]) == [None]
    assert static_charts([]) == []
