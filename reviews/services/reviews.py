"""Creating, editing and cancelling a review."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from actions.services import actions_resurface
from reviews.models import (
    DEFAULT_AGENDA,
    AgendaPhase,
    Review,
    ReviewStatus,
    Team,
)
from reviews.services.invitations import SCHEDULE_FIELDS, queue_invitation
from reviews.services.people import review_set_leads
from reviews.versions import bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def unique_review_slug(title: str, when: dt.date | None = None) -> str:
    base = slugify(title)[:80] or "review"
    if when:
        base = f"{when:%Y-%m-%d}-{base}"[:90]
    slug, n = base, 2
    while Review.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def agenda_create_default(*, review: Review) -> list[AgendaPhase]:
    return AgendaPhase.objects.bulk_create(
        [
            AgendaPhase(review=review, phase=phase, position=i, planned_minutes=minutes)
            for i, (phase, minutes) in enumerate(DEFAULT_AGENDA)
        ]
    )


@transaction.atomic
def review_create(
    *,
    team: Team,
    title: str,
    kind: str,
    created_by: User | None,
    facilitator: User | None = None,
    scribe: User | None = None,
    **fields: object,
) -> Review:
    event_moment = fields.get("event_started_at") or fields.get("event_detected_at")
    event_day = (
        timezone.localtime(event_moment).date() if isinstance(event_moment, dt.datetime) else None
    )
    review = Review.objects.create(
        team=team,
        title=title,
        kind=kind,
        slug=unique_review_slug(title, event_day),
        created_by=created_by,
        **fields,
    )
    agenda_create_default(review=review)
    review_set_leads(review=review, facilitator=facilitator, scribe=scribe)
    actions_resurface(review=review)
    return review


@transaction.atomic
def review_update(*, review: Review, changed: set[str]) -> None:
    """Save an edited review; a new meeting time sends the invited an updated invitation."""
    reschedule = bool(changed & SCHEDULE_FIELDS) and review.invitations_sent_at is not None
    if reschedule:
        review.ics_sequence += 1
    review.save()
    if reschedule:
        for participant in review.participants.filter(invited_at__isnull=False).select_related(
            "user"
        ):
            queue_invitation(review, participant, "invitation_update")
    bump_review_version(review.pk)


@transaction.atomic
def review_cancel(*, review: Review) -> None:
    review.status = ReviewStatus.CANCELLED
    review.ics_sequence += 1
    review.save(update_fields=["status", "ics_sequence", "updated_at"])
    for participant in review.participants.filter(invited_at__isnull=False).select_related("user"):
        queue_invitation(review, participant, "cancellation")
    bump_review_version(review.pk)
