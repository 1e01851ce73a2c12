"""The people of a review: who they are, their role, adding and removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from reviews.auth import normalise_email
from reviews.display import display_name
from reviews.models import (
    NotificationKind,
    Participant,
    Review,
    Role,
)
from reviews.notify import notification_queue
from reviews.services.invitations import queue_invitation
from reviews.versions import bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def user_for_email(email: str, *, full_name: str = "") -> User:
    """The user with this email; a new one who can only use sign-in links if there is none."""
    email = normalise_email(email)
    user_model = get_user_model()
    user = user_model._default_manager.filter(email__iexact=email).first()
    if user is not None:
        return user
    first, _, last = full_name.strip().partition(" ")
    user = user_model(
        username=email[:150], email=email, first_name=first[:150], last_name=last[:150]
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # someone added the same address a moment ago: that person it is
        found = user_model._default_manager.filter(email__iexact=email).first()
        if found is None:
            raise
        return found
    return user


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
def review_set_leads(
    *,
    review: Review,
    facilitator: User | None,
    scribe: User | None,
    actor: User | None = None,
) -> None:
    """Make the review's facilitator and scribe rows agree with its two lead fields.

    Once invitations are out, accounts may be written: a lead named then by anyone but the
    facilitator (who may read the accounts) does not read the sealed ones until the
    facilitator agrees (`lead_allow_sealed`) or the accounts are revealed. Each change is
    recorded as an email to the people concerned: the old and new leads and the facilitator.
    """
    if facilitator is not None and scribe is not None and facilitator.pk == scribe.pk:
        raise ValueError("The facilitator and the scribe must be different people.")
    old = {Role.FACILITATOR: review.facilitator, Role.SCRIBE: review.scribe}
    previous = {review.facilitator_id, review.scribe_id} - {None}
    review.facilitator, review.scribe = facilitator, scribe
    review.save(update_fields=["facilitator", "scribe", "updated_at"])
    current = {facilitator.pk if facilitator else None, scribe.pk if scribe else None} - {None}
    # A lead who was replaced stays in the review as a participant.
    Participant.objects.filter(
        review=review, user_id__in=previous - current, role__in=[Role.FACILITATOR, Role.SCRIBE]
    ).update(role=Role.PARTICIPANT, reads_sealed=True)
    trusted = review.invitations_sent_at is None or _reads_sealed_as_facilitator(review, actor)
    for role, user in ((Role.FACILITATOR, facilitator), (Role.SCRIBE, scribe)):
        if user is None:
            continue
        before = old[role]
        participant = participant_set(review=review, user=user, role=role)
        if before is not None and before.pk != user.pk:
            if not trusted:
                participant.reads_sealed = False
                participant.save(update_fields=["reads_sealed"])
            _leads_changed(review, role=role, old=before, new=user, actor=actor)
    bump_review_version(review.pk)


def _reads_sealed_as_facilitator(review: Review, actor: User | None) -> bool:
    if actor is None:
        return False
    return Participant.objects.filter(
        review=review, user=actor, role=Role.FACILITATOR, reads_sealed=True
    ).exists()


def _leads_changed(
    review: Review, *, role: str, old: User | None, new: User, actor: User | None
) -> None:
    """One email to each person concerned, recorded in the outbox (the change's record)."""
    concerned = {u.pk: u for u in (old, new, review.facilitator) if u is not None}
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for user in concerned.values():
        notification_queue(
            key=f"leads:{review.pk}:{role}:{new.pk}:{user.pk}:{stamp}",
            kind=NotificationKind.LEADS_CHANGED,
            email=user.email,
            recipient=user,
            review=review,
            payload={
                "role": role,
                "old": display_name(old),
                "new": display_name(new),
                "by": display_name(actor) if actor else "",
            },
        )


@transaction.atomic
def lead_allow_sealed(*, review: Review, participant: Participant, actor: User) -> None:
    """The facilitator lets a lead named later read the sealed accounts before the reveal."""
    if not _reads_sealed_as_facilitator(review, actor):
        raise ValueError(
            "Only the facilitator who reads the accounts can let another lead read them."
        )
    if participant.role not in (Role.FACILITATOR, Role.SCRIBE):
        raise ValueError("Only the facilitator and the scribe read sealed accounts.")
    Participant.objects.filter(pk=participant.pk).update(reads_sealed=True)
    bump_review_version(review.pk)


@transaction.atomic
def participant_add(*, review: Review, email: str, role: str, full_name: str = "") -> Participant:
    user = user_for_email(email, full_name=full_name)
    participant = participant_set(review=review, user=user, role=role)
    if review.invitations_sent_at is not None and participant.invited_at is None:
        queue_invitation(review, participant, NotificationKind.INVITATION)
        participant.invited_at = timezone.now()
        participant.save(update_fields=["invited_at"])
    return participant


@transaction.atomic
def participant_remove(*, review: Review, participant: Participant) -> None:
    if participant.role in (Role.FACILITATOR, Role.SCRIBE):
        raise ValueError("Choose another facilitator or scribe before removing this person.")
    if participant.invited_at is not None:
        review.ics_sequence += 1
        review.save(update_fields=["ics_sequence"])
        queue_invitation(review, participant, NotificationKind.CANCELLATION)
    participant.delete()
    bump_review_version(review.pk)


def people_of_review(review: Review) -> Any:
    """Who can own an action or lead the review: the team's people and the review's participants."""
    team = review.team
    return (
        get_user_model()
        ._default_manager.filter(
            Q(teams=team) | Q(owned_teams=team) | Q(participations__review=review)
        )
        .filter(is_active=True)
        .distinct()
        .order_by("first_name", "email")
    )
