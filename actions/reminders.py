"""The daily reminders: overdue digests, nudges before the due date, weekly escalations.

Each email is a Notification row with a unique key (owner and day, action and due date,
delivery owner and week) created before anything is sent; a row is claimed with a conditional
update before it is sent. Running this twice, five times at once, or again after a crash
sends each email once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import Min

from actions.models import ActionItem, OwnerSettings
from reviews.models import Notification, NotificationKind
from reviews.notify import TransientSendError, notification_deliver

logger = logging.getLogger(__name__)

NUDGE_DAYS_BEFORE = 2
ESCALATE_AFTER_DAYS = 14


@dataclass
class ReminderReport:
    planned: dict[str, list[str]] = field(
        default_factory=lambda: {"digest": [], "nudge": [], "escalation": []}
    )
    sent: int = 0
    failed: int = 0
    already: int = 0


def iso_week(day: dt.date) -> str:
    """The ISO week a day is in ("2026-W49"): what a weekly message is keyed by."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def reminders_plan(day: dt.date) -> list[Notification]:
    """The notifications `day` calls for (unsaved); some may exist already."""
    wanted: list[Notification] = []
    escalate_before = day - dt.timedelta(days=ESCALATE_AFTER_DAYS)

    owners = (
        ActionItem.objects.overdue(day)
        .filter(owner__isnull=False)
        .values("owner_id", "owner__email")
        .annotate(oldest=Min("due_on"))
        .order_by("owner_id")
    )
    muted = set(
        OwnerSettings.objects.filter(muted_until__gte=day).values_list("user_id", flat=True)
    )
    for row in owners:
        # A muted owner still hears about actions more than 14 days late.
        if row["owner_id"] in muted and row["oldest"] >= escalate_before:
            continue
        wanted.append(
            Notification(
                key=f"digest:{row['owner_id']}:{day.isoformat()}",
                kind=NotificationKind.OVERDUE_DIGEST,
                email=row["owner__email"],
                recipient_id=row["owner_id"],
                payload={"day": day.isoformat(), "muted": row["owner_id"] in muted},
            )
        )

    nudges = (
        ActionItem.objects.open()
        .filter(due_on=day + dt.timedelta(days=NUDGE_DAYS_BEFORE), owner__isnull=False)
        .values("pk", "due_on", "owner_id", "owner__email", "review_id")
    )
    for nudge in nudges:
        wanted.append(
            Notification(
                key=f"nudge:{nudge['pk']}:{nudge['due_on']}",
                kind=NotificationKind.ACTION_NUDGE,
                email=nudge["owner__email"],
                recipient_id=nudge["owner_id"],
                review_id=nudge["review_id"],
                payload={"action": nudge["pk"]},
            )
        )

    leads = (
        ActionItem.objects.overdue(day)
        .filter(due_on__lt=escalate_before, team__delivery_owner__isnull=False)
        .values("team__delivery_owner_id", "team__delivery_owner__email")
        .distinct()
        .order_by("team__delivery_owner_id")
    )
    for lead in leads:
        owner_id = lead["team__delivery_owner_id"]
        wanted.append(
            Notification(
                key=f"escalation:{owner_id}:{iso_week(day)}",
                kind=NotificationKind.ESCALATION_DIGEST,
                email=lead["team__delivery_owner__email"],
                recipient_id=owner_id,
                payload={"day": day.isoformat()},
            )
        )
    return wanted


def reminders_run(*, day: dt.date, dry_run: bool = False) -> ReminderReport:
    report = ReminderReport()
    wanted = reminders_plan(day)
    keys = [n.key for n in wanted]
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    for n in wanted:
        section = {
            "overdue_digest": "digest",
            "action_nudge": "nudge",
            "escalation_digest": "escalation",
        }[n.kind]
        if n.key in existing:
            report.already += 1
        else:
            report.planned[section].append(n.email)
    if dry_run:
        return report
    Notification.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    pending = (
        Notification.objects.pending()
        .filter(key__in=keys)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for notification_id in pending:
        try:
            if notification_deliver(notification_id):
                report.sent += 1
        except TransientSendError as exc:
            # One owner's mail server trouble does not stop the others; the row stays
            # pending and the sweeper (or the next run) tries again.
            report.failed += 1
            logger.warning("reminder %s not sent yet: %s", notification_id, exc)
    return report
