"""Work recorded before it is done: outbound emails, report export files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.models.reviews import Review

if TYPE_CHECKING:
    pass


class NotificationKind(models.TextChoices):
    """What an email is for; each kind has one renderer (reviews.emails, actions.emails),
    which a system check (reviews.checks) makes sure of."""

    INVITATION = "invitation", "Meeting invitation"
    INVITATION_UPDATE = "invitation_update", "Updated meeting invitation"
    CANCELLATION = "cancellation", "Meeting cancelled"
    ACCOUNT_REMINDER = "account_reminder", "Account reminder"
    REPORT_PUBLISHED = "report_published", "Report published"
    ACTION_ASSIGNED = "action_assigned", "Action assigned"
    ACTION_NUDGE = "action_nudge", "Action due soon"
    OVERDUE_DIGEST = "overdue_digest", "Overdue actions digest"
    ESCALATION_DIGEST = "escalation_digest", "Escalation to the delivery owner"
    LEADS_CHANGED = "leads_changed", "Facilitator or scribe changed"
    SIGN_IN_LINK = "sign_in_link", "Sign-in link"
    ORG_INVITE = "org_invite", "Invitation to the organisation"
    STAKEHOLDER_TEST = "stakeholder_test", "Test of a team's stakeholder addresses"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def pending(self) -> NotificationQuerySet:
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True)


class Notification(models.Model):
    """One email to one person, recorded before it is sent, so it is sent once.

    `key` names what the email is for (an invitation at one calendar sequence, a reminder of
    one account, one owner's digest of one day). A second attempt to create the same key
    finds the row and does nothing; a worker claims a row with a conditional update before
    it sends, and marks it sent after. The message is rendered when it is sent (sign-in
    tokens are never stored).
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    email = models.EmailField()
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="reviews_notification_pending",
            ),
            models.Index(fields=["kind", "review"], name="reviews_notification_kind_rev"),
        ]

    def __str__(self) -> str:
        return self.key


class ExportFormat(models.TextChoices):
    MARKDOWN = "md", "Markdown"
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportExportQuerySet(models.QuerySet["ReportExport"]):
    def pending(self) -> ReportExportQuerySet:
        return self.filter(status=ExportStatus.PENDING)


class ReportExport(models.Model):
    """One file of one published version of a report; made once, whatever runs twice."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exports")
    report_version = models.PositiveIntegerField()
    file_format = models.CharField(max_length=10, choices=ExportFormat.choices)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-report_version", "file_format"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "report_version", "file_format"],
                name="%(app_label)s_%(class)s_once_per_version",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="reviews_export_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review} v{self.report_version} {self.file_format}"
