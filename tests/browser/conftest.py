"""Fixtures the browser tests share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    AccountFactory,
    ActionItemFactory,
    ParticipantFactory,
    ReviewFactory,
    TimelineEntryFactory,
)


@pytest.fixture
def review_with_everything(db):
    review = ReviewFactory(title="GitLab.com database outage", time_zone="UTC")
    participant = ParticipantFactory(review=review)
    AccountFactory(
        participant=participant,
        body="At 23:27 I ran the removal on what I thought was db2.",
        submitted_at=timezone.now(),
    )
    start = review.event_started_at
    for n, text in enumerate(
        ["Replication lag alert on db2", "rm -rf run on db1", "No usable backup found"]
    ):
        TimelineEntryFactory(
            review=review, occurred_at=start + dt.timedelta(minutes=20 * n), description=text
        )
    ActionItemFactory(review=review, owner=participant.user)
    return review, participant
