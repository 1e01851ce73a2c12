"""Webhook work: thin tasks over api.webhooks, by id."""

from __future__ import annotations

from celery import shared_task

from api.webhooks import (
    accounts_due_record,
    deliveries_due_ids,
    digests_record,
    overdue_record,
    webhook_deliver,
)


# A receiver may take WEBHOOK_TIMEOUT per connect and per read; the time limit ends a worse one.
@shared_task(name="api.tasks.deliver_webhook", time_limit=30, soft_time_limit=25)
def deliver_webhook(delivery_id: int) -> str:
    return webhook_deliver(delivery_id)


@shared_task(name="api.tasks.sweep_webhooks", time_limit=120, soft_time_limit=110)
def sweep_webhooks() -> int:
    """Send the deliveries whose next attempt is due: retries, and messages that were lost."""
    ids = deliveries_due_ids()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)


@shared_task(name="api.tasks.queue_overdue_webhooks", time_limit=300, soft_time_limit=280)
def queue_overdue_webhooks() -> int:
    return overdue_record()


@shared_task(name="api.tasks.queue_accounts_due", time_limit=300, soft_time_limit=280)
def queue_accounts_due() -> int:
    return accounts_due_record()


@shared_task(name="api.tasks.queue_digests", time_limit=300, soft_time_limit=280)
def queue_digests() -> int:
    return digests_record()
