"""Exactly-once email: a Notification row per (purpose, person), claimed before sending."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from aar_project.tasks import enqueue_on_commit
from reviews.models import Notification, NotificationKind, Review

logger = logging.getLogger(__name__)

Renderer = Callable[[Notification], EmailMultiAlternatives]
RENDERERS: dict[str, Renderer] = {}
MAX_ATTEMPTS = 8


class TransientSendError(Exception):
    """The mail server did not take the message; the row stays pending for a retry."""


def renderer(kind: NotificationKind) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return register


def notification_queue(
    *,
    key: str,
    kind: NotificationKind,
    email: str,
    recipient: Any = None,
    review: Review | None = None,
    payload: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> Notification | None:
    """Record one email to send; None if one with this key was recorded before."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key[:200],
                kind=kind,
                email=email,
                recipient=recipient,
                review=review,
                payload=payload or {},
            )
    except IntegrityError:
        return None
    if enqueue:
        enqueue_on_commit("reviews.tasks.deliver_notification", notification.pk)
    return notification


def _claim(notification_id: int, now: dt.datetime) -> bool:
    return bool(
        Notification.objects.pending()
        .filter(pk=notification_id)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )


def notification_deliver(notification_id: int) -> bool:
    """Send one pending notification if nobody else holds it. True when this call sent it."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return False
    notification = Notification.objects.select_related("recipient", "review").get(
        pk=notification_id
    )
    message = RENDERERS[notification.kind](notification)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        gave_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            claimed_until=None,
            last_error=str(exc)[:2000],
            gave_up_at=timezone.now() if gave_up else None,
        )
        if gave_up:
            logger.error(
                "gave up on notification %s after %s attempts", notification.key, MAX_ATTEMPTS
            )
            return False
        raise TransientSendError(str(exc)) from exc
    Notification.objects.filter(pk=notification_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def notifications_pending_ids(*, older_than: dt.timedelta, limit: int = 500) -> list[int]:
    """Rows nobody holds that waited longer than a normal delivery would take."""
    now = timezone.now()
    return list(
        Notification.objects.pending()
        .filter(created_at__lt=now - older_than)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)[:limit]
    )
