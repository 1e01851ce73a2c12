from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from reviews.models import Participant, Review, ReviewStatus
from tests.factories import ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def review_post(team, facilitator, scribe, **extra):
    start = timezone.localtime() - dt.timedelta(days=3)
    data = {
        "team": team.pk,
        "kind": "incident",
        "title": "Payments API errors",
        "severity": "sev2",
        "time_zone": "UTC",
        "event_started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "event_detected_at": (start + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "event_ended_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "scheduled_at": (start + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "meeting_minutes": 80,
        "facilitator": facilitator.pk,
        "scribe": scribe.pk,
    }
    data.update(extra)
    return data


@pytest.fixture
def team_people(db):
    owner = UserFactory()
    team = TeamFactory(delivery_owner=owner)
    facilitator, scribe = UserFactory(), UserFactory()
    team.members.add(facilitator, scribe)
    return team, owner, facilitator, scribe


def test_a_delivery_owner_records_an_event_and_schedules_its_review(client, team_people):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    response = client.post("/reviews/new/", review_post(team, facilitator, scribe))
    review = Review.objects.get()
    assert response.status_code == 302
    assert response.url == f"/reviews/{review.slug}/people/"
    assert review.facilitator == facilitator and review.scribe == scribe
    assert review.status == ReviewStatus.DRAFT
    assert review.agenda.count() == 6
    assert set(review.participants.values_list("role", flat=True)) == {"facilitator", "scribe"}
    # The accounts deadline defaults to the day before the meeting.
    assert review.accounts_due_at == review.scheduled_at - dt.timedelta(days=1)


def test_facilitator_and_scribe_must_be_different_people(client, team_people):
    team, owner, facilitator, _ = team_people
    client.force_login(owner)
    response = client.post("/reviews/new/", review_post(team, facilitator, facilitator))
    assert response.status_code == 400
    assert b"must be different people" in response.content
    assert b"Payments API errors" in response.content  # the typed text comes back
    assert not Review.objects.exists()


def test_an_event_cannot_end_before_it_starts(client, team_people):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    data = review_post(team, facilitator, scribe)
    data["event_ended_at"] = "2020-01-01T00:00"
    response = client.post("/reviews/new/", data)
    assert response.status_code == 400
    assert b"cannot end before it started" in response.content


def test_a_meeting_more_than_14_days_after_the_event_is_flagged_but_allowed(client, team_people):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    data = review_post(team, facilitator, scribe)
    data["scheduled_at"] = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/reviews/new/", data, follow=True)
    assert Review.objects.count() == 1
    assert b"days after the event" in response.content


def test_an_outsider_cannot_create_a_review_for_a_team_they_are_not_in(client, team_people):
    team, _, facilitator, scribe = team_people
    client.force_login(UserFactory())
    assert client.get("/reviews/new/").status_code == 404
    assert client.post("/reviews/new/", review_post(team, facilitator, scribe)).status_code == 404
    assert not Review.objects.exists()


PR_JSON = {
    "number": 4182,
    "title": "Move the reconciliation job to its own pool",
    "html_url": "https://code.example.com/payments/api/pull/4182",
    "user": {"login": "omar", "id": 7},
    "requested_reviewers": [{"login": "priya"}, {"login": "lee"}],
    "additions": 212,
    "deletions": 48,
    "changed_files": 9,
    "created_at": "2026-11-02T09:15:00Z",
    "merged_at": "2026-11-04T16:40:00Z",
    "labels": [{"name": "infra"}],
    "unknown_key": {"deep": [1, 2, 3]},
}


def test_a_pull_request_review_is_filled_from_the_code_host_json(client, team_people):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    data = review_post(team, facilitator, scribe, kind="pull_request", title="")
    data["pr-json"] = SimpleUploadedFile(
        "pr.json", json.dumps(PR_JSON).encode(), "application/json"
    )
    response = client.post("/reviews/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    assert review.title == "Move the reconciliation job to its own pool"
    pr = review.pull_request
    assert pr.number == 4182
    assert pr.author == "omar"
    assert pr.reviewer_list() == ["priya", "lee"]
    assert (pr.lines_added, pr.lines_removed, pr.files_changed) == (212, 48, 9)
    assert pr.merged_at == dt.datetime(2026, 11, 4, 16, 40, tzinfo=dt.UTC)


def test_a_pull_request_json_with_missing_keys_leaves_them_blank(client, team_people):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    data = review_post(team, facilitator, scribe, kind="pull_request", title="A change")
    data["pr-json"] = SimpleUploadedFile("pr.json", b'{"number": 12}', "application/json")
    assert client.post("/reviews/new/", data).status_code == 302
    review = Review.objects.get()
    pr = review.pull_request
    assert pr.number == 12 and pr.author == "" and pr.merged_at is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", b"not valid JSON"),
        (b"[1, 2]", b"a JSON list of 2 items, not one"),
        (b'"a string"', b"one JSON object"),
        (b'{"number": 3, "additions": "many"}', b"whole number"),
        (b"\xff\xfe\x00bad", b"not UTF-8"),
    ],
)
def test_a_malformed_pull_request_file_is_refused_with_the_reason(
    client, team_people, content, message
):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    data = review_post(team, facilitator, scribe, kind="pull_request")
    data["pr-json"] = SimpleUploadedFile("pr.json", content, "application/json")
    response = client.post("/reviews/new/", data)
    assert response.status_code == 400
    assert message in response.content
    assert not Review.objects.exists()


