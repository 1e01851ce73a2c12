"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1: signed, retried after a 500
and a timeout, final after a 2xx, never to a private address unless allowed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from actions.services import action_edit, action_set_status
from api.forms import WebhookForm
from api.models import Webhook, WebhookDelivery
from api.webhooks import deliveries_due_ids, overdue_record, webhook_deliver
from reviews.events import Event
from reviews.models import Team
from reviews.services.reviews import review_create
from tests.factories import ActionItemFactory, WebhookFactory

pytestmark = pytest.mark.django_db


def hook_for(team: Team, url: str, *events: str) -> Webhook:
    return WebhookFactory(team=team, url=url, events=list(events))


def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300


@pytest.fixture
def action(cast):
    return ActionItemFactory(review=cast.review, owner=cast.participant)


def close(action, actor):
    with transaction.atomic():
        return action_set_status(
            action=action, actor=actor, version=action.version, status="done", note="Verified"
        )


def test_a_closed_action_reaches_the_receiver_signed(
    receiver, cast, action, django_capture_on_commit_callbacks
):
    hook = hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        close(action, cast.participant)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    delivery = WebhookDelivery.objects.get()
    assert got.path == "/hooks/aar"
    assert got.headers["X-AAR-Event"] == "action.closed"
    assert got.headers["X-AAR-Delivery"] == str(delivery.delivery_id)
    assert got.headers["Content-Type"] == "application/json"
    assert verify(hook.secret, got.headers["X-AAR-Signature"], got.body)
    assert not verify("another secret", got.headers["X-AAR-Signature"], got.body)
    body = json.loads(got.body)
    assert (body["event"], body["id"]) == ("action.closed", str(delivery.delivery_id))
    assert body["data"]["action"]["status"] == "done"
    assert body["data"]["action"]["url"].endswith(f"/actions/{action.pk}/")
    assert (delivery.state, delivery.last_status, delivery.attempts) == ("delivered", 200, 1)


def test_only_the_events_a_webhook_asked_for_are_recorded(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    with transaction.atomic():
        action_edit(
            action=action,
            actor=cast.participant,
            version=action.version,
            title="Alert on disk usage",
        )
    assert not WebhookDelivery.objects.exists()


def test_another_teams_webhook_hears_nothing(receiver, cast, action):
    other = Team.objects.create(name="Elsewhere", slug="elsewhere")
    hook_for(other, receiver.url, *Event.values)
    close(action, cast.participant)
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_tried_again_later_and_then_delivered(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    receiver.script = [500]
    close(action, cast.participant)
    delivery = WebhookDelivery.objects.get()
    start = timezone.now()
    assert webhook_deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status, delivery.attempts) == ("pending", 500, 1)
    assert 25 <= (delivery.next_attempt_at - start).total_seconds() <= 35
    assert webhook_deliver(delivery.pk) == "skipped"  # not due yet
    assert delivery.pk not in deliveries_due_ids()
    with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1)):
        assert delivery.pk in deliveries_due_ids()
        assert webhook_deliver(delivery.pk) == "delivered"
    ids = {r.headers["X-AAR-Delivery"] for r in receiver.received}
    assert len(receiver.received) == 2 and ids == {str(delivery.delivery_id)}


