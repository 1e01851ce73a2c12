"""Webhooks through the real broker and a real worker: a change leaves within 5 s, once."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from actions.services import action_set_status
from api.models import WebhookDelivery
from api.tasks import deliver_webhook
from tests.factories import ActionItemFactory, WebhookFactory
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.worker]


def wait_until(predicate, seconds: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def test_a_change_reaches_the_receiver_within_5_s_and_once(celery_worker, receiver, cast):
    celery_worker.env["WEBHOOK_ALLOW_PRIVATE"] = "1"
    celery_worker.env["WEBHOOK_TIMEOUT"] = "2"
    celery_worker.start()
    WebhookFactory(team=cast.team, url=receiver.url)
    action = ActionItemFactory(review=cast.review, owner=cast.participant)
    with transaction.atomic():
        action_set_status(
            action=action,
            actor=cast.participant,
            version=action.version,
            status="done",
            note="Verified",
        )
    took = wait_until(lambda: len(receiver.received) == 1, 5, "the delivery")
    delivery = WebhookDelivery.objects.get()
    for _ in range(3):  # the same delivery sent again (a retry, the sweeper): never twice
        deliver_webhook.delay(delivery.pk)
    wait_until(lambda: WebhookDelivery.objects.get().delivered_at is not None, 5, "delivered_at")
    time.sleep(1.5)
    assert len(receiver.received) == 1, f"delivered in {took:.2f} s, then again"
    assert receiver.received[0].headers["X-AAR-Event"] == "action.closed"
