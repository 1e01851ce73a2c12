"""Inputs at the edges get a clear message and change nothing; what is already stored renders."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from actions.models import ActionItem
from actions.services import calendar_token_renew
from reviews.models import Review, TimelineEntry
from tests.factories import ActionItemFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db

EDGES = [
    ("0001-01-01T00:00", "Etc/GMT-14"),
    ("9999-12-31T23:59", "Etc/GMT+12"),
]


@pytest.mark.parametrize(("moment", "zone"), EDGES)
def test_a_timeline_entry_at_the_edge_of_time_is_refused_with_a_message(client, cast, moment, zone):
    Review.objects.filter(pk=cast.review.pk).update(time_zone=zone)
    client.force_login(cast.facilitator)
    response = client.post(
        f"/reviews/{cast.review.slug}/timeline/add/",
        {"occurred_at": moment, "kind": "other", "description": "Edge"},
    )
    assert response.status_code == 400
    assert "between 1970 and 2200" in response.content.decode()
    assert not TimelineEntry.objects.filter(description="Edge").exists()


@pytest.mark.postgres
def test_moments_stored_out_of_range_are_repaired_and_render(client, cast):
    """What older code let in (year 1 at +14:00 is a year-0 instant; PostgreSQL keeps it as BC,
    and reading it back fails) is brought into range by migration 0013, and the pages render."""
    from django.apps import apps
    from django.db import connection

    repair = importlib.import_module("reviews.migrations.0013_moments_in_range")
    entry = TimelineEntryFactory(review=cast.review, description="From before")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_timelineentry SET occurred_at = '0001-01-01 00:00:00+14' WHERE id = %s",
            [entry.pk],
        )
        cursor.execute(
            "UPDATE reviews_review SET scheduled_at = '9999-12-31 23:59:00-12' WHERE id = %s",
            [cast.review.pk],
        )
    repair.bring_into_range(apps, None)
    client.force_login(cast.facilitator)
    for url in (f"/reviews/{cast.review.slug}/timeline/", "/", f"/reviews/{cast.review.slug}/"):
        assert client.get(url).status_code == 200, url
    assert TimelineEntry.objects.get(pk=entry.pk).occurred_at.year == 1970


def test_a_new_review_whose_meeting_is_in_year_one_is_refused(client, cast):
    client.force_login(cast.owner)
    response = client.post(
        "/reviews/new/",
        {
            "team": cast.team.pk,
            "kind": "incident",
            "title": "Edge of time",
            "time_zone": "Etc/GMT-14",
            "scheduled_at": "0001-01-01T00:00",
            "meeting_minutes": 80,
        },
    )
    assert response.status_code == 400
    assert "between 1970 and 2200" in response.content.decode()
    assert not Review.objects.filter(title="Edge of time").exists()


def test_a_calendar_feed_with_an_action_due_at_the_end_of_time_still_answers(client, cast):
    ActionItemFactory(review=cast.review, owner=cast.participant, due_on=dt.date(9999, 12, 31))
    ActionItemFactory(review=cast.review, owner=cast.participant, due_on=dt.date(2027, 1, 5))
    token = calendar_token_renew(user=cast.participant)
    response = client.get(f"/actions/feed/{token}.ics")
    assert response.status_code == 200
    assert b"20270105" in response.content


def test_moving_a_due_date_to_year_9999_is_refused(client, cast):
    action = ActionItemFactory(review=cast.review, owner=cast.participant)
    client.force_login(cast.participant)
    response = client.post(
        f"/actions/{action.pk}/due/",
        {"due_on": "9999-12-31", "reason": "later", "version": action.version},
    )
    assert response.status_code == 400
    assert "between 1970 and 2200" in response.content.decode()
    assert ActionItem.objects.get(pk=action.pk).due_on == action.due_on


def test_a_pull_request_json_from_the_edge_of_time_is_refused(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.owner)
    body = b'{"number": 5, "created_at": "0001-01-01T00:00:00+14:00", "merged_at": "9999-12-31T23:59:59-12:00"}'
    response = client.post(
        "/reviews/new/",
        {
            "team": cast.team.pk,
            "kind": "pull_request",
            "title": "",
            "time_zone": "UTC",
            "meeting_minutes": 80,
            "pr-json": SimpleUploadedFile("pr.json", body, "application/json"),
        },
    )
    assert response.status_code == 400
    assert "outside 1970–2200" in response.content.decode()
    assert not Review.objects.filter(kind="pull_request").exists()


def test_stored_moments_in_zone_plus_14_do_not_break_the_review_list(client, cast):
    Review.objects.filter(pk=cast.review.pk).update(
        time_zone="Etc/GMT-14",
        scheduled_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        event_started_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
    )
    client.force_login(cast.owner)
    for url in ("/", f"/reviews/{cast.review.slug}/", "/dashboard/"):
        assert client.get(url).status_code == 200, url
