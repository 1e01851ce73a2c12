"""Email is the login. Users invited by address alone sign in with links only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest


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
