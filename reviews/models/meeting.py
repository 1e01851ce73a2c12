"""The live meeting: the agenda and its clock, participants' suggestions, private notes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.models.reviews import Review

if TYPE_CHECKING:
    pass


class Phase(models.TextChoices):
    SUMMARY = "summary", "Summary"
    TIMELINE = "timeline", "Timeline"
    ROOT_CAUSE = "root_cause", "Root cause"
    CONTRIBUTING_FACTORS = "contributing_factors", "Contributing factors"
    WENT_WELL = "went_well", "What went well"
    ACTION_ITEMS = "action_items", "Action items"


DEFAULT_AGENDA: list[tuple[str, int]] = [
    (Phase.SUMMARY, 5),
    (Phase.TIMELINE, 25),
    (Phase.ROOT_CAUSE, 20),
    (Phase.CONTRIBUTING_FACTORS, 10),
    (Phase.WENT_WELL, 10),
    (Phase.ACTION_ITEMS, 10),
]


class AgendaPhase(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agenda")
    phase = models.CharField(max_length=30, choices=Phase.choices)
    position = models.PositiveSmallIntegerField()
    planned_minutes = models.PositiveSmallIntegerField()
    extended_minutes = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    # Time spent in closed stretches of this phase, and the start of the running stretch.
    spent_seconds = models.PositiveIntegerField(default=0)
    segment_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "phase"], name="%(app_label)s_%(class)s_one_per_phase"
            ),
            models.UniqueConstraint(
                fields=["review", "position"], name="%(app_label)s_%(class)s_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gt=0),
                name="%(app_label)s_%(class)s_planned_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} ({self.planned_minutes} min)"

    @property
    def is_current(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    def elapsed_seconds(self, now: dt.datetime) -> int:
        running = (now - self.segment_started_at).total_seconds() if self.segment_started_at else 0
        return self.spent_seconds + max(0, int(running))

    def allowed_seconds(self) -> int:
        return (self.planned_minutes + self.extended_minutes) * 60

    def remaining_seconds(self, now: dt.datetime) -> int:
        """Negative once the phase runs over."""
        return self.allowed_seconds() - self.elapsed_seconds(now)


# --- The meeting -------------------------------------------------------------------------


class SuggestionKind(models.TextChoices):
    SUMMARY = "summary", "Summary"
    ENTRY = "entry", "Timeline entry"
    WHY = "why", "Why"
    CAUSAL = "causal", "Causal factor"
    FACTOR = "factor", "Contributing factor"
    WENT_WELL = "went_well", "What went well"
    ACTION = "action", "Action"


def suggestion_kind_for(phase: str, root_cause_method: str = "") -> str:
    """What a suggestion made in this phase is: it is filed under the phase it was made in
    (in the root-cause phase, under the review's method)."""
    if phase == Phase.ROOT_CAUSE:
        return SuggestionKind.CAUSAL if root_cause_method == "causal_chain" else SuggestionKind.WHY
    return {
        Phase.SUMMARY: SuggestionKind.SUMMARY,
        Phase.TIMELINE: SuggestionKind.ENTRY,
        Phase.CONTRIBUTING_FACTORS: SuggestionKind.FACTOR,
        Phase.WENT_WELL: SuggestionKind.WENT_WELL,
        Phase.ACTION_ITEMS: SuggestionKind.ACTION,
    }[Phase(phase)]


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Suggestion(models.Model):
    """A participant's proposal in the meeting; the scribe or facilitator accepts or declines it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(max_length=20, choices=SuggestionKind.choices)
    text = models.TextField()
    payload = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["review", "status"], name="reviews_suggestion_rev_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class MeetingNotes(models.Model):
    """The facilitator's private notes: never shown to anyone else, never exported."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "author"], name="%(app_label)s_%(class)s_one_per_author"
            )
        ]

    def __str__(self) -> str:
        return f"Notes of {self.author} on {self.review}"


class MeetingUndo(models.Model):
    """What the last delete in a review's meeting removed (the item and whatever went with
    it, serialised), so it can be put back until the next change to the review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="meeting_undo")
    label = models.CharField(max_length=300)
    snapshot = models.TextField()
    version_after = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Undo of {self.label}"
