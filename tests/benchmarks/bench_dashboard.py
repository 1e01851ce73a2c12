"""Issue 8: the dashboard over 10,000 reviews and 100,000 actions (seed_load's data)."""

from __future__ import annotations

import io
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client

from reviews.models import Team
from tests.benchmarks.common import line, timed


def run() -> None:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_load", "--reviews", "10000", "--actions", "100000", stdout=out)
    line(
        "seed_load --reviews 10000 --actions 100000",
        f"{time.perf_counter() - started:.1f} s (target < 120 s)",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    team = Team.objects.filter(slug__contains="-team-").order_by("pk").first()
    owner = team.delivery_owner
    owner.is_staff = True  # all 20 teams for the "all teams" rows
    owner.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(owner)
    for label, params in (
        ("all teams, 90 days", {"period": "90"}),
        ("all teams, 365 days", {"period": "365"}),
        ("one team, 365 days", {"team": team.slug, "period": "365"}),
        ("one team, 30 days, incidents", {"team": team.slug, "period": "30", "kind": "incident"}),
        (
            "all teams, custom 2 years",
            {"period": "custom", "since": "2024-11-21", "until": "2026-11-21"},
        ),
    ):
        assert client.get("/dashboard/", params).status_code == 200
        median, p95 = timed(lambda p=params: client.get("/dashboard/", p), repeat=20)
        line(
            f"dashboard: {label}",
            f"median {median:.0f} ms, p95 {p95:.0f} ms (target median <= 150 ms)",
        )
