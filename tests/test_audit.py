"""The audit trail: an object's history for those who may see it, the change log for the admin."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from measures.models import Measurement
from measures.services import measurement_save
from reporting.audit import selectors as audit

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import WorkPackageFactory
from .helpers import status_report

pytestmark = pytest.mark.django_db

PERIOD = date(2022, 12, 31)


def _history_url(model_key: str, pk: int) -> str:
    return reverse("object-history", args=[model_key, pk])


def _change_log_url() -> str:
    return reverse("change-log")


def _name(user) -> str:
    return user.get_full_name() or user.username


@pytest.fixture
def indicator(personas):
    return IndicatorFactory(project=personas.project, unit="number")


@pytest.fixture
def corrected_measurement(personas, indicator):
    """A value entered by the worker, then corrected by the manager."""
    measurement_save(
        indicator=indicator, period=PERIOD, raw_value="60", actor=personas.project_worker
    )
    saved = measurement_save(
        indicator=indicator,
        period=PERIOD,
        raw_value="75",
        actor=personas.project_manager,
        expected_version=1,
    )
    return saved.measurement


def _values_saved(personas, indicator, times: int, first: int = 0) -> None:
    """The manager saves the indicator's value for PERIOD `times` times (first, first + 1, …),
    each save after the first a correction: one change of history a save."""
    for version in range(times):
        measurement_save(
            indicator=indicator,
            period=PERIOD,
            raw_value=str(first + version),
            actor=personas.project_manager,
            expected_version=version,
        )


def _action(project, **kwargs):
    return ActionFactory(work_package=WorkPackageFactory(project=project), **kwargs)


def _status_update(action, actor, comment="Started in the spring"):
    return status_report(action, actor, "in_progress", date(2022, 5, 1), comment)


# --- object history ---------------------------------------------------------------------


def test_measurement_history_shows_who_old_and_new_value_and_reason(
    client, personas, corrected_measurement
):
    # given a value entered by the worker and corrected by the manager
    client.force_login(personas.project_manager)

    # when the manager opens the measurement's history
    response = client.get(_history_url("measurement", corrected_measurement.pk))

    # then the correction comes first with its actor, old and new value and the reason
    assert response.status_code == 200
    html = response.content.decode()
    assert _name(personas.project_manager) in html
    assert _name(personas.project_worker) in html
    assert "<del>" in html and "60" in html and "75" in html
    assert "edited" in html
    assert html.index(_name(personas.project_manager)) < html.index(_name(personas.project_worker))


def test_object_history_selector_diffs_each_row_against_the_one_before(
    personas, corrected_measurement
):
    # when
    history = audit.object_history(
        user=personas.project_manager, model_key="measurement", pk=corrected_measurement.pk
    )

    # then: newest first, the change carries the old and the new value, the version is hidden
    changed, created = history.changes
    assert (changed.kind, changed.who, changed.reason) == (
        "changed",
        _name(personas.project_manager),
        "edited",
    )
    values = {old: new for _label, old, new in changed.fields}
    assert values.get("60") == "75"
    assert created.kind == "created" and created.who == _name(personas.project_worker)
    assert all(old is None for _label, old, _new in created.fields)
    version_label = capfirst(str(Measurement._meta.get_field("version").verbose_name))
    assert version_label not in {label for label, _old, _new in changed.fields}


def test_action_status_change_is_shown_with_the_comment_as_reason(client, personas):
    # given
    action = _action(personas.project)
    _status_update(action, personas.project_manager, comment="Kick-off held")
    client.force_login(personas.project_manager)

    # when
    html = client.get(_history_url("action", action.pk)).content.decode()

    # then
    assert "Kick-off held" in html and _name(personas.project_manager) in html


def test_outsider_gets_404_for_history(client, personas, corrected_measurement, indicator):
    client.force_login(personas.outsider)
    assert client.get(_history_url("measurement", corrected_measurement.pk)).status_code == 404
    assert client.get(_history_url("indicator", indicator.pk)).status_code == 404


def test_unknown_model_or_object_is_404(client, personas, indicator):
    client.force_login(personas.programme_admin)
    assert client.get(_history_url("session", personas.outsider.pk)).status_code == 404
    assert client.get(_history_url("indicator", indicator.pk + 1000)).status_code == 404


def test_anonymous_is_sent_to_login_from_both_views(client, corrected_measurement):
    for url in (_history_url("measurement", corrected_measurement.pk), _change_log_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona",
    ["steering_member", "ministry_viewer", "programme_admin", "project_manager", "project_worker"],
)
def test_those_who_see_an_object_see_its_history(
    client, personas, indicator, corrected_measurement, persona
):
    client.force_login(getattr(personas, persona))
    assert client.get(_history_url("indicator", indicator.pk)).status_code == 200
    assert client.get(_history_url("measurement", corrected_measurement.pk)).status_code == 200
    assert client.get(_history_url("project", personas.project.pk)).status_code == 200


def test_deleted_object_keeps_its_history_for_those_who_saw_it(
    client, personas, corrected_measurement
):
    # given
    pk = corrected_measurement.pk
    corrected_measurement.delete()

    # when / then
    client.force_login(personas.steering_member)
    response = client.get(_history_url("measurement", pk))
    assert response.status_code == 200 and "75" in response.content.decode()
    client.force_login(personas.outsider)
    assert client.get(_history_url("measurement", pk)).status_code == 404


def test_history_of_an_object_whose_parent_is_gone_is_left_to_the_admin(
    client, personas, indicator, corrected_measurement
):
    # given the indicator deleted, and its measurement with it
    pk = corrected_measurement.pk
    indicator.delete()

    # when / then: the hanke cannot be told any more, so only the change log's reader sees it
    client.force_login(personas.project_manager)
    assert client.get(_history_url("measurement", pk)).status_code == 404
    client.force_login(personas.programme_admin)
    response = client.get(_history_url("measurement", pk))
    assert response.status_code == 200 and "75" in response.content.decode()


def test_indicator_page_links_to_its_history(client, personas, indicator):
    client.force_login(personas.steering_member)
    html = client.get(reverse("measures:indicator-detail", args=[indicator.pk])).content.decode()
    assert f'href="{_history_url("indicator", indicator.pk)}"' in html


def test_script_in_an_action_title_is_shown_escaped(client, personas):
    # given an action whose title carries a script, changed once
    payload = '<script>alert("x")</script>'
    action = _action(personas.project, title_fi=payload)
    _status_update(action, personas.project_manager, comment=payload)

    # when
    client.force_login(personas.project_manager)
    history_html = client.get(_history_url("action", action.pk)).content.decode()
    client.force_login(personas.programme_admin)
    log_html = client.get(_change_log_url()).content.decode()

    # then
    for html in (history_html, log_html):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("count", [1, 10])
def test_object_history_runs_a_fixed_number_of_queries(
    client, personas, indicator, django_assert_max_num_queries, count
):
    _values_saved(personas, indicator, count, first=50)
    measurement = Measurement.objects.get(indicator=indicator)
    client.force_login(personas.project_manager)
    with django_assert_max_num_queries(9):
        assert client.get(_history_url("measurement", measurement.pk)).status_code == 200


# --- change log -------------------------------------------------------------------------


def test_change_log_is_open_to_the_programme_admin(client, personas, corrected_measurement):
    client.force_login(personas.programme_admin)
    response = client.get(_change_log_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert _history_url("measurement", corrected_measurement.pk) in html
    assert _name(personas.project_manager) in html


@pytest.mark.parametrize(
    "persona",
    ["ministry_viewer", "steering_member", "project_manager", "project_worker", "outsider"],
)
def test_change_log_is_refused_to_everyone_else(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(_change_log_url()).status_code == 403
    with pytest.raises(audit.PermissionDenied):
        audit.change_log(user=getattr(personas, persona))


@pytest.mark.parametrize("url", ["history", "log"])
def test_history_cannot_be_changed_through_the_views(client, personas, corrected_measurement, url):
    client.force_login(personas.programme_admin)
    target = (
        _history_url("measurement", corrected_measurement.pk)
        if url == "history"
        else _change_log_url()
    )
    assert client.post(target, {"reason": "tampered"}).status_code == 405
    assert client.delete(target).status_code == 405


@pytest.fixture
def changes_in_two_hankkeet(personas, corrected_measurement):
    """The manager's correction in the own hanke and the outsider's value in the other one."""
    other = IndicatorFactory(project=personas.other_project, unit="number")
    measurement_save(indicator=other, period=PERIOD, raw_value="5", actor=personas.outsider)
    return corrected_measurement, other


def test_change_log_filters_by_user(personas, changes_in_two_hankkeet):
    # when
    page = audit.change_log(user=personas.programme_admin, user_id=personas.project_manager.pk)

    # then only the manager's correction is left
    assert [(e.model_key, e.who) for e in page.object_list] == [
        ("measurement", _name(personas.project_manager))
    ]


def test_change_log_finds_who_changed_by_a_part_of_the_name(personas, changes_in_two_hankkeet):
    manager = personas.project_manager
    for text in (manager.username.upper(), manager.get_full_name()[1:] or manager.username):
        page = audit.change_log(user=personas.programme_admin, who=text)
        assert {e.who for e in page.object_list} == {_name(manager)}
    assert not audit.change_log(user=personas.programme_admin, who="no such person").object_list


def test_change_log_filters_by_hanke(personas, changes_in_two_hankkeet):
    # given
    everything = audit.change_log(user=personas.programme_admin).object_list

    # when
    own = audit.change_log(
        user=personas.programme_admin, project_id=personas.project.pk
    ).object_list

    # then: fewer rows, all of the own hanke, measurements (via their indicator) included
    assert 0 < len(own) < len(everything)
    assert {e.hanke for e in own} == {str(personas.project)}
    assert {e.model_key for e in own} >= {"measurement", "indicator", "project", "membership"}
    assert _name(personas.outsider) not in {e.who for e in own}


def test_change_log_filters_by_date(personas, changes_in_two_hankkeet):
    # given the worker's first value recorded a week ago
    corrected, _other = changes_in_two_hankkeet
    today = timezone.localdate()
    first = corrected.history.earliest("history_date")
    Measurement.history.filter(history_id=first.history_id).update(
        history_date=timezone.now() - timedelta(days=7)
    )

    # when
    recent = audit.change_log(user=personas.programme_admin, date_from=today).object_list
    old = audit.change_log(
        user=personas.programme_admin,
        date_from=today - timedelta(days=8),
        date_to=today - timedelta(days=6),
    ).object_list

    # then
    assert [(e.model_key, e.who) for e in old] == [("measurement", _name(personas.project_worker))]
    assert _name(personas.project_worker) not in {e.who for e in recent}
    assert not audit.change_log(
        user=personas.programme_admin, date_from=today + timedelta(days=1)
    ).object_list


def test_change_log_view_applies_the_filters_from_the_query_string(
    client, personas, changes_in_two_hankkeet
):
    client.force_login(personas.programme_admin)
    response = client.get(
        _change_log_url(),
        {"user": personas.outsider.username, "project": personas.other_project.pk},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _name(personas.outsider) in html
    assert _name(personas.project_manager) not in html.split("<table", 1)[1]


def test_change_log_shows_filter_errors_instead_of_rows(client, personas, changes_in_two_hankkeet):
    client.force_login(personas.programme_admin)
    response = client.get(_change_log_url(), {"date_from": "2024-02-01", "date_to": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "date_to" in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()


def test_change_log_comes_a_page_at_a_time(client, personas, indicator):
    # given more than a page of changes
    _values_saved(personas, indicator, audit.CHANGE_LOG_PAGE_SIZE + 5)

    # when
    first = audit.change_log(user=personas.programme_admin, user_id=personas.project_manager.pk)
    second = audit.change_log(
        user=personas.programme_admin, user_id=personas.project_manager.pk, page=2
    )

    # then
    assert len(first.object_list) == audit.CHANGE_LOG_PAGE_SIZE and len(second.object_list) == 5
    assert first.object_list[0].when >= second.object_list[0].when
    client.force_login(personas.programme_admin)
    who = personas.project_manager.username
    html = client.get(_change_log_url(), {"user": who}).content.decode()
    assert f"?user={who}&amp;page=2" in html
    assert not audit.change_log(
        user=personas.programme_admin, user_id=personas.project_manager.pk, page=3
    ).object_list


def test_change_log_pages_without_counting_all_history(client, personas, indicator):
    # given a log of one change more than a page
    _values_saved(personas, indicator, audit.CHANGE_LOG_PAGE_SIZE + 1)
    client.force_login(personas.programme_admin)
    who = personas.project_manager.username

    # when the first page, the last and one past the end are read
    with CaptureQueriesContext(connection) as queries:
        first = client.get(_change_log_url(), {"user": who}).content.decode()
    last = client.get(_change_log_url(), {"user": who, "page": 2}).content.decode()
    past = client.get(_change_log_url(), {"user": who, "page": 9}).content.decode()
    junk = audit.change_log(user=personas.programme_admin, page="x" * 40)

    # then no query counts the whole history (it grows every day), the pages link each other
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert "vanhimman muutoksen jälkeen" in past and f"?user={who}" in past
    assert junk.number == 1 and junk.object_list


@pytest.mark.parametrize("count", [1, 10])
def test_change_log_runs_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries, count
):
    # given changes of several models by several people
    for _ in range(count):
        measurement_save(
            indicator=IndicatorFactory(project=personas.project, unit="number"),
            period=PERIOD,
            raw_value="1",
            actor=personas.project_worker,
        )
        _status_update(_action(personas.project), personas.project_manager)
    client.force_login(personas.programme_admin)

    # when / then
    with django_assert_max_num_queries(20):
        assert client.get(_change_log_url()).status_code == 200


def test_a_login_records_its_time_but_is_no_change_in_the_log(client, personas):
    # given the manager's account history so far
    user = personas.project_manager
    user.set_password("pw-for-this-test")
    user.save()
    history = user.history.count()
    # when they log in through the login form
    form = {"username": user.username, "password": "pw-for-this-test"}
    assert client.post(reverse("login"), form).status_code == 302
    # then the time of the login is kept, and the account history has no new row
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == history
