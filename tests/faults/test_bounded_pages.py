"""What one page renders stays bounded however long the timeline grows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviews.models import TimelineEntry
from reviews.services.meeting import meeting_move, meeting_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_timeline(cast):
    start = timezone.now() - dt.timedelta(days=1)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=cast.review,
            occurred_at=start + dt.timedelta(seconds=10 * i),
            description=f"Entry number {i:04d}",
        )
        for i in range(450)
    )
    return cast


def test_the_meeting_shows_the_latest_entries_and_points_to_the_rest(client, long_timeline):
    cast = long_timeline
    meeting_start(review=cast.review)
    meeting_move(review=cast.review, phase_id=cast.review.agenda.get(position=0).pk, step=1)
    client.force_login(cast.facilitator)
    html = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    assert html.count("Entry number ") == 200
    assert "Entry number 0449" in html and "Entry number 0249" not in html
    assert "The latest 200 of 450 entries" in html


def test_the_timeline_page_shows_the_entries_by_page(client, long_timeline):
    cast = long_timeline
    client.force_login(cast.facilitator)
    first = client.get(f"/reviews/{cast.review.slug}/timeline/").content.decode()
    last = client.get(f"/reviews/{cast.review.slug}/timeline/?page=3").content.decode()
    assert first.count('<tr id="entry-') == 200 and "Page 1 of 3" in first
    assert last.count('<tr id="entry-') == 50 and "Entry number 0449" in last
