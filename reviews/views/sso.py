"""Signing in through the OpenID Connect provider: the start (to the provider) and the
callback (back from it). mozilla-django-oidc's views do the protocol; these add the
provider's endpoints from discovery and a page that says what went wrong."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from reviews import sso

logger = logging.getLogger("aar.sso")


class StartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads the authorization endpoint here; ours comes from discovery.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.discovery()["authorization_endpoint"]
        except sso.ProviderUnavailable:
            return redirect("/accounts/login/?sso=down")
        response: HttpResponse = super().get(request)
        return response


def _failed(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(
        request,
        "reviews/sso_failed.html",
        {"message": message, "provider": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured")
        if request.GET.get("error"):
            super().get(request)  # forgets the state
            return _failed(
                request,
                f"{settings.OIDC_PROVIDER_NAME} did not sign you in "
                f"({request.GET.get('error', '')[:80]}).",
            )
        try:
            response: HttpResponse = super().get(request)
        except sso.Refused as exc:
            return _failed(request, str(exc), status=403)
        except SuspiciousOperation:
            # The state is not one this browser started: a tampered, replayed or stale link.
            return _failed(
                request,
                "This sign-in was not started from this browser, or was already used. "
                "Start again from the sign-in page.",
            )
        except sso.ProviderUnavailable as exc:
            return _failed(request, str(exc), status=503)
        except (requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("sso callback failed: %s", exc.__class__.__name__)
            return _failed(
                request,
                f"{settings.OIDC_PROVIDER_NAME} did not answer properly while signing you in. "
                "Try again in a minute; staff can sign in with their password.",
                status=502,
            )
        return response

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, "sso_refusal", None)
        if refusal:
            return _failed(self.request, refusal, status=403)
        return _failed(
            self.request,
            "Signing in did not complete. Start again from the sign-in page.",
        )


start = StartView.as_view()
callback = CallbackView.as_view()
