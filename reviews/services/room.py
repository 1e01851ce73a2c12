"""Running the room in the live meeting: the speaker queue, the ready check, one controlling
window for the facilitator, handing the facilitation over, and the passages of accounts the
facilitator keeps out of the reveal.

Each change bumps the review's version, so every open page follows it like any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from reviews.models import Account, Participant, Review, Role
from reviews.services.meeting import MeetingRefused
from reviews.services.people import review_set_leads
from reviews.versions import bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def window_of(session_key: str) -> str:
    """The digest that names one of the facilitator's sessions as the controlling one."""
    return salted_hmac("aar.meeting.controller", session_key).hexdigest()[:32]


@transaction.atomic
def controller_check(
    *, review: Review, window: str, take: bool = False, now: dt.datetime | None = None
) -> None:
    """Let this window use the controls: the first one used claims them; another window of the
    facilitator's is refused until it takes control (`take`), which the first one then shows."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.controller and locked.controller != window and not take:
        since = timezone.localtime(locked.controller_since) if locked.controller_since else None
        raise MeetingRefused(
            "Another window of yours runs the meeting"
            + (f" (since {since:%H:%M})" if since else "")
            + ": use “Take control here” to run it from this one."
        )
    if locked.controller != window:
        locked.controller = window
        locked.controller_since = now or timezone.now()
        locked.save(update_fields=["controller", "controller_since"])
        bump_review_version(review.pk)


def _participant(review: Review, user_id: int) -> Participant:
    participant = (
        Participant.objects.select_for_update().filter(review=review, user_id=user_id).first()
    )
    if participant is None:
        raise MeetingRefused("Only the people of the review take part in its meeting.")
    return participant


def _running(review: Review) -> Review:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if not locked.is_in_meeting:
        raise MeetingRefused("The meeting is not running.")
    return locked


@transaction.atomic
def hand_set(*, review: Review, user_id: int, raised: bool, now: dt.datetime | None = None) -> None:
    """Raise or lower one's hand; raising it again keeps its place in the queue."""
    _running(review)
    participant = _participant(review, user_id)
    wanted = (participant.hand_raised_at or now or timezone.now()) if raised else None
    if wanted != participant.hand_raised_at:
        participant.hand_raised_at = wanted
        fields = ["hand_raised_at"]
        if wanted is not None:
            participant.heard_at = wanted
            fields.append("heard_at")
        participant.save(update_fields=fields)
        bump_review_version(review.pk)


@transaction.atomic
def hand_lower(*, review: Review, participant_id: int | None) -> int:
    """The facilitator lowers one hand (or every hand, with None); how many went down."""
    _running(review)
    raised = Participant.objects.filter(review=review, hand_raised_at__isnull=False)
    if participant_id is not None:
        raised = raised.filter(pk=participant_id)
    lowered = raised.update(hand_raised_at=None)
    if lowered:
        bump_review_version(review.pk)
    return lowered


@transaction.atomic
def ready_ask(*, review: Review, now: dt.datetime | None = None) -> None:
    """ "Ready to move on?": a new check, which everyone answers afresh."""
    locked = _running(review)
    locked.ready_asked_at = now or timezone.now()
    locked.save(update_fields=["ready_asked_at"])
    bump_review_version(review.pk)


@transaction.atomic
def ready_close(*, review: Review) -> None:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.ready_asked_at is not None:
        locked.ready_asked_at = None
        locked.save(update_fields=["ready_asked_at"])
        bump_review_version(review.pk)


@transaction.atomic
def ready_set(*, review: Review, user_id: int, ready: bool, now: dt.datetime | None = None) -> None:
    locked = _running(review)
    if locked.ready_asked_at is None:
        raise MeetingRefused("The facilitator has not asked whether everyone is ready.")
    participant = _participant(review, user_id)
    answered = participant.ready_at is not None and participant.ready_at >= locked.ready_asked_at
    if ready != answered:
        participant.ready_at = (now or timezone.now()) if ready else None
        participant.save(update_fields=["ready_at"])
        bump_review_version(review.pk)


@transaction.atomic
def facilitation_hand_over(*, review: Review, to_user_id: int, actor: User) -> User:
    """Make a participant the facilitator (the old one stays as a participant); the controls
    are free again for the new facilitator's first window."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.is_after_meeting:
        raise MeetingRefused("The meeting is over.")
    to = (
        Participant.objects.select_related("user").filter(review=locked, user_id=to_user_id).first()
    )
    if to is None or to.role != Role.PARTICIPANT:
        raise MeetingRefused(
            "Hand the facilitation to a participant of the review (not the scribe or an observer)."
        )
    review_set_leads(review=locked, facilitator=to.user, scribe=locked.scribe, actor=actor)
    Review.objects.filter(pk=locked.pk).update(controller="", controller_since=None)
    bump_review_version(locked.pk)
    return to.user


# --- What the reveal shows of an account -------------------------------------------------

_PARAGRAPHS = re.compile(r"\n\s*\n")
WITHHELD_NOTE = "*(The facilitator kept a passage of this account out of the reveal.)*"


def paragraphs(body: str) -> list[str]:
    return [part.strip() for part in _PARAGRAPHS.split(body.strip()) if part.strip()]


def paragraph_digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


@dataclass
class Passage:
    text: str
    digest: str
    withheld: bool


@dataclass
class Moderated:
    """An account as the reveal shows it, and its passages for those who moderate."""

    passages: list[Passage] = field(default_factory=list)

    @property
    def any_withheld(self) -> bool:
        return any(p.withheld for p in self.passages)

    def revealed(self) -> str:
        """The body without the passages withheld (one note where they were)."""
        out: list[str] = []
        for passage in self.passages:
            if not passage.withheld:
                out.append(passage.text)
            elif not out or out[-1] != WITHHELD_NOTE:
                out.append(WITHHELD_NOTE)
        return "\n\n".join(out)


def moderated(account: Account) -> Moderated:
    withheld = set(account.withheld or [])
    return Moderated(
        [
            Passage(text, digest, digest in withheld)
            for text in paragraphs(account.body)
            for digest in [paragraph_digest(text)]
        ]
    )


@transaction.atomic
def account_withhold(*, account: Account, digest: str, withhold: bool) -> None:
    """Keep a passage out of the reveal (or let it back in), before the accounts are revealed."""
    locked = Account.objects.select_for_update().select_related("review").get(pk=account.pk)
    if locked.review.accounts_revealed_at is not None:
        raise MeetingRefused("The accounts are revealed already; nothing can be withheld now.")
    if digest not in {p.digest for p in moderated(locked).passages}:
        raise MeetingRefused("That passage is no longer in the account; reload the page.")
    withheld = [d for d in locked.withheld or [] if d != digest] + ([digest] if withhold else [])
    if withheld != locked.withheld:
        locked.withheld = withheld
        locked.save(update_fields=["withheld"])
        bump_review_version(locked.review_id)
