"""Single sign-on with OpenID Connect, on mozilla-django-oidc.

The library does the protocol: state, nonce and PKCE (S256) kept in the session and checked
at the callback, the code exchanged for tokens, the ID token's signature verified against
the provider's JWKS. What is ours:

- the endpoints come from the issuer's discovery document, fetched when first needed (with a
  short timeout) and kept; a provider that is down or answers garbage raises
  `ProviderUnavailable`, which the pages turn into a sentence;
- the ID token's issuer, audience and expiry are checked too (the library checks only the
  signature and the nonce);
- who a person is: the stored (issuer, sub) once known, so an email changed at the provider
  never reaches another account; before that, an account with the same verified email; a new
  account only when the email's domain is allowed. Each refusal says why.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from reviews.auth import normalise_email
from reviews.models import SignInIdentity

logger = logging.getLogger("aar.sso")

DISCOVERY_CACHE_KEY = "sso:discovery"
DISCOVERY_SECONDS = 3600
DOWN_SECONDS = 30  # after a failure, the sign-in page does not ask again for this long
DISCOVERY_TIMEOUT = (2.0, 2.5)  # connect, read: the sign-in page answers within 5 s
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")

_down_until = 0.0
_lock = threading.Lock()


class ProviderUnavailable(Exception):
    """The provider cannot be used now; the message is for the person."""


class Refused(SuspiciousOperation):
    """A sign-in the rules do not allow; the message is for the person."""


def discovery() -> dict[str, Any]:
    """The provider's discovery document (kept for an hour), or ProviderUnavailable."""
    global _down_until
    if not settings.OIDC_ENABLED:
        raise ProviderUnavailable("Single sign-on is not configured.")
    kept = cache.get(DISCOVERY_CACHE_KEY)
    if isinstance(kept, dict) and _same_issuer(kept.get("issuer")):
        return kept
    if time.monotonic() < _down_until:
        raise ProviderUnavailable(_down_message())
    url = settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=DISCOVERY_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
        missing = [key for key in REQUIRED if not isinstance(document.get(key), str)]
        if missing:
            raise ValueError("no " + ", ".join(missing))
        if not _same_issuer(document.get("issuer")):
            raise ValueError(f"it names another issuer, {document.get('issuer')!r}")
    except (requests.RequestException, ValueError) as exc:
        logger.warning("sso discovery failed: %s", exc.__class__.__name__)
        with _lock:
            _down_until = time.monotonic() + DOWN_SECONDS
        raise ProviderUnavailable(_down_message()) from exc
    cache.set(DISCOVERY_CACHE_KEY, document, DISCOVERY_SECONDS)
    return document


def _same_issuer(issuer: object) -> bool:
    """The discovery document names the configured issuer (a final slash aside)."""
    return isinstance(issuer, str) and issuer.rstrip("/") == settings.OIDC_ISSUER.rstrip("/")


def _down_message() -> str:
    name = settings.OIDC_PROVIDER_NAME
    return (
        f"{name} is not answering properly right now, so signing in with {name} does not work. "
        "Try again in a minute; staff can sign in with their password."
    )


def forget_discovery() -> None:
    """For tests: ask the provider again next time."""
    global _down_until
    _down_until = 0.0
    cache.delete(DISCOVERY_CACHE_KEY)


def status() -> str | None:
    """None when the provider answers; otherwise what the sign-in page says about it."""
    try:
        discovery()
    except ProviderUnavailable as exc:
        return str(exc)
    return None


def end_session_url(id_token: str) -> str | None:
    """Where to send the browser to end the provider's session too, if it offers that."""
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_CLIENT_ID,
            "post_logout_redirect_uri": settings.SITE_URL + "/accounts/login/",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _refuse(request: Any, message: str) -> Refused:
    if request is not None:
        request.sso_refusal = message
    return Refused(message)


class SSOBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend with endpoints from discovery and our matching rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library's constructor reads the endpoints from settings; Django builds every
        # backend for every sign-in, passwords too, so nothing here may ask the provider.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.request = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return str(discovery()["token_endpoint"])

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return str(discovery()["userinfo_endpoint"])

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(discovery()["jwks_uri"])

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not settings.OIDC_ENABLED or request is None or "code" not in request.GET:
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The signature (by the provider's key, RS256 only), and the claims the library
        leaves: issuer, audience, expiry and issue time."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as exc:
            raise _refuse(self.request, "The provider's answer was not a valid token.") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise _refuse(self.request, "The provider signed the token in a way we do not accept.")
        try:
            return dict(
                jwt.decode(
                    payload,
                    key,
                    algorithms=[self.OIDC_RP_SIGN_ALGO],
                    audience=self.OIDC_RP_CLIENT_ID,
                    issuer=discovery()["issuer"],  # exactly as the provider writes it
                    options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                    leeway=30,
                )
            )
        except jwt.ExpiredSignatureError as exc:
            raise _refuse(
                self.request, "The sign-in from the provider had expired. Please sign in again."
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise _refuse(
                self.request, "The provider's token did not check out, so you are not signed in."
            ) from exc

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        info = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict):
            raise _refuse(self.request, "The provider's answer about you was not readable.")
        issuer, subject = str(payload.get("iss", "")), str(payload.get("sub", ""))
        if not subject or str(info.get("sub", subject)) != subject:
            raise _refuse(self.request, "The provider's answers about you did not match.")
        identity = (
            SignInIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            return self._known(identity)
        email = normalise_email(str(info.get("email") or ""))
        if not email or "@" not in email:
            raise _refuse(self.request, "The provider did not tell us your email address.")
        if info.get("email_verified") is not True:
            raise _refuse(
                self.request,
                f"The provider has not verified {email}, so it cannot sign you in here.",
            )
        users = self.UserModel._default_manager
        user = users.filter(email__iexact=email).first()
        if user is not None:
            if SignInIdentity.objects.filter(user=user, issuer=issuer).exists():
                raise _refuse(
                    self.request,
                    f"{email} belongs to an account that signs in as someone else at the "
                    "provider. Ask an administrator.",
                )
            if not user.is_active:
                raise _refuse(self.request, "This account is deactivated. Ask an administrator.")
            return self._link(user, issuer, subject, email)
        domain = email.rsplit("@", 1)[1]
        if domain not in settings.OIDC_ALLOWED_DOMAINS:
            raise _refuse(
                self.request,
                f"There is no account for {email}, and addresses at {domain} cannot create "
                "one. Ask an administrator to invite you.",
            )
        try:
            with transaction.atomic():
                user = users.create(
                    username=email,
                    email=email,
                    first_name=str(info.get("given_name") or "")[:150],
                    last_name=str(info.get("family_name") or "")[:150],
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                return self._link(user, issuer, subject, email)
        except IntegrityError as exc:  # a username taken by an account of another address
            raise _refuse(
                self.request, "An account could not be made for this address. Ask an administrator."
            ) from exc

    def _known(self, identity: SignInIdentity) -> Any:
        if not identity.user.is_active:
            raise _refuse(self.request, "This account is deactivated. Ask an administrator.")
        SignInIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
        return identity.user

    def _link(self, user: Any, issuer: str, subject: str, email: str) -> Any:
        try:
            with transaction.atomic():
                SignInIdentity.objects.create(
                    user=user,
                    issuer=issuer,
                    subject=subject,
                    email_at_link=email,
                    last_used_at=timezone.now(),
                )
        except IntegrityError as exc:  # the same person signing in twice at once
            raise _refuse(self.request, "Signing in did not complete; please try again.") from exc
        return user

    def get_user(self, user_id: Any) -> Any:
        """A deactivated person's session ends at their next request."""
        return self.UserModel._default_manager.filter(pk=user_id, is_active=True).first()
