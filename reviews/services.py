"""Workflows on reviews: people, scheduling, agenda. Views and commands call these."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from reviews.auth import normalise_email
from reviews.models import (
    DEFAULT_AGENDA,
    AgendaPhase,
    Participant,
    Review,
    Role,
    Team,
    bump_review_version,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def user_for_email(email: str, *, full_name: str = "") -> User:
    """The user with this email; a new one who can only use sign-in links if there is none."""
    email = normalise_email(email)
    user_model = get_user_model()
    user = user_model._default_manager.filter(email__iexact=email).first()
    if user is not None:
        return user  # type: ignore[return-value]
    first, _, last = full_name.strip().partition(" ")
    user = user_model(
        username=email[:150], email=email, first_name=first[:150], last_name=last[:150]
    )
    user.set_unusable_password()
    user.save()
    return user  # type: ignore[return-value]


def display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


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
def participant_set(*, review: Review, user: User, role: str) -> Participant:
    """Add `user` to the review with `role`, or change their role."""
    participant, created = Participant.objects.get_or_create(
        review=review, user=user, defaults={"role": role}
    )
    if not created and participant.role != role:
        participant.role = role
        participant.save(update_fields=["role"])
    bump_review_version(review.pk)
    return participant


@transaction.atomic
def review_set_leads(*, review: Review, facilitator: User | None, scribe: User | None) -> None:
    """Make the review's facilitator and scribe rows agree with its two lead fields."""
    if facilitator is not None and scribe is not None and facilitator.pk == scribe.pk:
        raise ValueError("The facilitator and the scribe must be different people.")
    previous = {review.facilitator_id, review.scribe_id} - {None}
    review.facilitator, review.scribe = facilitator, scribe
    review.save(update_fields=["facilitator", "scribe", "updated_at"])
    current = {facilitator.pk if facilitator else None, scribe.pk if scribe else None} - {None}
    # A lead who was replaced stays in the review as a participant.
    Participant.objects.filter(
        review=review, user_id__in=previous - current, role__in=[Role.FACILITATOR, Role.SCRIBE]
    ).update(role=Role.PARTICIPANT)
    if facilitator is not None:
        participant_set(review=review, user=facilitator, role=Role.FACILITATOR)
    if scribe is not None:
        participant_set(review=review, user=scribe, role=Role.SCRIBE)
    bump_review_version(review.pk)


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
    return review
