"""Issue 14: page and save times with a silent Redis (accepts, never answers) against normal."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from reviews.models import TimelineEntry
from reviews.services.meeting import meeting_start
from tests.benchmarks.common import line, timed
from tests.factories import ParticipantFactory, ReviewFactory, TeamFactory, UserFactory
from tests.silent_server import redis_gone_silent


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
    with redis_gone_silent() as server:
        silent = _measure(client, slug)
    for name in normal:
        (n_med, n_p95), (s_med, s_p95) = normal[name], silent[name]
        line(
            f"{name}, median / p95 ms",
            f"normal {n_med:.0f} / {n_p95:.0f}; silent Redis {s_med:.0f} / {s_p95:.0f}",
        )
    line("connections the silent Redis received in all", str(len(server.accepted)))