def test_the_list_shows_only_reviews_the_user_may_see_and_filters(client, cast):
    ReviewFactory(title="Another team's secret incident")
    ReviewFactory(team=cast.team, title="A launch of ours", kind="launch", status="published")
    client.force_login(cast.member)
    page = client.get("/").content.decode()
    assert cast.review.title in page and "A launch of ours" in page
    assert "Another team's secret incident" not in page
    filtered = client.get("/?kind=launch").content.decode()
    assert "A launch of ours" in filtered and cast.review.title not in filtered
    by_status = client.get("/?status=published", HTTP_HX_REQUEST="true").content.decode()
    assert "A launch of ours" in by_status and "<html" not in by_status


# --- People and invitations ------------------------------------------------------------


def test_adding_an_unknown_address_creates_a_link_only_user(client, cast):
    client.force_login(cast.facilitator)
    response = client.post(
        f"/reviews/{cast.review.slug}/people/",
        {"email": "New.Person@Example.com", "role": "participant", "full_name": "New Person"},
    )
    assert response.status_code == 302
    person = Participant.objects.get(review=cast.review, user__email="new.person@example.com").user
    assert not person.has_usable_password()
    assert person.get_full_name() == "New Person"


def test_a_bad_address_is_refused_and_nothing_changes(client, cast):
    client.force_login(cast.facilitator)
    before = cast.review.participants.count()
    response = client.post(
        f"/reviews/{cast.review.slug}/people/", {"email": "not-an-address", "role": "participant"}
    )
    assert response.status_code == 400
    assert b"not-an-address" in response.content
    assert cast.review.participants.count() == before


def test_roles_change_and_people_are_removed_but_not_the_leads(client, cast):
    client.force_login(cast.facilitator)
    url = f"/reviews/{cast.review.slug}/people/"
    client.post(f"{url}{cast.participant_row.pk}/role/", {"role": "observer"})
    cast.participant_row.refresh_from_db()
    assert cast.participant_row.role == "observer"
    client.post(f"{url}{cast.other_row.pk}/remove/")
    assert not Participant.objects.filter(pk=cast.other_row.pk).exists()
    lead = cast.review.participants.get(role="scribe")
    response = client.post(f"{url}{lead.pk}/remove/", follow=True)
    assert Participant.objects.filter(pk=lead.pk).exists()
    assert b"Choose another facilitator or scribe" in response.content


def invitation_for(email):
    return next(m for m in mail.outbox if m.to == [email])


def ics_of(message):
    attachment = next(a for a in message.attachments if a[0].endswith(".ics"))
    return Calendar.from_ical(attachment[1])


def test_invitations_send_one_email_with_a_personal_link_and_a_calendar_invitation(client, cast):
    client.force_login(cast.facilitator)
    response = client.post(f"/reviews/{cast.review.slug}/invitations/")
    assert response.status_code == 302
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(p.user.email for p in cast.review.participants.all())
    message = invitation_for(cast.participant.email)
    assert "\n" not in message.subject
    assert message.alternatives
    calendar = ics_of(message)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]).startswith(f"aar-review-{cast.review.pk}@")
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == cast.review.scheduled_at.replace(microsecond=0)
    cast.review.refresh_from_db()
    assert cast.review.status == ReviewStatus.PREPARING


def test_sending_invitations_again_sends_nothing_twice(client, cast):
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    count = len(mail.outbox)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    assert len(mail.outbox) == count


def test_the_invitation_link_followed_lands_on_the_account_page(client, cast):
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    client.logout()
    body = invitation_for(cast.participant.email).body
    link = re.search(r"http://testserver(/accounts/link/open/\S+)", body).group(1)
    confirm = client.get(link)
    assert confirm.status_code == 200
    token = re.search(r'name="t" value="([^"]+)"', confirm.content.decode()).group(1)
    nxt = re.search(r'name="next" value="([^"]+)"', confirm.content.decode()).group(1)
    landed = client.post("/accounts/link/open/", {"t": token, "next": nxt}, follow=True)
    assert landed.redirect_chain[-1][0] == f"/reviews/{cast.review.slug}/account/"
    assert b"Your account" in landed.content


