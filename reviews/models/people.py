"""The people of a review (with their role) and their sealed written accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models.reviews import Review

if TYPE_CHECKING:
    pass


class Role(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    SCRIBE = "scribe", "Scribe"
    PARTICIPANT = "participant", "Participant"
    OBSERVER = "observer", "Observer"


def writes_account(role: str) -> bool:
    """Whether someone of this role is expected to write an account: the participants (not
    the facilitator and the scribe, who run the review, nor observers)."""
    return role == Role.PARTICIPANT


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def writers(self) -> ParticipantQuerySet:
        """Those expected to write an account (writes_account)."""
        return self.filter(role=Role.PARTICIPANT)


class Participant(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    invited_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    # A lead reads the sealed accounts before the reveal only with this: leads named while the
    # review is set up have it; one named later by anyone but the facilitator waits for the
    # facilitator's consent (or for the reveal), so nobody can appoint themselves to read.
    reads_sealed = models.BooleanField(default=True)
    # The room, in the meeting: a raised hand waits in the speaker queue (oldest first) until
    # its owner or the facilitator lowers it; `ready_at` answers the facilitator's ready check
    # (it counts when it is later than the review's `ready_asked_at`).
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    # When they last raised a hand: once heard, lowering it (theirs or the facilitator's
    # doing) does not make them "not heard from" again in that phase.
    heard_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["role", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"], name="%(app_label)s_%(class)s_one_row_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class InvitationLink(models.Model):
    """The link in a person's invitation (and account reminder) to one review: it keeps
    working, for that person and that review, until the meeting ends, unlike an ordinary
    sign-in link, which works once. Only a digest of the token is kept; removing the person
    from the review revokes it (the row goes with the participant)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="invitation_links"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation link for {self.participant}"


class Account(models.Model):
    """A participant's written account. Sealed until the facilitator reveals the accounts."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="accounts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="accounts")
    body = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # Paragraphs the facilitator keeps out of the reveal (their digests, so an edit of the
    # paragraph brings it back for another look); the author is told which.
    withheld = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], name="%(app_label)s_%(class)s_one_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"Account of {self.participant.user}"
