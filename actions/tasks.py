from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from actions.reminders import reminders_run
from reviews.models import Organisation


@shared_task(name="actions.tasks.send_reminders_on_the_hour", time_limit=900, soft_time_limit=870)
def send_reminders_on_the_hour() -> dict[str, int] | None:
    """Hourly (beat): the daily reminders, when it is the organisation's reminder hour in its
    time zone (Organisation settings), for that zone's day. A second run the same day sends
    nothing (the reminder log has one row per owner and day)."""
    zone, hour = Organisation.objects.reminder_schedule()
    now = timezone.now().astimezone(zone)
    if now.hour != hour:
        return None
    result: dict[str, int] = send_overdue_reminders(now.date().isoformat())
    return result


@shared_task(name="actions.tasks.send_overdue_reminders", time_limit=900, soft_time_limit=870)
def send_overdue_reminders(day: str | None = None) -> dict[str, int]:
    """Daily (beat): digests, nudges and escalations for `day` (default: today, local time)."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    report = reminders_run(day=when)
    return {"sent": report.sent, "failed": report.failed, "already": report.already}
