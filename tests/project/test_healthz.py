from __future__ import annotations

import pytest
from django.db import OperationalError


def test_it_reports_the_database_and_an_eager_broker_without_redis(client, db, settings):
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager", "cache": "local"}


def test_it_reports_a_silent_redis_as_down_and_still_answers_200(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_it_answers_503_when_the_database_does_not(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("aar_project.views.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.redis
def test_it_reports_a_live_redis_as_ok(client, db):
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok"
    assert response.json()["cache"] == "ok"
