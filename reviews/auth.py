"""Signing in: email is the login; sign-in links by purpose (scope); people invited by address
alone sign in with links only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse
from sesame.utils import get_query_string, get_user

from aar_project.mail import absolute, build_message


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


def user_for_token(token: str, *, consume: bool) -> Any:
    """The user a token signs in, trying each purpose a sign-in token may have."""
    if not token or len(token) > 500:
        return None
    for scope, max_age in ((SIGN_IN_SCOPE, None), (INVITE_SCOPE, INVITE_MAX_AGE)):
        user = get_user(token, scope=scope, max_age=max_age, update_last_login=consume)
        if user is not None:
            return user
    return None