def test_a_receiver_that_hangs_holds_the_worker_no_longer_than_the_timeout(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    receiver.script = ["hang"]
    close(action, cast.participant)
    delivery = WebhookDelivery.objects.get()
    started = time.monotonic()
    assert webhook_deliver(delivery.pk) == "retry"
    assert time.monotonic() - started < 2
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error.lower() or "timeout" in delivery.last_error.lower()
    assert delivery.last_status is None


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_twice_the_timeout(
    receiver, cast, action
):
    """Each header line comes within the timeout, the whole answer never: it is cut off."""
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    receiver.script = ["trickle"]
    receiver.hang_seconds = 4.0  # against WEBHOOK_TIMEOUT 0.5: cut at 1 s
    close(action, cast.participant)
    delivery = WebhookDelivery.objects.get()
    started = time.monotonic()
    assert webhook_deliver(delivery.pk) == "retry"
    assert time.monotonic() - started < 3  # well before the receiver would have finished
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.last_error


def test_a_2xx_is_final(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    close(action, cast.participant)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery.pk) == "delivered"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert webhook_deliver(delivery.pk) == "skipped"
        assert deliveries_due_ids() == []
    assert len(receiver.received) == 1


def test_a_4xx_is_not_tried_again(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    receiver.script = [410]
    close(action, cast.participant)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status) == ("failed", 410)


def test_it_gives_up_after_a_day(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    receiver.script = [503]
    close(action, cast.participant)
    WebhookDelivery.objects.update(
        created_at=timezone.now() - dt.timedelta(hours=23, minutes=59, seconds=50)
    )
    assert webhook_deliver(WebhookDelivery.objects.get().pk) == "failed"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "Gave up after a day" in delivery.last_error


def test_a_private_address_is_refused_unless_allowed(receiver, cast, action, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    close(action, cast.participant)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "not a public address" in delivery.last_error
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest",
    ],
)
def test_the_form_refuses_private_addresses(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    form = WebhookForm({"url": url, "events": ["action.closed"]})
    assert not form.is_valid()
    assert "not a public address" in form.errors["url"][0]


def test_the_form_refuses_other_schemes_and_no_events(settings):
    form = WebhookForm({"url": "ftp://example.com/x", "events": []})
    assert not form.is_valid()
    assert set(form.errors) == {"url", "events"}


def test_the_same_change_is_recorded_once(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_OVERDUE)
    action.due_on = timezone.localdate() - dt.timedelta(days=2)
    action.save(update_fields=["due_on"])
    assert overdue_record() == 1
    assert overdue_record() == 0
    assert WebhookDelivery.objects.get().event == "action.overdue"


def test_a_change_rolled_back_records_nothing(receiver, cast, action):
    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED)
    with pytest.raises(RuntimeError), transaction.atomic():
        close(action, cast.participant)
        raise RuntimeError("the request failed after the change")
    assert not WebhookDelivery.objects.exists()


def test_a_scheduled_review_is_announced_with_the_review(receiver, cast):
    hook_for(cast.team, receiver.url, Event.REVIEW_SCHEDULED)
    with transaction.atomic():
        review = review_create(
            team=cast.team,
            title="Queue backlog",
            kind="incident",
            created_by=cast.owner,
            scheduled_at=timezone.now() + dt.timedelta(days=5),
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "review.scheduled"
    assert delivery.payload["review"]["slug"] == review.slug


def test_a_change_through_the_api_is_delivered_once(receiver, api, cast, action):
    from tests.api.conftest import token_for

    hook_for(cast.team, receiver.url, Event.ACTION_CLOSED, Event.ACTION_UPDATED)
    token = token_for(cast.participant)
    response = api(
        "PATCH",
        f"/api/v1/actions/{action.pk}/",
        token,
        {"status": "done", "note": "Verified in the drill"},
    )
    assert response.status_code == 200
    assert [r.headers["X-AAR-Event"] for r in receiver.received] == ["action.closed"]
    assert WebhookDelivery.objects.get().state == "delivered"


def test_a_rerun_of_the_daily_overdue_events_costs_the_same_for_1_or_20_actions(cast):
    """What earlier days recorded is read once per team: no payload is made again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hook_for(cast.team, "https://hooks.example.com/aar", Event.ACTION_OVERDUE)
    late = timezone.localdate() - dt.timedelta(days=3)

    def rerun_cost() -> int:
        overdue_record()
        with CaptureQueriesContext(connection) as queries:
            assert overdue_record() == 0
        return len(queries)

    ActionItemFactory(review=cast.review, due_on=late)
    one = rerun_cost()
    for _ in range(19):
        ActionItemFactory(review=cast.review, due_on=late)
    assert rerun_cost() == one
    assert WebhookDelivery.objects.count() == 20
