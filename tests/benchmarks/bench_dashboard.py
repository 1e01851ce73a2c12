"""Issues 8 and 20: the dashboard over seed_load's data (10,000 reviews; 100,000 actions, or
as many as `AAR_BENCH_ACTIONS` says), and what a save costs.

Each combination is timed over 20 requests computed afresh every time
(DASHBOARD_CACHE_SECONDS=0: what a look right after a change costs) and with the figures
kept (the default). Server time, in process. Then the kept tallies are checked against a
rebuild, and saves are timed as the meeting makes them (a timeline line, which moves no
tally; an action created and closed, which do).
"""

from __future__ import annotations

import io
import os
import statistics
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from actions.services import action_create, action_set_status
from reviews.models import Review, Team
from reviews.services.timeline import timeline_entry_add
from tests.benchmarks.common import CountedQueries, line, timed


def _load(actions: int) -> None:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_load", "--reviews", "10000", "--actions", str(actions), stdout=out)
    line(
        f"seed_load --reviews 10000 --actions {actions}",
        f"{time.perf_counter() - started:.1f} s, of which counting the tallies"
        f" {out.getvalue().split('counted in ')[-1].split(' s')[0]} s",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _looks(label: str) -> None:
    team = Team.objects.filter(slug__contains="-team-").order_by("-pk").last()
    assert team is not None
    owner = team.delivery_owner
    owner.is_staff = True  # all 20 teams for the "all teams" rows
    owner.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(owner)
    today = timezone.localdate()
    two_years = {
        "period": "custom",
        "since": today.replace(year=today.year - 2).isoformat(),
        "until": today.isoformat(),
    }
    combinations = (
        ("all 20 teams, 30 days", {"period": "30"}),
        ("all 20 teams, 90 days", {"period": "90"}),
        ("all 20 teams, 365 days", {"period": "365"}),
        ("all 20 teams, 2 years", two_years),
        ("all 20 teams, 90 days, incidents", {"period": "90", "kind": "incident"}),
        ("one team, 30 days", {"team": team.slug, "period": "30"}),
        ("one team, 90 days", {"team": team.slug, "period": "90"}),
        ("one team, 365 days", {"team": team.slug, "period": "365"}),
        ("one team, 2 years", {"team": team.slug, **two_years}),
        ("one team, 30 days, incidents", {"team": team.slug, "period": "30", "kind": "incident"}),
    )
    kept_for = settings.DASHBOARD_CACHE_SECONDS
    for name, params in combinations:
        settings.DASHBOARD_CACHE_SECONDS = 0
        with CountedQueries() as queries:
            assert client.get("/dashboard/", params).status_code == 200
        cold, cold_p95 = timed(lambda p=params: client.get("/dashboard/", p), repeat=20)
        settings.DASHBOARD_CACHE_SECONDS = kept_for or 300
        cache.clear()
        client.get("/dashboard/", params)
        warm, warm_p95 = timed(lambda p=params: client.get("/dashboard/", p), repeat=20)
        line(
            f"{label} dashboard: {name}",
            f"afresh median {cold:.0f} ms, p95 {cold_p95:.0f} ms; kept median {warm:.0f} ms,"
            f" p95 {warm_p95:.0f} ms; {queries.count} queries",
        )
    settings.DASHBOARD_CACHE_SECONDS = kept_for


def _saves() -> None:
    """Saves as the meeting makes them, 30 of each; median and p95 in ms."""
    review = Review.objects.filter(title__startswith="Load review").order_by("pk").first()
    assert review is not None
    person = review.team.delivery_owner

    def each(work: object) -> tuple[float, float]:
        times = []
        for i in range(30):
            started = time.perf_counter()
            work(i)  # type: ignore[operator]
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1]

    def line_added(i: int) -> None:
        timeline_entry_add(
            review=review, actor=person, occurred_at=timezone.now(), description=f"Line {i}"
        )

    def action_made_and_closed(i: int) -> None:
        action = action_create(
            review=review, actor=person, title=f"Alert on queue depth over {i}", owner=person
        )
        action_set_status(
            action=action, actor=person, version=action.version, status="done", note="Seen."
        )

    for name, work in (
        ("a timeline line", line_added),
        ("an action created, then closed", action_made_and_closed),
    ):
        median, p95 = each(work)
        line(f"save: {name}", f"median {median:.1f} ms, p95 {p95:.1f} ms")


def run() -> None:
    from dashboard import rollups

    actions = int(os.environ.get("AAR_BENCH_ACTIONS", "100000"))
    label = f"{actions // 1000}k actions" if actions < 1_000_000 else f"{actions // 10**6}M actions"
    _load(actions)
    _looks(label)
    _saves()
    started = time.perf_counter()
    found = rollups.differences()
    line(
        f"kept tallies against a rebuild ({label})",
        f"{'equal' if not found else f'{len(found)} differ'}"
        f" ({time.perf_counter() - started:.1f} s)",
    )
    print("target: afresh median <= 50 ms, p95 <= 100 ms (1M actions: median <= 100 ms)")
