"""Chat notifications: Slack, Mattermost and Microsoft Teams channels get a short message with
a link, in the format each tool documents, through the same outbox as the webhooks, posted to
a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from actions.services import action_set_status
from api import chat
from api.models import Kind, WebhookDelivery
from api.webhooks import accounts_due_record, digests_record, webhook_deliver
from reviews.events import Event, announce
from reviews.services.reviews import review_create
from tests.factories import ActionItemFactory, ReviewFactory, WebhookFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # a Monday


def channel(team, url, kind, *events):
    return WebhookFactory(team=team, url=url, kind=kind, events=list(events))


def sent(receiver) -> dict:
    """Deliver what is waiting and return the one message the channel got."""
    for delivery in WebhookDelivery.objects.filter(delivered_at__isnull=True):
        assert webhook_deliver(delivery.pk) == "delivered"
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.headers["Content-Type"] == "application/json"
    assert "X-AAR-Signature" not in got.headers  # a chat tool checks no signature
    return json.loads(got.body)


def schedule(team, owner, title="Queue backlog <p99> & retries"):
    with transaction.atomic():
        return review_create(
            team=team,
            title=title,
            kind="incident",
            created_by=owner,
            scheduled_at=timezone.now() + dt.timedelta(days=5),
        )


def test_a_slack_channel_hears_of_a_scheduled_review_in_slacks_format(receiver, cast):
    with time_machine.travel(NOW, tick=False):
        channel(cast.team, receiver.url, Kind.SLACK, Event.REVIEW_SCHEDULED)
        review = schedule(cast.team, cast.owner)
        message = sent(receiver)
    section, buttons = message["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    # Slack's three markup characters are escaped; the link is Slack's <url|label>.
    assert "Queue backlog &lt;p99&gt; &amp; retries" in section["text"]["text"]
    assert f"/reviews/{review.slug}/|Review scheduled: " in section["text"]["text"]
    assert "Meeting: Sat 12 Dec 2026" in section["text"]["text"]
    assert buttons["elements"][0]["type"] == "button"
    assert buttons["elements"][0]["url"].endswith(f"/reviews/{review.slug}/")
    assert message["text"].startswith("Review scheduled: ")


def test_a_teams_channel_gets_an_adaptive_card_when_a_report_is_published(receiver, cast):
    review = cast.review
    channel(cast.team, receiver.url, Kind.TEAMS, Event.REVIEW_PUBLISHED)
    with transaction.atomic():  # as review_publish announces it
        announce(
            Event.REVIEW_PUBLISHED, team_id=review.team_id, key=f"p:{review.pk}", subject=review
        )
    message = sent(receiver)
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == f"Report published: {review.title}"
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert card["actions"][0]["url"].endswith(f"/reviews/{review.slug}/")


def test_a_mattermost_channel_hears_accounts_are_due_tomorrow_once(receiver, cast):
    with time_machine.travel(NOW, tick=False):
        channel(cast.team, receiver.url, Kind.MATTERMOST, Event.ACCOUNTS_DUE)
        due = ReviewFactory(
            team=cast.team,
            title="Login [outage]",
            status="preparing",
            accounts_due_at=NOW + dt.timedelta(days=1, hours=2),
        )
        ReviewFactory(  # due in three days: not yet
            team=cast.team, status="preparing", accounts_due_at=NOW + dt.timedelta(days=3)
        )
        assert accounts_due_record() == 1
        assert accounts_due_record() == 0  # the same day again: nothing twice
        message = sent(receiver)
    assert set(message) == {"text"}
    assert message["text"].startswith("**[Written accounts are due tomorrow: Login \\[outage\\]](")
    assert f"/reviews/{due.slug}/)**" in message["text"]


def test_the_weekly_digest_lists_the_overdue_actions_once_a_week(receiver, cast):
    with time_machine.travel(NOW, tick=False):
        channel(cast.team, receiver.url, Kind.SLACK, Event.OVERDUE_DIGEST)
        for days in (3, 9, 20, 40, 41, 60, 90):
            ActionItemFactory(
                review=cast.review,
                owner=cast.participant,
                due_on=NOW.date() - dt.timedelta(days=days),
                title=f"Alert on queue depth, late {days} days",
            )
        done = ActionItemFactory(review=cast.review, due_on=NOW.date() - dt.timedelta(days=5))
        with transaction.atomic():
            action_set_status(
                action=done, actor=cast.owner, version=done.version, status="done", note="Seen"
            )
        assert digests_record() == 1
        assert digests_record() == 0
        text = sent(receiver)["blocks"][0]["text"]["text"]
    assert "7 overdue actions in" in text
    assert "Alert on queue depth, late 90 days" in text  # the longest overdue first
    assert "Alert on queue depth, late 3 days" not in text  # five shown...
    assert "and 2 more" in text  # ...and how many more
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        assert digests_record() == 1  # the next week's


def test_a_team_without_overdue_actions_gets_no_digest(receiver, cast):
    channel(cast.team, receiver.url, Kind.TEAMS, Event.OVERDUE_DIGEST)
    assert digests_record() == 0


@pytest.mark.parametrize("kind", [chat.SLACK, chat.MATTERMOST, chat.TEAMS])
@pytest.mark.parametrize("event", [Event.ACTION_CREATED, Event.ACTION_CLOSED, Event.ACTION_OVERDUE])
def test_every_renderer_says_what_happened_to_an_action_with_its_link(kind, event):
    payload = {
        "action": {
            "title": "Page on p99 > 2 s",
            "team": "Payments",
            "owner": {"name": "Lee Chen", "email": "lee@example.com"},
            "due_on": "2026-12-10",
            "url": "https://aar.example.com/actions/7/",
        }
    }
    body = json.dumps(chat.body(kind, event, payload))
    assert "https://aar.example.com/actions/7/" in body
    assert "Lee Chen" in body and "Thu 10 Dec 2026" in body
    assert chat.ACTION_SAID[event] in body


def test_the_page_adds_a_slack_channel_without_showing_a_secret(client, cast, monkeypatch):
    monkeypatch.setattr(  # the hook's host, as a resolver would answer (no network here)
        "api.webhooks.socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.215.14", 443))]
    )
    client.force_login(cast.owner)
    page = f"/teams/{cast.team.slug}/webhooks/"
    response = client.post(
        page,
        {
            "kind": "slack",
            "url": "https://hooks.slack.example/services/T0/B0/x",
            "events": ["review.scheduled", "actions.digest"],
        },
    )
    hook = cast.team.webhooks.get()
    assert response.status_code == 302 and hook.kind == "slack"
    detail = client.get(f"{page}{hook.pk}/").content.decode()
    assert "Slack channel" in detail and hook.secret not in detail
    bad = client.post(
        page, {"kind": "irc", "url": "https://x.example/", "events": ["review.scheduled"]}
    )
    assert bad.status_code == 400 and cast.team.webhooks.count() == 1


def test_peoples_words_cannot_mention_everyone_or_add_links_in_a_channel():
    payload = {
        "review": {
            "title": "@channel <!here> **bold** [a](http://evil.example)",
            "team": "Payments",
            "kind": "incident",
            "scheduled_at": None,
            "url": "https://aar.example.com/reviews/x/",
        }
    }
    mattermost = chat.body(chat.MATTERMOST, Event.REVIEW_SCHEDULED, payload)["text"]
    assert "@channel" not in mattermost and "@\u200bchannel" in mattermost
    assert "](http://evil.example)" not in mattermost and "\\[a\\]" in mattermost
    card = chat.body(chat.TEAMS, Event.REVIEW_SCHEDULED, payload)["attachments"][0]["content"]
    assert "[a](http://evil.example)" not in card["body"][0]["text"]
    assert "\\*\\*bold\\*\\*" in card["body"][0]["text"]
    slack = chat.body(chat.SLACK, Event.REVIEW_SCHEDULED, payload)["blocks"][0]["text"]["text"]
    assert "<!here>" not in slack and "&lt;!here&gt;" in slack
