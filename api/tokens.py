"""Making, revoking and checking personal access tokens.

A token is `aar_` and 43 URL-safe characters (256 random bits). Only its SHA-256 digest is
kept, so a copy of the database holds no usable token; the prefix lets secret scanners and
people recognise one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PREFIX = "aar_"
# How long a token lives unless its maker asks otherwise, and the choices offered.
DEFAULT_DAYS = 90
DAY_CHOICES = (7, 30, 90, 365)
# last_used_at is written at most this often per token: not a write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


class TokenRejected(Exception):
    """The token is unknown, expired or revoked, or its person can no longer sign in."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, scope: str = Scope.READ, days: int | None = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the token itself (shown once, never stored)."""
    if scope not in Scope.values:
        raise ValueError(f"unknown scope {scope!r}")
    secret = secrets.token_urlsafe(32)
    token = PREFIX + secret
    now = timezone.now()
    row = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "API token",
        digest=token_digest(token),
        hint=secret[:6],
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days else None,
    )
    return row, token


def token_revoke(*, user: User, pk: int) -> bool:
    """Revoke one of `user`'s own tokens; False if there is no such token still active."""
    revoked = ApiToken.objects.filter(pk=pk, user_id=user.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return bool(revoked)


def token_authenticate(token: str, now: dt.datetime | None = None) -> ApiToken:
    """The token's row, with its person, if it may be used now; otherwise TokenRejected."""
    now = now or timezone.now()
    if not token.startswith(PREFIX) or len(token) > 100:
        raise TokenRejected("This is not an AAR token.")
    row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    if row is None:
        raise TokenRejected("Unknown token.")
    state = row.state(now)
    if state != "active":
        raise TokenRejected(f"This token is {state}.")
    if not row.user.is_active:
        raise TokenRejected("This token's person can no longer sign in.")
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row
