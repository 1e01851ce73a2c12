"""The timeline of a review, and uploaded timeline files waiting for confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.models.people import Account
from reviews.models.reviews import Review

if TYPE_CHECKING:
    pass


class EntryKind(models.TextChoices):
    DETECTION = "detection", "Detection"
    ACKNOWLEDGMENT = "acknowledgment", "Acknowledgment"
    SEVERITY_ASSESSED = "severity_assessed", "Severity assessed"
    INVESTIGATION = "investigation", "Investigation"
    MITIGATION = "mitigation", "Mitigation"
    COMMUNICATION = "communication", "Communication"
    RESOLUTION = "resolution", "Resolution"
    DECISION = "decision", "Decision"
    MILESTONE = "milestone", "Milestone"
    PIVOT = "pivot", "Pivot"
    OTHER = "other", "Other"


class EntrySource(models.TextChoices):
    LOG = "log", "Log"
    CHAT = "chat", "Chat"
    TICKET = "ticket", "Ticket"
    ACCOUNT = "account", "Account"
    MEETING = "meeting", "Meeting"


class TimelineEntryQuerySet(models.QuerySet["TimelineEntry"]):
    def in_order(self) -> TimelineEntryQuerySet:
        return self.order_by("occurred_at", "pk")


class TimelineEntry(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="timeline_entries")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices, default=EntryKind.OTHER)
    description = models.TextField()
    source = models.CharField(max_length=10, choices=EntrySource.choices, blank=True)
    source_ref = models.CharField(max_length=500, blank=True)
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoted_entries",
    )
    disputed = models.BooleanField(default=False)
    dispute_note = models.TextField(blank=True)
    correction = models.TextField(blank=True)
    import_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["review", "occurred_at"], name="%(app_label)s_%(class)s_rev_time")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "import_key"],
                condition=~Q(import_key=""),
                name="%(app_label)s_%(class)s_import_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.description[:40]}"


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"
    SLACK = "slack", "Slack export"
    LINES = "lines", "Chat or log lines"


class TimelineImport(models.Model):
    """An uploaded file waiting for its preview to be confirmed (all or nothing)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="imports")
    file_format = models.CharField(max_length=10, choices=ImportFormat.choices)
    filename = models.CharField(max_length=200)
    # What the upload was read into, kept until it is confirmed: the rows (with the kinds the
    # facilitator set in the preview), the rows in error, the skipped counts and the notes.
    rows = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    skipped_counts = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.filename
