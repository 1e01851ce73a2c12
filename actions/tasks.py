from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from actions.reminders import reminders_run


@shared_task(name="actions.tasks.send_overdue_reminders", time_limit=900, soft_time_limit=870)
def send_overdue_reminders(day: str | None = None) -> dict[str, int]:
    """Daily (beat): digests, nudges and escalations for `day` (default: today, local time)."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    report = reminders_run(day=when)
    return {"sent": report.sent, "failed": report.failed, "already": report.already}
