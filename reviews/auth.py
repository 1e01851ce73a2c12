"""Signing in: email is the login; sign-in links by purpose (scope); people invited by address
alone sign in with links only."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_query_string, get_user

from aar_project.mail import absolute, build_message
from reviews.models import InvitationLink, Participant


def normalise_email(email: str) -> str:
    return email.strip().lower()


class EmailBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        username: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        email = email or username  # the admin's login form calls it username
        if not email or not password:
            return None
        user_model = get_user_model()
        user = user_model._default_manager.filter(email__iexact=normalise_email(email)).first()
        if user is None:
            # Spend the same time as a real check, so timing does not reveal who exists.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


SIGN_IN_SCOPE = "sign-in"


INVITE_SCOPE = "invite"


INVITE_MAX_AGE = dt.timedelta(days=30)


INVITATION_PREFIX = "inv-"  # a token that starts so is looked up among the stored links first


def sign_in_link_message(
    *, user: Any, next_url: str = "", scope: str = SIGN_IN_SCOPE
) -> EmailMultiAlternatives:
    """The sign-in link email, with a fresh token (made when it is sent, never stored)."""
    link = absolute(reverse("link_open")) + get_query_string(user, scope=scope)
    if next_url:
        link += "&" + urlencode({"next": next_url})
    return build_message(
        to=[user.email],
        subject="Your AAR sign-in link",
        template="sign_in_link",
        context={"link": link, "minutes": settings.SESAME_MAX_AGE // 60},
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(participant: Participant, next_path: str) -> str:
    """A link for this person to this review that keeps working until the meeting ends (a
    fresh token; only its digest is stored)."""
    token = INVITATION_PREFIX + secrets.token_urlsafe(32)
    InvitationLink.objects.create(participant=participant, digest=_digest(token))
    return absolute(reverse("link_open")) + "?" + urlencode({"t": token, "next": next_path})


def _invitation(token: str) -> InvitationLink | None:
    """The stored invitation link this token is, while it may still be used: the person is
    still in the review and active, the meeting has not ended, and it is not too old."""
    link = (
        InvitationLink.objects.select_related("participant__user", "participant__review")
        .filter(digest=_digest(token), created_at__gte=timezone.now() - INVITE_MAX_AGE)
        .first()
    )
    if link is None:
        return None
    review = link.participant.review
    if not (review.is_before_meeting or review.is_in_meeting):
        return None
    if not link.participant.user.is_active:
        return None
    return link


def user_for_token(token: str, *, consume: bool) -> Any:
    """The user a token signs in: an invitation's link (which stays valid; `consume` records
    its use), or a one-time sign-in link (which `consume` uses up)."""
    if not token or len(token) > 500:
        return None
    link = _invitation(token) if token.startswith(INVITATION_PREFIX) else None
    if link is not None:
        if consume:
            InvitationLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        return link.participant.user
    for scope, max_age in ((SIGN_IN_SCOPE, None), (INVITE_SCOPE, INVITE_MAX_AGE)):
        user = get_user(token, scope=scope, max_age=max_age, update_last_login=consume)
        if user is not None:
            return user
    return None
