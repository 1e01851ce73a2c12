"""Invitations, their updates and cancellations: one email per person and calendar sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from reviews.models import (
    NotificationKind,
    Participant,
    Review,
    ReviewStatus,
)
from reviews.notify import notification_queue
from reviews.versions import bump_review_version

if TYPE_CHECKING:
    pass


SCHEDULE_FIELDS = {"scheduled_at", "meeting_minutes", "title"}


def invite_key(review: Review, user_id: int, kind: NotificationKind) -> str:
    return f"{kind}:{review.pk}:{user_id}:{review.ics_sequence}"


def queue_invitation(review: Review, participant: Participant, kind: NotificationKind) -> None:

    notification_queue(
        key=invite_key(review, participant.user_id, kind),
        kind=kind,
        email=participant.user.email,
        recipient=participant.user,
        review=review,
        payload={"role": participant.role},
    )


@transaction.atomic
def invitations_send(*, review: Review) -> int:
    """Invite everyone not invited yet; the review moves from draft to preparing."""
    now = timezone.now()
    waiting = list(review.participants.filter(invited_at__isnull=True).select_related("user"))
    for participant in waiting:
        queue_invitation(review, participant, NotificationKind.INVITATION)
    Participant.objects.filter(pk__in=[p.pk for p in waiting]).update(invited_at=now)
    fields = ["invitations_sent_at", "updated_at"]
    review.invitations_sent_at = review.invitations_sent_at or now
    if review.status == ReviewStatus.DRAFT:
        review.status = ReviewStatus.PREPARING
        fields.append("status")
    review.save(update_fields=fields)
    bump_review_version(review.pk)
    return len(waiting)
