"""Asking for a sign-in link: recorded in the outbox and sent after the answer."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from reviews.auth import normalise_email
from reviews.models import Notification, NotificationKind
from reviews.notify import notification_queue


def sign_in_link_request(*, email: str, next_url: str = "") -> None:
    """Queue a sign-in link for this address if an active account has it.

    The answer to the person is the same either way, and so is the work done in the request
    (one write or one read of the outbox): nothing tells whether the address has an account,
    and a mail server that is down is the worker's problem, never the page's.
    """
    email = normalise_email(email)
    user = get_user_model()._default_manager.filter(email__iexact=email, is_active=True).first()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    if user is None:
        Notification.objects.filter(key=f"sign-in:{email}:{stamp}").exists()
        return
    notification_queue(
        key=f"sign-in:{user.pk}:{stamp}",
        kind=NotificationKind.SIGN_IN_LINK,
        email=user.email,
        recipient=user,
        payload={"next": next_url},
    )
