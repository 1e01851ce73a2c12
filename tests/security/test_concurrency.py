"""Twenty clients pressing the same button at once (PostgreSQL, real transactions): the thing
happens once, or each gets its own, and nobody sees a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from reviews.imports import parse_timeline, result_to_stored
from reviews.models import AgendaPhase, ReportExport, Review, TimelineImport, WhyNode
from reviews.services.meeting import meeting_start
from tests.factories import ActionItemFactory, ParticipantFactory, TimelineEntryFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AT_ONCE = 20


def at_once(user, send: Callable[[Client], object]) -> list[int]:
    """`send` from AT_ONCE threads released together; their status codes."""
    barrier = threading.Barrier(AT_ONCE)
    statuses: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = send(client)
            with lock:
                statuses.append(response.status_code)  # type: ignore[attr-defined]
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_twenty_publishes_at_once_publish_once(cast):
    review = cast.review
    Review.objects.filter(pk=review.pk).update(status="writing", summary="Slow checkout.")
    ParticipantFactory(review=review)
    TimelineEntryFactory(review=review)
    WhyNode.objects.create(review=review, text="Why? Cold cache.")
    ActionItemFactory(review=review)
    statuses = at_once(
        cast.facilitator,
        lambda c: c.post(f"/reviews/{review.slug}/publish/", {"report_version": "0"}),
    )
    assert statuses == [302] * AT_ONCE
    assert Review.objects.get(pk=review.pk).report_version == 1
    assert ReportExport.objects.filter(review=review).count() == 3
    published = [m for m in mail.outbox if "After Action Report" in m.subject]
    assert len(published) == len({m.to[0] for m in published})  # one each


def test_twenty_new_reviews_with_the_same_title_get_distinct_slugs(cast):
    statuses = at_once(
        cast.owner,
        lambda c: c.post(
            "/reviews/new/",
            {
                "team": cast.team.pk,
                "kind": "incident",
                "title": "Database failover",
                "time_zone": "UTC",
                "meeting_minutes": 80,
            },
        ),
    )
    assert statuses == [302] * AT_ONCE
    slugs = list(Review.objects.filter(title="Database failover").values_list("slug", flat=True))
    assert len(slugs) == AT_ONCE == len(set(slugs))


def test_twenty_adds_of_the_same_new_person_add_one(cast):
    url = f"/reviews/{cast.review.slug}/people/"
    statuses = at_once(
        cast.owner,
        lambda c: c.post(url, {"email": "new.person@example.com", "role": "participant"}),
    )
    assert all(s < 500 for s in statuses), statuses
    assert cast.review.participants.filter(user__email="new.person@example.com").count() == 1


def test_twenty_confirms_of_one_import_import_once(cast):
    raw = b"time,description\n2026-11-17 12:00,Alert fired\n2026-11-17 12:05,Paged\n"
    stored = result_to_stored(parse_timeline(cast.review, "csv", raw))
    pending = TimelineImport.objects.create(
        review=cast.review,
        file_format="csv",
        filename="t.csv",
        rows=stored["rows"],
        created_by=cast.facilitator,
    )
    url = f"/reviews/{cast.review.slug}/timeline/import/{pending.pk}/"
    statuses = at_once(cast.facilitator, lambda c: c.post(url, {"action": "import"}))
    assert all(s < 500 for s in statuses), statuses
    assert cast.review.timeline_entries.count() == 2


def test_twenty_extends_seen_on_one_screen_extend_once(cast):
    meeting_start(review=cast.review)
    phase = AgendaPhase.objects.get(review=cast.review, position=0)
    url = f"/reviews/{cast.review.slug}/meeting/control/extend/"
    statuses = at_once(
        cast.facilitator, lambda c: c.post(url, {"phase": phase.pk, "extended": "0"})
    )
    assert all(s < 500 for s in statuses), statuses
    assert AgendaPhase.objects.get(pk=phase.pk).extended_minutes == 5


def test_twenty_whys_added_at_once_get_twenty_positions(cast):
    meeting_start(review=cast.review)
    url = f"/reviews/{cast.review.slug}/meeting/findings/why/"
    statuses = at_once(cast.scribe, lambda c: c.post(url, {"text": "Why did it fail?"}))
    assert all(s < 500 for s in statuses), statuses
    positions = list(WhyNode.objects.filter(review=cast.review).values_list("position", flat=True))
    assert sorted(positions) == list(range(AT_ONCE))
