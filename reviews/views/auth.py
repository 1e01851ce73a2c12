"""Sign in with a password or an emailed link; sign out.

A link opens a confirmation page (GET changes nothing, so mail scanners that prefetch links
cannot use it up); only the POST signs in. The token never reaches a redirect target or a log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import login, logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from aar_project.ratelimit import (
    client_ip,
    failure_recorded,
    failures_forgotten,
    is_limited,
    wait_seconds,
)
from aar_project.typing import HtmxHttpRequest
from reviews import sso
from reviews.auth import normalise_email, user_for_token
from reviews.forms import LinkRequestForm, SignInForm
from reviews.services.sign_in import sign_in_link_request


def safe_next(request: HtmxHttpRequest, candidate: str | None) -> str:
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _limited(request: HtmxHttpRequest, scope: str, email: str) -> bool:
    limit, window = settings.SIGN_IN_RATE_LIMIT
    by_ip = is_limited(f"{scope}:ip", client_ip(request), limit=limit * 3, window=window)
    by_email = is_limited(f"{scope}:email", normalise_email(email), limit=limit, window=window)
    return by_ip or by_email


def _ip_limited(request: HtmxHttpRequest, scope: str) -> bool:
    limit, window = settings.SIGN_IN_RATE_LIMIT
    return is_limited(f"{scope}:ip", client_ip(request), limit=limit * 3, window=window)


@require_http_methods(["GET", "POST"])
def sign_in(request: HtmxHttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = normalise_email(form.cleaned_data["email"])
        limit, window = settings.SIGN_IN_RATE_LIMIT
        wait = wait_seconds(f"password:{email}", limit=limit)
        if _ip_limited(request, "password"):
            form.add_error(
                None, "Too many attempts from here. Wait a few minutes, or ask for a sign-in link."
            )
            status = 429
        elif wait:
            # Slowed, not locked: after the wait the right password still signs in.
            form.add_error(
                None,
                f"Several wrong passwords for this address: wait {wait} seconds before the next "
                "try, or ask for a sign-in link.",
            )
            status = 429
        else:
            user = django_authenticate(request, email=email, password=form.cleaned_data["password"])
            if settings.OIDC_ONLY and (user is None or not user.is_staff):
                # One answer for a wrong password and a right one that is not staff's, or the
                # page would tell which passwords are right.
                failure_recorded(f"password:{email}", window=window)
                form.add_error(
                    None,
                    f"Sign in with {settings.OIDC_PROVIDER_NAME}: passwords are for staff only "
                    "(or the email and password do not match a staff account).",
                )
                status = 403
            elif user is None:
                failure_recorded(f"password:{email}", window=window)
                form.add_error(None, "That email and password do not match an account.")
                status = 400
            else:
                failures_forgotten(f"password:{email}")
                login(request, user, backend="reviews.auth.EmailBackend")
                return redirect(safe_next(request, next_url))
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "next": next_url,
        "link_form": LinkRequestForm(initial={"next": next_url}),
        "sso_enabled": settings.OIDC_ENABLED,
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "sso_problem": sso.status() if settings.OIDC_ENABLED else None,
        # OIDC_ONLY hides the password form but for staff, who open it as a break-glass.
        "shows_password": not settings.OIDC_ONLY
        or request.method == "POST"
        or request.GET.get("staff") == "1",
    }
    return render(request, "reviews/sign_in.html", context, status=status)


@require_http_methods(["GET", "POST"])
def link_request(request: HtmxHttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        email = normalise_email(form.cleaned_data["email"])
        if _limited(request, "link", email):
            form.add_error(None, "Too many links asked for. Wait a few minutes and try again.")
            return render(request, "reviews/link_request.html", {"form": form}, status=429)
        next_url = form.cleaned_data["next"]
        if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts=None
        ):
            next_url = ""
        sign_in_link_request(email=email, next_url=next_url)
        # The same answer whether or not the address has an account.
        return render(request, "reviews/link_sent.html", {"email": email})
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/link_request.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def link_open(request: HtmxHttpRequest) -> HttpResponse:
    token = request.POST.get("t", "") if request.method == "POST" else request.GET.get("t", "")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and _ip_limited(request, "link-open"):
        return render(request, "reviews/link_invalid.html", {"limited": True}, status=429)
    user = user_for_token(token, consume=request.method == "POST")
    if user is not None and request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(safe_next(request, next_url))  # signed in as them already
    if user is None:
        return render(request, "reviews/link_invalid.html", status=400)
    if request.method == "GET":
        return render(
            request,
            "reviews/link_confirm.html",
            {"token": token, "next": next_url, "link_user": user},
        )
    login(request, user, backend="sesame.backends.ModelBackend")  # updates last_login: one use
    return redirect(safe_next(request, next_url))


@require_POST
def sign_out(request: HtmxHttpRequest) -> HttpResponse:
    """Ends the session here, and the provider's too when the person signed in through it and
    it offers an end-session endpoint."""
    id_token = request.session.get("oidc_id_token")
    logout(request)
    if id_token and settings.OIDC_ENABLED:
        provider_sign_out = sso.end_session_url(str(id_token))
        if provider_sign_out:
            return HttpResponseRedirect(provider_sign_out)
    return redirect("login")


@require_http_methods(["GET", "POST"])
def admin_sign_in(request: HtmxHttpRequest) -> HttpResponse:
    """The admin's own sign-in page is not used: staff sign in here, under the same limits."""
    next_url = request.GET.get("next") or "/admin/"
    return redirect(f"{resolve_url('login')}?{urlencode({'next': safe_next(request, next_url)})}")
