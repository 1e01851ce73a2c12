"""Background work of reviews: thin tasks that take ids and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from reviews.notify import TransientSendError, notification_deliver, notifications_pending_ids
from reviews.services.accounts import account_reminders_queue
from reviews.services.publish import exports_waiting, report_distribute, report_export_run


@shared_task(
    name="reviews.tasks.deliver_notification",
    autoretry_for=(TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
    time_limit=60,
    soft_time_limit=50,
)
def deliver_notification(notification_id: int) -> bool:
    return notification_deliver(notification_id)


@shared_task(name="reviews.tasks.send_account_reminders", time_limit=300, soft_time_limit=280)
def send_account_reminders() -> int:
    return account_reminders_queue()


@shared_task(name="reviews.tasks.export_report", time_limit=300, soft_time_limit=280)
def export_report(review_id: int, version: int) -> int:
    return report_export_run(review_id=review_id, version=version)


@shared_task(name="reviews.tasks.distribute_report", time_limit=300, soft_time_limit=280)
def distribute_report(review_id: int, version: int) -> int:
    return report_distribute(review_id=review_id, version=version)


@shared_task(name="reviews.tasks.sweep_pending", time_limit=120, soft_time_limit=110)
def sweep_pending() -> int:
    """Re-enqueue work whose message was lost (a broker outage, a crashed worker)."""
    ids = notifications_pending_ids(older_than=dt.timedelta(minutes=2))
    for notification_id in ids:
        deliver_notification.delay(notification_id)
    waiting = exports_waiting(older_than=dt.timedelta(seconds=settings.EXPORT_SWEEP_SECONDS))
    for review_id, version in waiting:
        export_report.delay(review_id, version)
    return len(ids) + len(waiting)
