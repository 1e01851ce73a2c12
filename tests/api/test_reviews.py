"""Reviews and timelines through the API, as the data's owner and as everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviews.models import Review, TimelineEntry
from tests.api.conftest import token_for
from tests.factories import ReviewFactory, TeamFactory, TimelineEntryFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/reviews/"


def detail(review: Review) -> str:
    return f"/api/v1/reviews/{review.slug}/"


def timeline(review: Review) -> str:
    return f"/api/v1/reviews/{review.slug}/timeline/"


# --- list ---------------------------------------------------------------------------------


def test_the_list_holds_exactly_the_reviews_one_may_see(api, cast):
    ReviewFactory(title="Another team's outage")
    body = api("GET", LIST, token_for(cast.member, write=False)).json()
    assert [r["slug"] for r in body["results"]] == [cast.review.slug]
    assert body["results"][0]["team"] == cast.team.slug
    assert body["results"][0]["url"].endswith(f"/reviews/{cast.review.slug}/")
    assert api("GET", LIST, token_for(cast.outsider)).json()["results"] == []


def test_the_list_filters_by_team_kind_and_status(api, cast):
    token = token_for(cast.staff)
    launch = ReviewFactory(kind="launch", status="published")
    get = lambda **params: [r["slug"] for r in api.get(LIST, token, **params).json()["results"]]  # noqa: E731
    assert get(team=launch.team.slug) == [launch.slug]
    assert get(kind="launch") == [launch.slug]
    assert get(status="preparing") == [cast.review.slug]
    assert get(kind="launch", status="preparing") == []


def test_the_list_gives_what_changed_since_a_time(api, cast):
    token = token_for(cast.owner)
    since = timezone.now() + dt.timedelta(minutes=1)
    assert api.get(LIST, token, updated_since=since.isoformat()).json()["results"] == []
    later = ReviewFactory(team=cast.team)
    Review.objects.filter(pk=later.pk).update(updated_at=since + dt.timedelta(seconds=1))
    found = api.get(LIST, token, updated_since=since.isoformat()).json()["results"]
    assert [r["slug"] for r in found] == [later.slug]


def test_adding_a_timeline_entry_moves_the_review_into_updated_since(api, cast):
    token = token_for(cast.facilitator)
    since = timezone.now()
    assert api.get(LIST, token, updated_since=since.isoformat()).json()["results"] == []
    api(
        "POST",
        timeline(cast.review),
        token,
        {"entries": [{"occurred_at": since.isoformat(), "description": "Paged"}]},
    )
    found = api.get(LIST, token, updated_since=since.isoformat()).json()["results"]
    assert [r["slug"] for r in found] == [cast.review.slug]


def test_the_cursor_walks_every_review_once(api, cast):
    token = token_for(cast.owner)
    for _ in range(6):
        ReviewFactory(team=cast.team)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get(LIST, token, **params).json()
        seen += [r["slug"] for r in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(
        Review.objects.filter(team=cast.team).values_list("slug", flat=True)
    )
    assert len(seen) == len(set(seen)) == 7


def test_a_cursor_it_never_gave_is_refused_by_name(api, cast):
    response = api.get(LIST, token_for(cast.owner), cursor="not-a-cursor")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_bad_filters_are_refused_by_name(api, cast):
    response = api.get(
        LIST, token_for(cast.owner), kind="meeting", limit=0, updated_since="yesterday"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "limit", "updated_since"}


# --- detail -------------------------------------------------------------------------------


def test_the_detail_is_the_json_export_without_accounts(api, cast):
    TimelineEntryFactory(review=cast.review, description="Alert fired on the primary")
    response = api("GET", detail(cast.review), token_for(cast.participant, write=False))
    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == "aar.review/1"
    assert body["slug"] == cast.review.slug
    assert [e["description"] for e in body["timeline"]] == ["Alert fired on the primary"]
    assert cast.secret not in response.content.decode()
    assert "my own words" not in response.content.decode()


def test_an_outsider_gets_404_for_a_review(api, cast):
    response = api("GET", detail(cast.review), token_for(cast.outsider))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert api("GET", "/api/v1/reviews/no-such-review/", token_for(cast.owner)).status_code == 404


# --- create -------------------------------------------------------------------------------


def new_review(cast, **fields):
    return {
        "team": cast.team.slug,
        "title": "Checkout errors after deploy",
        "kind": "incident",
        "severity": "sev2",
        "event_started_at": "2026-11-30T09:00:00+00:00",
        "event_detected_at": "2026-11-30T09:05:00+00:00",
        "event_ended_at": "2026-11-30T10:10:00Z",
        "facilitator": "member@example.com",
        **fields,
    }


def test_a_bot_opens_a_review_for_its_team(api, cast):
    response = api("POST", LIST, token_for(cast.owner), new_review(cast))
    assert response.status_code == 201, response.content
    body = response.json()
    review = Review.objects.get(slug=body["slug"])
    assert (review.team, review.title, review.severity) == (
        cast.team,
        "Checkout errors after deploy",
        "sev2",
    )
    assert review.facilitator == cast.member
    assert review.created_by == cast.owner
    assert review.participants.filter(user=cast.member, role="facilitator").exists()
    assert review.agenda.count() == 6
    assert review.event_detected_at == dt.datetime(2026, 11, 30, 9, 5, tzinfo=dt.UTC)
    assert body["warnings"] == []


def test_a_new_review_is_checked_as_the_page_checks_it(api, cast):
    before = Review.objects.count()
    response = api(
        "POST",
        LIST,
        token_for(cast.owner),
        new_review(
            cast,
            title="",
            facilitator="outsider@example.com",
            scribe="member@example.com",
            event_ended_at="2026-11-29T10:00:00Z",
        ),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["title"] == ["Give the event a title."]
    assert errors["facilitator"] == ["No one of the team has this email address."]
    assert errors["event_ended_at"] == ["The event cannot end before it started."]
    assert Review.objects.count() == before


def test_a_review_needs_times_with_their_offset(api, cast):
    response = api(
        "POST", LIST, token_for(cast.owner), new_review(cast, event_started_at="2026-11-30T09:00")
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["event_started_at"]


def test_unknown_fields_and_choices_are_refused_by_name(api, cast):
    response = api(
        "POST", LIST, token_for(cast.owner), new_review(cast, kind="party", colour="red")
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "colour"}


def test_nobody_opens_a_review_for_a_team_they_are_not_in(api, cast):
    response = api("POST", LIST, token_for(cast.outsider), new_review(cast, facilitator=None))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["team"]
    assert not Review.objects.filter(title="Checkout errors after deploy").exists()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "", '"text"'])
def test_a_body_that_is_not_a_json_object_is_400(api, cast, raw):
    response = api("POST", LIST, token_for(cast.owner), raw=raw)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Review.objects.exclude(pk=cast.review.pk).exists()


def test_control_characters_are_cleaned_from_what_is_sent(api, cast):
    response = api(
        "POST", LIST, token_for(cast.owner), new_review(cast, title="Null\x00 byte outage")
    )
    assert response.status_code == 201
    assert Review.objects.get(slug=response.json()["slug"]).title == "Null byte outage"


# --- timeline -----------------------------------------------------------------------------


def test_the_timeline_lists_entries_in_time_order_with_offsets(api, cast):
    t0 = cast.review.event_detected_at
    TimelineEntryFactory(
        review=cast.review, occurred_at=t0 + dt.timedelta(minutes=30), description="Rolled back"
    )
    TimelineEntryFactory(
        review=cast.review, occurred_at=t0 + dt.timedelta(minutes=5), description="Paged"
    )
    body = api("GET", timeline(cast.review), token_for(cast.observer, write=False)).json()
    assert [(e["description"], e["offset"]) for e in body["results"]] == [
        ("Paged", "T+5m"),
        ("Rolled back", "T+30m"),
    ]


def test_an_outsider_gets_404_for_a_timeline(api, cast):
    assert api("GET", timeline(cast.review), token_for(cast.outsider)).status_code == 404
    body = {"entries": [{"occurred_at": "2026-11-30T09:00:00Z", "description": "x"}]}
    assert api("POST", timeline(cast.review), token_for(cast.outsider), body).status_code == 404


def test_a_bot_adds_one_entry_and_many(api, cast):
    token = token_for(cast.scribe)
    one = {
        "entries": [
            {
                "occurred_at": "2026-11-30T09:05:00Z",
                "description": "Alert fired",
                "kind": "detection",
            }
        ]
    }
    response = api("POST", timeline(cast.review), token, one)
    assert response.status_code == 201
    assert response.json() == {"added": 1, "skipped": 0}
    many = {
        "entries": [
            {
                "occurred_at": "2026-11-30 09:10",
                "description": "Acked by on-call",
                "kind": "ack",
                "source": "chat",
            },
            {
                "occurred_at": "2026-11-30T10:40:00+01:00",
                "description": "Rolled back",
                "source_ref": "https://ci/1",
            },
        ]
    }
    assert api("POST", timeline(cast.review), token, many).json() == {"added": 2, "skipped": 0}
    entries = list(
        cast.review.timeline_entries.in_order().values_list("description", "kind", "source")
    )
    assert entries == [
        ("Alert fired", "detection", "log"),
        ("Acked by on-call", "acknowledgment", "chat"),
        ("Rolled back", "other", "log"),
    ]


def test_an_entry_sent_again_is_not_added_twice(api, cast):
    token = token_for(cast.facilitator)
    body = {
        "entries": [
            {
                "occurred_at": "2026-11-30T09:05:00Z",
                "description": "Alert fired",
                "source_ref": "pd-1",
            }
        ]
    }
    api("POST", timeline(cast.review), token, body)
    again = api("POST", timeline(cast.review), token, body)
    assert again.json() == {"added": 0, "skipped": 1}
    assert cast.review.timeline_entries.count() == 1


def test_one_bad_entry_adds_none_and_names_each_bad_one(api, cast):
    body = {
        "entries": [
            {"occurred_at": "2026-11-30T09:05:00Z", "description": "Fine"},
            {"occurred_at": "soon", "description": "No time"},
            {"occurred_at": "2026-11-30T09:07:00Z", "description": "Odd kind", "kind": "panic"},
            {"occurred_at": "2026-11-30T09:08:00Z", "description": "   "},
        ]
    }
    response = api("POST", timeline(cast.review), token_for(cast.facilitator), body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"entries.1", "entries.2", "entries.3"}
    assert "not a date and time" in errors["entries.1"][0]
    assert "unknown kind 'panic'" in errors["entries.2"][0]
    assert "description is missing" in errors["entries.3"][0]
    assert not TimelineEntry.objects.filter(review=cast.review).exists()


def test_an_empty_list_of_entries_is_refused(api, cast):
    response = api("POST", timeline(cast.review), token_for(cast.facilitator), {"entries": []})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["entries"]


def test_only_the_facilitator_and_scribe_add_entries(api, cast):
    body = {"entries": [{"occurred_at": "2026-11-30T09:05:00Z", "description": "Alert fired"}]}
    for person in (cast.participant, cast.owner, cast.member):
        assert api("POST", timeline(cast.review), token_for(person), body).status_code == 404
    assert not cast.review.timeline_entries.exists()


def test_another_teams_person_sees_none_of_it(api, cast):
    stranger = UserFactory()
    TeamFactory().members.add(stranger)
    token = token_for(stranger)
    assert api("GET", detail(cast.review), token).status_code == 404
    assert api("GET", timeline(cast.review), token).status_code == 404
    assert api("GET", LIST, token).json()["results"] == []


def test_the_readmes_incident_bot_opens_a_review_as_its_scribe_and_writes_its_timeline(api, cast):
    """The README's example as written: a team member's token, the bot its own scribe."""
    bot = UserFactory(email="bot@example.com")
    cast.team.members.add(bot)
    token = token_for(bot)
    made = api("POST", LIST, token, new_review(cast, scribe="bot@example.com"))
    assert made.status_code == 201, made.content
    review = Review.objects.get(slug=made.json()["slug"])
    entry = {"occurred_at": "2026-11-30T09:05:00Z", "description": "Error-rate alert fired"}
    added = api("POST", timeline(review), token, {"entries": [{**entry, "kind": "detection"}]})
    assert added.status_code == 201, added.content
    assert added.json() == {"added": 1, "skipped": 0}
    assert review.timeline_entries.get().description == "Error-rate alert fired"


def test_a_body_over_the_size_limit_is_a_json_413_and_adds_nothing(api, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    token = token_for(cast.facilitator)
    entries = [
        {"occurred_at": f"2026-11-30T09:{i % 60:02d}:00Z", "description": "x" * 200}
        for i in range(200)
    ]
    response = api("POST", timeline(cast.review), token, {"entries": entries})
    assert response.status_code == 413
    assert "smaller batches" in response.json()["detail"]
    assert not cast.review.timeline_entries.exists()
