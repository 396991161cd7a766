"""/healthz: JSON with database, cache and broker, 200 when all are up, 503 when one is down."""

import pytest
from django.urls import reverse

from portal import health

pytestmark = pytest.mark.django_db


def test_all_up_answers_200_with_each_check(client):
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_cache_down_answers_503_and_names_it(client, monkeypatch):
    # given a cache server that does not answer
    from django.core.cache.backends.redis import RedisCache

    dead = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    monkeypatch.setattr(health, "cache", dead)
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_broker_down_answers_503(client, settings):
    # given a non-eager setup whose broker port is closed
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_database_check_reports_failure_instead_of_raising(monkeypatch):
    def broken_cursor():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    assert health.check_database() == {"ok": False, "detail": "connection refused"}
