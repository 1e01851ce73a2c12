"""A task goes through the real Redis broker to a real worker process and back."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import cache

from aar_project.celery import HEARTBEAT_KEY, heartbeat

pytestmark = [pytest.mark.worker]


def test_a_task_round_trips_through_redis_and_a_real_worker(celery_worker, client):
    celery_worker.start()
    token = uuid.uuid4().hex
    heartbeat.delay(token)
    deadline = time.monotonic() + 20
    seen = None
    while time.monotonic() < deadline:
        seen = cache.get(HEARTBEAT_KEY)
        if seen and seen["token"] == token:
            break
        time.sleep(0.2)
    assert seen and seen["token"] == token, celery_worker.log.read_text()[-2000:]
    health = client.get("/healthz").json()
    assert health["broker"] == "ok"
    assert health["worker_seen_seconds_ago"] is not None and health["worker_seen_seconds_ago"] < 30
