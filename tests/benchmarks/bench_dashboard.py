"""Issue 8: the dashboard over 10,000 reviews and 100,000 actions (seed_load's data).

Each filter combination is timed twice over 20 requests: computed afresh every time
(DASHBOARD_CACHE_SECONDS=0, what the first look of the day costs) and with the figures kept
(the default, what a delivery owner's repeated looks cost). Server time, in process.
"""

from __future__ import annotations

import io
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from reviews.models import Team
from tests.benchmarks.common import CountedQueries, line, timed


def run() -> None:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_load", "--reviews", "10000", "--actions", "100000", stdout=out)
    line(
        "seed_load --reviews 10000 --actions 100000",
        f"{time.perf_counter() - started:.1f} s (target < 120 s)",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    team = Team.objects.filter(slug__contains="-team-").order_by("pk").first()
    assert team is not None
    owner = team.delivery_owner
    owner.is_staff = True  # all 20 teams for the "all teams" rows
    owner.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(owner)
    combinations = (
        ("all 20 teams, 30 days", {"period": "30"}),
        ("all 20 teams, 90 days", {"period": "90"}),
        ("all 20 teams, 365 days", {"period": "365"}),
        ("all 20 teams, 90 days, incidents", {"period": "90", "kind": "incident"}),
        (
            "all 20 teams, custom 2 years",
            {"period": "custom", "since": "2024-11-22", "until": "2026-11-21"},
        ),
        ("one team, 90 days", {"team": team.slug, "period": "90"}),
        ("one team, 365 days", {"team": team.slug, "period": "365"}),
        ("one team, 30 days, incidents", {"team": team.slug, "period": "30", "kind": "incident"}),
    )
    kept_for = settings.DASHBOARD_CACHE_SECONDS
    for label, params in combinations:
        settings.DASHBOARD_CACHE_SECONDS = 0
        with CountedQueries() as queries:
            assert client.get("/dashboard/", params).status_code == 200
        cold, cold_p95 = timed(lambda p=params: client.get("/dashboard/", p), repeat=20)
        settings.DASHBOARD_CACHE_SECONDS = kept_for or 300
        cache.clear()
        client.get("/dashboard/", params)
        warm, warm_p95 = timed(lambda p=params: client.get("/dashboard/", p), repeat=20)
        line(
            f"dashboard: {label}",
            f"afresh median {cold:.0f} ms, p95 {cold_p95:.0f} ms; kept median {warm:.0f} ms,"
            f" p95 {warm_p95:.0f} ms; {queries.count} queries",
        )
    settings.DASHBOARD_CACHE_SECONDS = kept_for
    print("target: median <= 150 ms")
