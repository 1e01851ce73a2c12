"""Issue 14: page and save times with a silent Redis (accepts, never answers) against normal."""

from __future__ import annotations

import datetime as dt

from django.test import Client, override_settings
from django.utils import timezone

from aar_project import tasks as task_sending
from aar_project.celery import app
from reviews.models import TimelineEntry
from reviews.services.meeting import meeting_start
from tests.benchmarks.common import line, timed
from tests.factories import ParticipantFactory, ReviewFactory, TeamFactory, UserFactory
from tests.silent_server import SilentServer


def _setup() -> tuple[Client, str]:
    owner = UserFactory(email="bench-owner@example.com", is_staff=True)
    team = TeamFactory(delivery_owner=owner)
    review = ReviewFactory(team=team, facilitator=owner, scribe=UserFactory())
    ParticipantFactory(review=review)
    start = timezone.now() - dt.timedelta(days=2)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=review, occurred_at=start + dt.timedelta(minutes=i), description=f"Entry {i}"
        )
        for i in range(100)
    )
    meeting_start(review=review)
    client = Client()
    client.force_login(owner)
    return client, review.slug


def _measure(client: Client, slug: str) -> dict[str, tuple[float, float]]:
    pages = {
        "reviews list": lambda: client.get("/"),
        "review page": lambda: client.get(f"/reviews/{slug}/"),
        "meeting page": lambda: client.get(f"/reviews/{slug}/meeting/"),
        "dashboard": lambda: client.get("/dashboard/"),
        "timeline entry (save)": lambda: client.post(
            f"/reviews/{slug}/meeting/entries/",
            {"occurred_at": "2026-11-17T12:00", "kind": "other", "description": "Saved"},
        ),
    }
    return {name: timed(call, repeat=15) for name, call in pages.items()}


def run() -> None:
    client, slug = _setup()
    normal = _measure(client, slug)
    server = SilentServer()
    url = f"redis://127.0.0.1:{server.port}/0"
    caches = {
        "default": {
            "BACKEND": "aar_project.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    }
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app.conf.broker_transport_options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    _fresh_broker_pools()
    try:
        with override_settings(CACHES=caches, REDIS_URL=url):
            silent = _measure(client, slug)
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        _fresh_broker_pools()
        task_sending.broker_breaker.close()
        server.close()
    for name in normal:
        (n_med, n_p95), (s_med, s_p95) = normal[name], silent[name]
        line(
            f"{name}, median / p95 ms",
            f"normal {n_med:.0f} / {n_p95:.0f}; silent Redis {s_med:.0f} / {s_p95:.0f}",
        )
    line("connections the silent Redis received in all", str(len(server.accepted)))


def _fresh_broker_pools() -> None:
    """Drop every pooled broker connection, so sends use the broker URL set now."""
    import kombu.pools

    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()
