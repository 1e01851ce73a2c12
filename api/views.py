"""The person's API tokens, on their settings page: make one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from api.forms import TokenForm
from api.models import ApiToken, Scope
from api.tokens import token_create, token_revoke


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row, token = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=Scope.WRITE if form.cleaned_data["write"] else Scope.READ,
            days=form.cleaned_data["days"],
        )
        # The only time the token is shown: the page is never cached or kept in history.
        return render(
            request,
            "api/token_created.html",
            {
                "row": row,
                "token": token,
                "nav": "actions",
                "no_history": True,
                "schema_url": request.build_absolute_uri(reverse("api:openapi-json")),
            },
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "api/token_new.html", {"form": form, "nav": "actions"}, status=status)


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not ApiToken.objects.of(request.user).filter(pk=pk).exists():
        raise Http404("No such token")
    if token_revoke(user=request.user, pk=pk):
        messages.success(request, "The token is revoked: it no longer works.")
    else:
        messages.info(request, "That token was revoked already.")
    return redirect(reverse("actions:settings") + "#api-tokens")
