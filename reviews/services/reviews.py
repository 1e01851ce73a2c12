"""Creating, editing and cancelling a review."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from actions.services import actions_resurface
from reviews.events import Event, announce
from reviews.models import (
    AgendaPhase,
    NotificationKind,
    PullRequestContext,
    Review,
    ReviewStatus,
    Team,
)
from reviews.services.invitations import SCHEDULE_FIELDS, queue_invitation
from reviews.services.organisation import agenda_minutes_for
from reviews.services.people import review_set_leads
from reviews.versions import Stale, bump_review_version

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
            for i, (phase, minutes) in enumerate(agenda_minutes_for(review.team))
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
    pull_request: dict[str, Any] | None = None,
    **fields: object,
) -> Review:
    event_moment = fields.get("event_started_at") or fields.get("event_detected_at")
    event_day = (
        timezone.localtime(event_moment).date() if isinstance(event_moment, dt.datetime) else None
    )
    # Two people creating a review of the same title at once pick the same free slug; the
    # second insert is refused by the unique index and takes the next one.
    for _attempt in range(20):
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    team=team,
                    title=title,
                    kind=kind,
                    slug=unique_review_slug(title, event_day),
                    created_by=created_by,
                    **fields,
                )
            break
        except IntegrityError:
            continue
    else:
        raise IntegrityError("no free slug for this title after 20 tries")
    agenda_create_default(review=review)
    if pull_request is not None:
        PullRequestContext.objects.create(review=review, **pull_request)
    review_set_leads(review=review, facilitator=facilitator, scribe=scribe)
    actions_resurface(review=review)
    announce_scheduled(review)
    return review


def announce_scheduled(review: Review) -> None:
    """review.scheduled, once per meeting time."""
    if review.scheduled_at is not None:
        event = Event.REVIEW_SCHEDULED
        key = f"{event}:{review.pk}:{review.scheduled_at.isoformat()}"
        announce(event, team_id=review.team_id, key=key, subject=review)


# The columns an edit of the review may write. Status, versions, the meeting's state and the
# leads (moved by review_set_leads) are never written from the edit form.
EDITABLE_COLUMNS = frozenset(
    {
        "kind", "title", "severity", "time_zone",
        "event_started_at", "event_detected_at", "event_ended_at",
        "scheduled_at", "meeting_minutes", "accounts_due_at",
        "impact_users_affected", "impact_users_segment", "impact_duration", "impact_business",
        "lessons", "no_actions", "next_review_on",
    }
)  # fmt: skip


@transaction.atomic
def review_update(
    *,
    review: Review,
    changed: set[str],
    summary_version: int | None = None,
    pull_request: dict[str, Any] | None = None,
) -> None:
    """Save what an edit changed, naming its columns; a new meeting time sends the invited an
    updated invitation.

    The summary is also written in the meeting, so it goes through the same versioned save
    (`summary_save`): an edit made against an older summary raises Stale with the newer text,
    and nothing of the edit is written.
    """
    if "summary" in changed:
        summary_save(
            review=review,
            text=review.summary,
            version=summary_version if summary_version is not None else -1,
        )
    columns = sorted(changed & EDITABLE_COLUMNS)
    reschedule = bool(changed & SCHEDULE_FIELDS) and review.invitations_sent_at is not None
    if reschedule:
        review.ics_sequence += 1
        columns.append("ics_sequence")
    review.save(update_fields=[*columns, "updated_at"])
    if pull_request:
        PullRequestContext.objects.update_or_create(review=review, defaults=pull_request)
    if reschedule:
        for participant in review.participants.filter(invited_at__isnull=False).select_related(
            "user"
        ):
            queue_invitation(review, participant, NotificationKind.INVITATION_UPDATE)
    bump_review_version(review.pk)
    if "scheduled_at" in changed:
        announce_scheduled(review)


@transaction.atomic
def summary_save(*, review: Review, text: str, version: int) -> int:
    """Save the summary if `version` is the latest (or the text is already the same) and return
    the new version; otherwise raise Stale with the newer text."""
    updated = Review.objects.filter(pk=review.pk, summary_version=version).update(
        summary=text, summary_version=F("summary_version") + 1
    )
    fresh = Review.objects.values("summary", "summary_version").get(pk=review.pk)
    if not updated:
        if fresh["summary"] == text:
            return fresh["summary_version"]
        raise Stale(fresh["summary"], fresh["summary_version"])
    bump_review_version(review.pk)
    return fresh["summary_version"]


@transaction.atomic
def review_cancel(*, review: Review) -> None:
    review.status = ReviewStatus.CANCELLED
    review.ics_sequence += 1
    review.save(update_fields=["status", "ics_sequence", "updated_at"])
    for participant in review.participants.filter(invited_at__isnull=False).select_related("user"):
        queue_invitation(review, participant, NotificationKind.CANCELLATION)
    bump_review_version(review.pk)


@transaction.atomic
def pull_request_sections_save(*, review: Review, values: dict[str, str]) -> None:
    """The sections only a change has (PR_SECTIONS), as written on the review's page."""
    PullRequestContext.objects.update_or_create(
        review=review, defaults={"sections": {k: v for k, v in values.items() if v}}
    )
    bump_review_version(review.pk)
