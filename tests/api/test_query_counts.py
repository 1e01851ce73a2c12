"""The API's lists cost the same number of queries for 1 row and for many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionItem
from reviews.models import TimelineEntry
from tests.api.conftest import token_for
from tests.factories import ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def counted(api, url: str, token: str, expect: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, token, limit=1000)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == expect
    return len(captured)


def test_listing_reviews_costs_the_same_for_1_and_100(api):
    counts = []
    for n in (1, 100):
        team = TeamFactory()
        member = UserFactory()
        team.members.add(member)
        for _ in range(n):
            ReviewFactory(team=team)
        token = token_for(member)
        api.get("/api/v1/me/", token)  # the token's first use writes last_used_at
        counts.append(counted(api, "/api/v1/reviews/", token, n))
    assert counts[0] == counts[1], counts


def test_listing_actions_costs_the_same_for_1_and_1000(api):
    counts = []
    for n in (1, 1000):
        review = ReviewFactory()
        owner = UserFactory()
        review.team.members.add(owner)
        ActionItem.objects.bulk_create(
            ActionItem(review=review, title=f"Alert number {i} on saturation", owner=owner)
            for i in range(n)
        )
        token = token_for(owner)
        api.get("/api/v1/me/", token)
        counts.append(counted(api, "/api/v1/actions/", token, n))
    assert counts[0] == counts[1], counts


def test_listing_a_timeline_costs_the_same_for_1_and_100_entries(api):
    counts = []
    for n in (1, 100):
        review = ReviewFactory()
        base = timezone.now() - dt.timedelta(days=1)
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                review=review, occurred_at=base + dt.timedelta(minutes=i), description=f"Step {i}"
            )
            for i in range(n)
        )
        token = token_for(review.facilitator)
        api.get("/api/v1/me/", token)
        counts.append(counted(api, f"/api/v1/reviews/{review.slug}/timeline/", token, n))
    assert counts[0] == counts[1], counts
