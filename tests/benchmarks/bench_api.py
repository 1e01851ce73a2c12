"""Issue 21: the API's lists at 100 reviews and 1,000 actions (server time, in process)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from actions.models import ActionItem
from api.models import Scope
from api.tokens import token_create
from reviews.models import Review, Team
from tests.benchmarks.common import CountedQueries, line, timed
from tests.factories import ReviewFactory


def run() -> None:
    settings.API_RATE_LIMIT = 1_000_000  # measured here: the API, not its limit
    users = get_user_model().objects
    member = users.create(username="api-bench@example.com", email="api-bench@example.com")
    team = Team.objects.create(name="API bench", slug="api-bench")
    team.members.add(member)
    now = timezone.now()
    Review.objects.bulk_create(
        Review(
            team=team,
            title=f"Bench review {i}",
            slug=f"api-bench-{i}",
            status="published",
            event_started_at=now - dt.timedelta(days=i + 1),
            facilitator=member,
        )
        for i in range(99)
    )
    review = ReviewFactory(team=team, facilitator=member, scribe=None)
    ActionItem.objects.bulk_create(
        ActionItem(
            review=review,
            title=f"Alert number {i} on pool saturation above 80%",
            owner=member,
            due_on=timezone.localdate() + dt.timedelta(days=i % 30 - 10),
        )
        for i in range(1000)
    )
    _, token = token_create(user=member, name="bench", scope=Scope.WRITE)
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])

    for label, url, expect in (
        ("GET /api/v1/reviews/?limit=100 (100 reviews)", "/api/v1/reviews/?limit=100", 100),
        ("GET /api/v1/actions/?limit=1000 (1,000 actions)", "/api/v1/actions/?limit=1000", 1000),
        ("GET /api/v1/actions/?overdue=true (about 330)", "/api/v1/actions/?overdue=true", None),
        ("GET /api/v1/reviews/<slug>/ (the export)", f"/api/v1/reviews/{review.slug}/", None),
    ):
        get(url)  # warm
        if expect is not None:
            assert len(client.get(url).json()["results"]) == expect
        with CountedQueries() as queries:
            get(url)
        median, p95 = timed(lambda url=url: get(url), repeat=40)
        line(
            label,
            f"median {median:.0f} ms, p95 {p95:.0f} ms, {queries.count} queries (target p95 <= 100 ms)",
        )
