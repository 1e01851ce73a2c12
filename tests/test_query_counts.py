"""Every page's SQL query count is the same for 1 and for 100 rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AccountFactory,
    ActionItemFactory,
    ParticipantFactory,
    ReviewFactory,
    TimelineEntryFactory,
)

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def grow(review, n: int) -> None:
    base = timezone.now() - dt.timedelta(days=2)
    for i in range(n):
        TimelineEntryFactory(review=review, occurred_at=base + dt.timedelta(minutes=i))
        participant = ParticipantFactory(review=review)
        AccountFactory(participant=participant, submitted_at=timezone.now() if i % 2 else None)
        ActionItemFactory(review=review, owner=review.facilitator)


PAGES = [
    "/",
    "/reviews/{slug}/",
    "/reviews/{slug}/people/",
    "/reviews/{slug}/accounts/",
    "/reviews/{slug}/timeline/",
    "/actions/mine/",
]


@pytest.mark.parametrize("page", PAGES)
def test_the_query_count_does_not_grow_with_rows(client, page):
    small, large = ReviewFactory(), ReviewFactory()
    grow(small, 1)
    grow(large, 100)
    counts = []
    for review in (small, large):
        client.force_login(review.facilitator)
        counts.append(queries(client, page.format(slug=review.slug)))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with 1 row, {counts[1]} with 100"
