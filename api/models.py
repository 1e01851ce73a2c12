"""Personal access tokens: what a script or a bot presents to the API instead of a session.

Only a SHA-256 digest of a token is stored; the token itself is shown once, when it is made.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from aar_project.typing import AnyUser


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def of(self, user: AnyUser) -> ApiTokenQuerySet:
        return self.filter(user_id=user.pk) if user.is_authenticated else self.none()

    def usable(self, now: dt.datetime) -> ApiTokenQuerySet:
        """Not revoked and not expired."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # SHA-256 of the whole token, in hex; the token is looked up by it.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters after its prefix, shown in the list to tell tokens apart.
    hint = models.CharField(max_length=12, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="%(app_label)s_%(class)s_expires_after_creation",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="%(app_label)s_%(class)s_user_made"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE

    def state(self, now: dt.datetime) -> str:
        """ "active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


# --- Outgoing webhooks ----------------------------------------------------------------------


class Kind(models.TextChoices):
    SIGNED = "aar", "Signed JSON (any receiver)"
    SLACK = "slack", "Slack channel"
    MATTERMOST = "mattermost", "Mattermost channel"
    TEAMS = "teams", "Microsoft Teams channel"


class Webhook(models.Model):
    """A team's receiver: AAR posts the events it asked for, signed with its secret."""

    team = models.ForeignKey("reviews.Team", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    # What listens: AAR's signed JSON, or a chat tool's incoming webhook (api.chat).
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SIGNED)
    # The receiver checks X-AAR-Signature with it, so it is kept as it is (shown to the team's
    # delivery owner on the webhook's page).
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list, help_text="The event names wanted.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["team", "active"], name="%(app_label)s_%(class)s_team")]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.active and event in self.events

    @property
    def is_chat(self) -> bool:
        return self.kind != Kind.SIGNED


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def pending(self) -> WebhookDeliveryQuerySet:
        return self.filter(delivered_at__isnull=True, gave_up_at__isnull=True)

    def due(self, now: dt.datetime) -> WebhookDeliveryQuerySet:
        """Pending, its next attempt due, and held by no worker."""
        return (
            self.pending()
            .filter(next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        )


class WebhookDelivery(models.Model):
    """One event for one webhook: recorded with the change, sent by a worker until a 2xx (and
    never after one), retried with backoff on timeouts and 5xx for a day."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # What the change was ("action.closed:12:4"): one delivery per change and webhook.
    key = models.CharField(max_length=200)
    delivery_id = models.UUIDField(unique=True, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "key"], name="%(app_label)s_%(class)s_once_per_change"
            ),
        ]
        indexes = [
            # The sweeper's question: pending deliveries whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True, gave_up_at__isnull=True),
                name="api_delivery_pending_due",
            ),
            models.Index(fields=["webhook", "created_at"], name="%(app_label)s_%(class)s_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id}"

    @property
    def state(self) -> str:
        if self.delivered_at:
            return "delivered"
        if self.gave_up_at:
            return "failed"
        return "pending"
