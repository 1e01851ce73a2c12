"""Written accounts: sealed drafts saved as people type, submitted once, reminders."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reviews.models import (
    BEFORE_MEETING,
    Account,
    NotificationKind,
    Participant,
    Review,
)
from reviews.notify import notification_queue
from reviews.versions import Stale, bump_review_version

if TYPE_CHECKING:
    pass


def accounts_editable(review: Review) -> bool:
    return review.is_before_meeting


@transaction.atomic
def account_save(
    *, participant: Participant, body: str, version: int, submit: bool = False
) -> Account:
    """Save a draft (or submit it) if `version` is the latest; otherwise raise Stale with the
    newer text. A late autosave carrying an older version never overwrites a newer save."""
    account, _ = Account.objects.get_or_create(
        participant=participant, defaults={"review_id": participant.review_id, "version": 1}
    )
    # Twice at most: an autosave of the same text can land between the read and the write
    # (a blur as the person clicks Submit); that is no conflict.
    for _attempt in range(2):
        if account.version != version:
            if account.body != body:
                raise Stale(account.body, account.version, current=account)
            if not submit:
                return account  # nothing new to keep
            version = account.version  # the same text: submitting it loses nothing
        now = timezone.now()
        updates: dict[str, object] = {"body": body, "updated_at": now, "version": F("version") + 1}
        if submit:
            updates["submitted_at"] = now
        saved = Account.objects.filter(pk=account.pk, version=version).update(**updates)
        account.refresh_from_db()
        if saved:
            bump_review_version(participant.review_id)
            return account
    raise Stale(account.body, account.version, current=account)


def account_remind(
    *, review: Review, participant: Participant, when: dt.datetime | None = None
) -> bool:
    """The facilitator's reminder to one person: at most one an hour."""
    moment = when or timezone.now()
    return (
        notification_queue(
            key=f"account-nudge:{participant.pk}:{moment:%Y%m%d%H}",
            kind=NotificationKind.ACCOUNT_REMINDER,
            email=participant.user.email,
            recipient=participant.user,
            review=review,
            payload={"role": participant.role},
        )
        is not None
    )


def account_reminders_queue(now: dt.datetime | None = None) -> int:
    """One reminder, in the 24 hours before the deadline, to each writer without a submitted account."""
    now = now or timezone.now()
    waiting = (
        Participant.objects.writers()
        .filter(
            review__status__in=BEFORE_MEETING,
            review__invitations_sent_at__isnull=False,
            review__accounts_due_at__gt=now,
            review__accounts_due_at__lte=now + dt.timedelta(hours=24),
        )
        .exclude(accounts__submitted_at__isnull=False)
        .select_related("user", "review")
    )
    queued = 0
    for participant in waiting:
        made = notification_queue(
            key=f"account-reminder:{participant.pk}",
            kind=NotificationKind.ACCOUNT_REMINDER,
            email=participant.user.email,
            recipient=participant.user,
            review=participant.review,
            payload={"role": participant.role},
        )
        queued += made is not None
    return queued