def test_rescheduling_sends_an_update_with_the_same_uid_and_a_higher_sequence(client, cast):
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    first = ics_of(invitation_for(cast.participant.email))
    mail.outbox.clear()
    page = client.get(f"/reviews/{cast.review.slug}/edit/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    for name in (
        "event_started_at",
        "event_detected_at",
        "event_ended_at",
        "accounts_due_at",
    ):
        value = form.initial.get(name)
        data[name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""
    data["facilitator"], data["scribe"] = cast.facilitator.pk, cast.scribe.pk
    new_time = timezone.localtime(cast.review.scheduled_at) + dt.timedelta(days=1)
    data["scheduled_at"] = new_time.strftime("%Y-%m-%dT%H:%M")
    data["accounts_due_at"] = ""
    data["next_review_on"] = ""
    response = client.post(f"/reviews/{cast.review.slug}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    update = ics_of(invitation_for(cast.participant.email))
    old_event, new_event = next(iter(first.walk("VEVENT"))), next(iter(update.walk("VEVENT")))
    assert str(new_event["UID"]) == str(old_event["UID"])
    assert int(new_event["SEQUENCE"]) == int(old_event["SEQUENCE"]) + 1
    assert new_event.decoded("DTSTART") == new_time.replace(second=0, microsecond=0)


def test_cancelling_sends_a_calendar_cancellation(client, cast):
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    mail.outbox.clear()
    client.post(f"/reviews/{cast.review.slug}/cancel/")
    calendar = ics_of(invitation_for(cast.participant.email))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(next(iter(calendar.walk("VEVENT")))["STATUS"]) == "CANCELLED"
    cast.review.refresh_from_db()
    assert cast.review.status == ReviewStatus.CANCELLED


def test_someone_added_after_the_invitations_is_invited_at_once(client, cast):
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    mail.outbox.clear()
    client.post(
        f"/reviews/{cast.review.slug}/people/", {"email": "late@example.com", "role": "participant"}
    )
    assert [m.to for m in mail.outbox] == [["late@example.com"]]


def test_the_review_page_says_where_the_review_stands(client, cast):
    client.force_login(cast.facilitator)
    page = client.get(f"/reviews/{cast.review.slug}/").content.decode()
    assert "Where it stands" in page
    # Two participants, two drafts, none submitted (the facilitator and scribe do not write).
    assert "Accounts: 0 of 2 submitted" in page


# --- A deadline already past (#15 bug 8) -------------------------------------------------------


def test_a_meeting_today_gets_a_deadline_that_has_not_passed(client, team_people):
    team, owner, facilitator, scribe = team_people
    client.force_login(owner)
    meeting = timezone.localtime() + dt.timedelta(hours=5)
    data = review_post(team, facilitator, scribe)
    data["event_started_at"] = (meeting - dt.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    data["event_detected_at"] = (meeting - dt.timedelta(hours=19)).strftime("%Y-%m-%dT%H:%M")
    data["event_ended_at"] = (meeting - dt.timedelta(hours=18)).strftime("%Y-%m-%dT%H:%M")
    data["scheduled_at"] = meeting.strftime("%Y-%m-%dT%H:%M")
    client.post("/reviews/new/", data)
    review = Review.objects.get()
    assert timezone.now() < review.accounts_due_at < review.scheduled_at


def test_a_deadline_already_past_is_warned_of_and_said_in_the_invitation(client, cast):
    past = timezone.now() - dt.timedelta(hours=3)
    Review.objects.filter(pk=cast.review.pk).update(
        accounts_due_at=past, scheduled_at=timezone.now() + dt.timedelta(hours=2)
    )
    client.force_login(cast.facilitator)
    people = client.get(f"/reviews/{cast.review.slug}/people/").content.decode()
    assert "has passed: the invitations will say so" in people
    detail = client.get(f"/reviews/{cast.review.slug}/").content.decode()
    assert "The time set for the accounts" in detail and "has passed" in detail
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    message = invitation_for(cast.participant.email)
    assert "has already passed: please write" in message.body
    assert "Please write it by" not in message.body
    assert "has already passed" in message.alternatives[0][0]
    # The facilitator and the scribe are not asked to write one.
    lead = invitation_for(cast.facilitator.email)
    assert "write your account" not in lead.body.lower()
    assert "You are the facilitator of this review" in lead.body


def test_editing_the_deadline_into_the_past_warns_after_saving(client, cast):
    client.force_login(cast.facilitator)
    page = client.get(f"/reviews/{cast.review.slug}/edit/").content.decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    selects = dict(
        re.findall(r'<select name="(\w+)"[^>]*>.*?<option value="([^"]*)"[^>]*selected', page, re.S)
    )
    data = {**fields, **selects}
    data["accounts_due_at"] = (timezone.localtime() - dt.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client.post(f"/reviews/{cast.review.slug}/edit/", data, follow=True)
    assert "which has passed: invitations will say so" in response.content.decode()
