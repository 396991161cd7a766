"""Indicator pages: who sees them, who may enter values, and what a person sees on errors."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from measures.models import IndicatorProgress
from measures.models import Measurement

from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProjectFactory
from .factories import TargetFactory
from .helpers import form_poster

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(personas):
    indicator = IndicatorFactory(
        project=personas.project,
        name_fi="Hoitoon pääsy 7 vrk",
        unit="percent",
        baseline_value=Decimal(50),
        baseline_date=date(2021, 1, 1),
    )
    TargetFactory(indicator=indicator, target_date=date(2023, 12, 31), value=Decimal(80))
    return indicator


def _detail(indicator):
    return reverse("measures:indicator-detail", args=[indicator.pk])


# A new 2022 value as the form sends it.
VALUE_FORM = {
    "period": "2022-12-31",
    "value": "60",
    "source": "manual",
    "note": "",
    "expected_version": "0",
}
_post = form_poster(_detail, VALUE_FORM)


def _post_over_a_stored_70(client, user, indicator, version: int, **data):
    """2022 already has the value 70, saved `version` times; `user` posts a 2022 value (`data`)."""
    MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), value=70, version=version)
    client.force_login(user)
    return _post(client, indicator, **data)


def test_anonymous_is_sent_to_login(client, indicator):
    response = client.get(_detail(indicator))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona",
    ["programme_admin", "ministry_viewer", "steering_member", "project_manager", "project_worker"],
)
def test_roles_of_the_hanke_and_programme_see_the_indicator(client, personas, indicator, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(_detail(indicator))
    assert response.status_code == 200
    assert "Hoitoon pääsy 7 vrk" in response.content.decode()


def test_outsider_gets_404_not_a_hint(client, personas, indicator):
    client.force_login(personas.outsider)
    assert client.get(_detail(indicator)).status_code == 404
    assert (
        client.get(reverse("measures:indicator-list", args=[indicator.project_id])).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["ministry_viewer", "steering_member"])
def test_read_only_roles_get_no_form_and_cannot_post(client, personas, indicator, persona):
    client.force_login(getattr(personas, persona))
    assert 'id="measurement-form"' not in client.get(_detail(indicator)).content.decode()
    assert _post(client, indicator).status_code == 403
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("persona", ["programme_admin", "project_manager", "project_worker"])
def test_editors_save_a_value_and_see_the_light(client, personas, indicator, persona):
    client.force_login(getattr(personas, persona))
    response = _post(client, indicator, value="65,5")
    assert response.status_code == 302
    saved = Measurement.objects.get()
    assert (saved.value, saved.entered_by) == (Decimal("65.5"), getattr(personas, persona))
    page = client.get(_detail(indicator)).content.decode()
    assert "Arvo tallennettu." in page
    assert "light--" in page  # computed on commit (eager in tests) and shown with its reason


def test_bad_value_shows_a_finnish_field_error_and_keeps_the_input(client, personas, indicator):
    client.force_login(personas.project_worker)
    response = _post(client, indicator, value="120")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Prosenttiluvun on oltava välillä 0–100." in html
    assert 'value="120"' in html
    assert not Measurement.objects.exists()


def test_htmx_post_answers_with_the_values_partial(client, personas, indicator):
    client.force_login(personas.project_worker)
    response = client.post(
        _detail(indicator),
        {"period": "2022-12-31", "value": "61", "source": "manual", "expected_version": "0"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="values"')
    assert "<html" not in html


def test_a_new_value_for_a_taken_period_offers_the_correction_not_a_conflict(
    client, personas, indicator
):
    # given 2022 already has a value (entered earlier, nobody is editing it now)
    # when the manager enters a new value for the same period
    new_value = {"value": "55", "expected_version": "0"}
    response = _post_over_a_stored_70(client, personas.project_manager, indicator, 1, **new_value)
    # then nothing is saved; the page offers the correction old → new and asks for a reason
    html = response.content.decode()
    assert Measurement.objects.get().value == 70
    assert "meanwhile" not in html and "välillä joku" not in html
    assert 'id="correction"' in html and "70" in html and "55" in html
    assert "Kerro, miksi arvoa korjataan." in html
    assert 'name="reason"' in html
    assert '<input type="hidden" name="expected_version" value="1">' in html
    # when they give the reason and save again
    response = _post(client, indicator, value="55", expected_version="1", reason="Laskuvirhe")
    # then the value is corrected, the old one kept in the history with the reason
    assert response.status_code == 302
    saved = Measurement.objects.get()
    assert (saved.value, saved.version) == (Decimal(55), 2)
    newest, older = saved.history.order_by("-history_id")[:2]
    assert newest.history_change_reason == "Laskuvirhe" and older.value == 70


def test_a_correction_without_a_reason_is_refused_with_the_values_shown(
    client, personas, indicator
):
    no_reason = {"value": "72", "expected_version": "4", "reason": " "}
    response = _post_over_a_stored_70(client, personas.project_worker, indicator, 4, **no_reason)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kerro, miksi arvoa korjataan." in html and 'id="correction"' in html
    assert Measurement.objects.get().value == 70


def test_the_new_value_form_asks_no_reason(client, personas, indicator):
    client.force_login(personas.project_worker)
    assert 'name="reason"' not in client.get(_detail(indicator)).content.decode()
    html = client.get(_detail(indicator), {"period": "2022-12-31"}).content.decode()
    assert 'name="reason"' not in html  # no value for the period: nothing to correct


def test_a_correction_someone_else_made_meanwhile_is_shown_not_overwritten(
    client, personas, indicator
):
    # given the user opened the correction of version 1, and someone saved version 2 since
    # when the user saves their correction against version 1
    correction = {"value": "55", "expected_version": "1", "reason": "Korjaus"}
    response = _post_over_a_stored_70(client, personas.project_manager, indicator, 2, **correction)
    # then the other value is kept and the conflict is explained with both values
    html = response.content.decode()
    assert Measurement.objects.get().value == 70
    assert 'role="alert"' in html and "70" in html and 'value="55"' in html


def test_demo_values_are_marked_on_the_page(client, personas, indicator):
    MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), source="demo")
    client.force_login(personas.steering_member)
    assert "badge--demo" in client.get(_detail(indicator)).content.decode()


def test_sotkanet_indicator_credits_its_source_and_licence(client, personas):
    indicator = IndicatorFactory(
        project=personas.project, source_system="sotkanet", source_id="5081"
    )
    client.force_login(personas.steering_member)
    html = client.get(_detail(indicator)).content.decode()
    assert "Sotkanet" in html and "CC BY 4.0" in html


@pytest.mark.parametrize("count", [1, 10])
def test_indicator_list_runs_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries, count
):
    project = ProjectFactory()
    for _ in range(count):
        TargetFactory(indicator=IndicatorFactory(project=project))
    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("measures:indicator-list", args=[project.pk])).status_code == 200


def test_indicator_list_comes_in_pages(client, personas):
    for i in range(35):
        IndicatorFactory(project=personas.project, order=i, code=f"M{i:02}")
    client.force_login(personas.steering_member)
    client.cookies["django_language"] = "en"
    url = reverse("measures:indicator-list", args=[personas.project.pk])
    first = client.get(url).content.decode()
    assert first.count("<tr>") == 26 and "M24 " in first and "M25 " not in first
    assert "1–25 of 35 (page 1 of 2)" in first and f'href="{url}?sivu=2" rel="next"' in first
    second = client.get(url, {"sivu": "2"}).content.decode()
    assert second.count("<tr>") == 11 and "M25 " in second


def _upload(client, indicator, name, content):
    url = reverse("measures:indicator-sotkanet-upload", args=[indicator.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content.encode())}, follow=True)


def test_editor_imports_a_sotkanet_json_file(client, personas, sotkanet_indicator):
    rows = [
        {"indicator": 1234, "region": 321, "year": year, "gender": "total", "value": value}
        for year, value in [(2021, 55.5), (2022, 61.25)]
    ]
    rows.append({"indicator": 1234, "region": 999, "year": 2022, "gender": "total", "value": 1})
    client.force_login(personas.project_worker)
    response = _upload(client, sotkanet_indicator, "sotkanet.json", json.dumps(rows))
    assert response.status_code == 200
    values = list(sotkanet_indicator.measurements.order_by("period").values_list("value", "source"))
    assert values == [(Decimal("55.5"), "sotkanet"), (Decimal("61.25"), "sotkanet")]


def test_a_bad_csv_row_imports_nothing_and_names_the_row(client, personas, sotkanet_indicator):
    csv_text = (
        "indicator;region;year;gender;value\n1234;321;2021;total;55,5\n1234;321;vuosi;total;60\n"
    )
    client.force_login(personas.project_manager)
    html = _upload(client, sotkanet_indicator, "data.csv", csv_text).content.decode()
    assert not sotkanet_indicator.measurements.exists()
    assert "3" in html and 'class="message' in html


def test_upload_refuses_other_file_types(client, personas, sotkanet_indicator):
    client.force_login(personas.project_manager)
    html = _upload(
        client, sotkanet_indicator, "data.html", "<script>alert(1)</script>"
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert not sotkanet_indicator.measurements.exists()


def test_read_only_and_outside_users_cannot_upload(client, personas, sotkanet_indicator):
    client.force_login(personas.steering_member)
    assert _upload(client, sotkanet_indicator, "a.json", "[]").status_code == 403
    client.force_login(personas.outsider)
    assert _upload(client, sotkanet_indicator, "a.json", "[]").status_code == 404


def test_script_in_an_imported_file_is_shown_escaped(client, personas, sotkanet_indicator):
    payload = "<script>alert(1)</script>"
    csv_text = f"indicator;region;year;gender;value\n1234;321;{payload};total;55\n"
    client.force_login(personas.project_manager)
    html = _upload(client, sotkanet_indicator, "data.csv", csv_text).content.decode()
    assert payload not in html
    assert "&lt;script&gt;" in html
    assert not sotkanet_indicator.measurements.exists()


def test_indicator_chart_is_a_json_data_block_drawn_by_a_static_script(client, personas, indicator):
    MeasurementFactory(indicator=indicator, period=date(2022, 12, 31), value=64)
    client.force_login(personas.steering_member)
    html = client.get(_detail(indicator)).content.decode()
    assert '<script id="indicator-chart-data" type="application/json">' in html
    assert "vendor/plotly.min.js" in html and "js/charts.js" in html
    assert "64.0" in html  # the measured value is in the figure's data


def test_no_chart_without_values(client, personas, indicator):
    client.force_login(personas.steering_member)
    assert "indicator-chart-data" not in client.get(_detail(indicator)).content.decode()


@pytest.mark.parametrize(
    ("period", "filled"),
    [("2022-12-31", True), ("2021-12-31", False), ("2022-02-31", False), ("junk", False)],
)
def test_the_correct_link_fills_the_form_with_that_periods_value(
    client, personas, indicator, period, filled
):
    MeasurementFactory(
        indicator=indicator, period=date(2022, 12, 31), value=64, version=3, note="Tarkistettu"
    )
    client.force_login(personas.project_manager)
    response = client.get(_detail(indicator), {"period": period})
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.initial.get("expected_version") == 3) is filled
    assert (form.initial.get("note") == "Tarkistettu") is filled


def test_indicator_table_sorts_by_its_latest_value_in_the_address(client, personas):
    # given two indicators with stored progress: latest values 10 and 90
    for code, value in (("M-low", "10"), ("M-high", "90")):
        indicator = IndicatorFactory(project=personas.project, code=code)
        IndicatorProgress.objects.create(
            indicator=indicator,
            latest_value=Decimal(value),
            light="green",
            reason_code="indicator_no_target",
            as_of=timezone.localdate(),
            computed_at=timezone.now(),
        )
    client.force_login(personas.steering_member)
    url = reverse("measures:indicator-list", args=[personas.project.pk])
    # when sorted by the latest value, highest first
    html = client.get(url, {"jarjestys": "-arvo"}).content.decode()
    # then the higher value leads and its header is marked sorted
    assert html.index("M-high") < html.index("M-low")
    assert 'aria-sort="descending"' in html
    ascending = client.get(url, {"jarjestys": "arvo"}).content.decode()
    assert ascending.index("M-low") < ascending.index("M-high")


def test_the_values_table_comes_in_pages_and_the_chart_draws_them_all(client, personas, indicator):
    # given 30 monthly values (a row a month for as long as the portal runs)
    for month in range(30):
        period = date(2021 + month // 12, month % 12 + 1, 28)
        MeasurementFactory(indicator=indicator, period=period, value=Decimal(month))
    client.force_login(personas.steering_member)
    client.cookies["django_language"] = "en"
    url = _detail(indicator)
    # when the page opens, the newest 25 are in the table and the rest a page away
    first = client.get(url)
    values = first.content.decode().split('id="values"')[1]
    assert values.count("<tr>") == 26 and "28.6.2023" in values and "28.5.2021" not in values
    assert "1–25 of 30 (page 1 of 2)" in values and f'href="{url}?sivu=2#values"' in values
    second = client.get(url, {"sivu": "2"}).content.decode().split('id="values"')[1]
    assert second.count("<tr>") == 6 and "28.1.2021" in second
    # and the chart still draws every value
    assert len(first.context["chart"]["data"][0]["x"]) == 30
