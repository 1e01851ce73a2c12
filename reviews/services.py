"""Workflows on reviews: people, scheduling, agenda. Views and commands call these."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from reviews.auth import normalise_email
from reviews.models import (
    DEFAULT_AGENDA,
    Account,
    AgendaPhase,
    Participant,
    Review,
    ReviewStatus,
    Role,
    Team,
    TimelineEntry,
)
from reviews.versions import bump_review_version

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
    from actions.services import actions_resurface

    actions_resurface(review=review)
    return review


# --- Scheduling and invitations ---------------------------------------------------------

SCHEDULE_FIELDS = {"scheduled_at", "meeting_minutes", "title"}


def _invite_key(review: Review, user_id: int, kind: str) -> str:
    return f"{kind}:{review.pk}:{user_id}:{review.ics_sequence}"


def _queue_invitation(review: Review, participant: Participant, kind: str) -> None:
    from reviews.notify import notification_queue

    notification_queue(
        key=_invite_key(review, participant.user_id, kind),
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
        _queue_invitation(review, participant, "invitation")
    Participant.objects.filter(pk__in=[p.pk for p in waiting]).update(invited_at=now)
    fields = ["invitations_sent_at", "updated_at"]
    review.invitations_sent_at = review.invitations_sent_at or now
    if review.status == ReviewStatus.DRAFT:
        review.status = ReviewStatus.PREPARING
        fields.append("status")
    review.save(update_fields=fields)
    bump_review_version(review.pk)
    return len(waiting)


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
            _queue_invitation(review, participant, "invitation_update")
    bump_review_version(review.pk)


@transaction.atomic
def review_cancel(*, review: Review) -> None:
    review.status = ReviewStatus.CANCELLED
    review.ics_sequence += 1
    review.save(update_fields=["status", "ics_sequence", "updated_at"])
    for participant in review.participants.filter(invited_at__isnull=False).select_related("user"):
        _queue_invitation(review, participant, "cancellation")
    bump_review_version(review.pk)


@transaction.atomic
def participant_add(*, review: Review, email: str, role: str, full_name: str = "") -> Participant:
    user = user_for_email(email, full_name=full_name)
    participant = participant_set(review=review, user=user, role=role)
    if review.invitations_sent_at is not None and participant.invited_at is None:
        _queue_invitation(review, participant, "invitation")
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
        _queue_invitation(review, participant, "cancellation")
    participant.delete()
    bump_review_version(review.pk)


# --- Written accounts -------------------------------------------------------------------


class Saved:
    """The outcome of a versioned save: saved, or refused with the newer text."""

    def __init__(self, *, ok: bool, current_text: str = "", version: int = 0) -> None:
        self.ok = ok
        self.current_text = current_text
        self.version = version


def accounts_editable(review: Review) -> bool:
    return review.status in (ReviewStatus.DRAFT, ReviewStatus.PREPARING)


@transaction.atomic
def account_save(
    *, participant: Participant, body: str, version: int, submit: bool = False
) -> tuple[Account, Saved]:
    """Save a draft (or submit it) if `version` is the latest; otherwise refuse, with the newer text.

    A late autosave carrying an older version never overwrites a newer save.
    """
    account, _ = Account.objects.get_or_create(
        participant=participant, defaults={"review_id": participant.review_id, "version": 1}
    )
    # Twice at most: an autosave of the same text can land between the read and the write
    # (a blur as the person clicks Submit); that is no conflict.
    for _attempt in range(2):
        if account.version != version:
            if account.body != body:
                return account, Saved(ok=False, current_text=account.body, version=account.version)
            if not submit:
                return account, Saved(ok=True, version=account.version)  # nothing new to keep
            version = account.version  # the same text: submitting it loses nothing
        now = timezone.now()
        updates: dict[str, object] = {"body": body, "updated_at": now, "version": F("version") + 1}
        if submit:
            updates["submitted_at"] = now
        saved = Account.objects.filter(pk=account.pk, version=version).update(**updates)
        account.refresh_from_db()
        if saved:
            bump_review_version(participant.review_id)
            return account, Saved(ok=True, version=account.version)
    return account, Saved(ok=False, current_text=account.body, version=account.version)


def account_remind(
    *, review: Review, participant: Participant, when: dt.datetime | None = None
) -> bool:
    """The facilitator's reminder to one person: at most one an hour."""
    from reviews.notify import notification_queue

    moment = when or timezone.now()
    return (
        notification_queue(
            key=f"account-nudge:{participant.pk}:{moment:%Y%m%d%H}",
            kind="account_reminder",
            email=participant.user.email,
            recipient=participant.user,
            review=review,
            payload={"role": participant.role},
        )
        is not None
    )


def account_reminders_queue(now: dt.datetime | None = None) -> int:
    """One reminder, in the 24 hours before the deadline, to each writer without a submitted account."""
    from reviews.notify import notification_queue

    now = now or timezone.now()
    waiting = (
        Participant.objects.writers()
        .filter(
            review__status__in=[ReviewStatus.DRAFT, ReviewStatus.PREPARING],
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
            kind="account_reminder",
            email=participant.user.email,
            recipient=participant.user,
            review=participant.review,
            payload={"role": participant.role},
        )
        queued += made is not None
    return queued


# --- Timeline ---------------------------------------------------------------------------


def format_offset(moment: dt.datetime, t0: dt.datetime | None) -> str:
    """`T+1h05m`, `T-10m`, `T+2d03h`: the distance from T-0, in whole minutes."""
    if t0 is None:
        return ""
    seconds = int((moment - t0).total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"T{sign}{days}d{hours:02d}h{minutes:02d}m"
    if hours:
        return f"T{sign}{hours}h{minutes:02d}m"
    return f"T{sign}{minutes}m"


def _words(text: str) -> set[str]:
    return {
        w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) > 2
    }


def looks_like_duplicate(a: TimelineEntry, b: TimelineEntry) -> bool:
    """Two entries within two minutes whose descriptions share most of their words."""
    if abs((a.occurred_at - b.occurred_at).total_seconds()) > 120:
        return False
    wa, wb = _words(a.description), _words(b.description)
    if not wa or not wb:
        return a.description.strip().lower() == b.description.strip().lower()
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def timeline_with_offsets(review: Review) -> list[TimelineEntry]:
    """The entries in time order, each with `offset` and `duplicate_of` filled in."""
    entries = list(review.timeline_entries.select_related("account__participant__user").in_order())
    t0 = review.t0
    for i, entry in enumerate(entries):
        entry.offset = format_offset(entry.occurred_at, t0)  # type: ignore[attr-defined]
        entry.duplicate_of = next(  # type: ignore[attr-defined]
            (other for other in entries[max(0, i - 5) : i] if looks_like_duplicate(other, entry)),
            None,
        )
    return entries


@transaction.atomic
def timeline_entry_add(*, review: Review, actor: User, **fields: object) -> TimelineEntry:
    entry = TimelineEntry.objects.create(review=review, created_by=actor, **fields)
    bump_review_version(review.pk)
    return entry


@transaction.atomic
def timeline_entry_update(*, entry: TimelineEntry, version: int, **fields: object) -> Saved:
    updated = TimelineEntry.objects.filter(pk=entry.pk, version=version).update(
        version=F("version") + 1, **fields
    )
    entry.refresh_from_db()
    if not updated:
        return Saved(ok=False, current_text=entry.description, version=entry.version)
    bump_review_version(entry.review_id)
    return Saved(ok=True, version=entry.version)


@transaction.atomic
def timeline_entry_delete(*, entry: TimelineEntry) -> None:
    review_id = entry.review_id
    entry.delete()
    bump_review_version(review_id)
