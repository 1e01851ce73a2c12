"""The person's API tokens, on their settings page (make one, shown once; revoke one), and a
team's webhooks with their delivery log, for its delivery owner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from api.forms import TokenForm, WebhookForm
from api.models import ApiToken, Scope, Webhook
from api.tokens import token_create, token_revoke
from api.webhooks import delivery_resend, new_secret, webhook_create
from reviews.access import get_team_for
from reviews.models import Team


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


# --- A team's webhooks: its delivery owner (and staff) ---------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for(request.user, slug)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hook = webhook_create(team=team, actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            "Channel added: it hears of the events you chose."
            if hook.is_chat
            else "Webhook added. Give its secret to the receiver to check signatures.",
        )
        return redirect("webhooks:detail", team.slug, hook.pk)
    status = 400 if request.method == "POST" else 200
    hooks = list(team.webhooks.all())
    return render(
        request,
        "api/webhooks.html",
        {"team": team, "hooks": hooks, "form": form, "nav": "actions"},
        status=status,
    )


def _hook_of(team: Team, pk: int) -> Webhook:
    hook = team.webhooks.filter(pk=pk).first()
    if hook is None:
        raise Http404("No such webhook")
    return hook


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_team_for(request.user, slug)
    hook = _hook_of(team, pk)
    if request.method == "POST":
        action = request.POST.get("do")
        if action == "delete":
            hook.delete()
            messages.success(request, "Webhook deleted; nothing more is sent to it.")
            return redirect("webhooks:list", team.slug)
        if action in ("pause", "resume"):
            hook.active = action == "resume"
            hook.save(update_fields=["active"])
            messages.success(
                request, "Webhook switched on." if hook.active else "Webhook switched off."
            )
            return redirect("webhooks:detail", team.slug, hook.pk)
        if action == "secret":
            hook.secret = new_secret()
            hook.save(update_fields=["secret"])
            messages.success(request, "New secret: the old one no longer signs anything.")
            return redirect("webhooks:detail", team.slug, hook.pk)
        messages.error(request, "Nothing was changed: unknown request.")
        return redirect("webhooks:detail", team.slug, hook.pk)
    deliveries = list(hook.deliveries.order_by("-created_at", "-pk")[:50])
    return render(
        request,
        "api/webhook_detail.html",
        {
            "team": team,
            "hook": hook,
            "deliveries": deliveries,
            "nav": "actions",
            "no_history": True,
        },
    )


@login_required
@require_POST
def webhook_resend(
    request: AuthenticatedHttpRequest, slug: str, pk: int, delivery: int
) -> HttpResponse:
    team = get_team_for(request.user, slug)
    hook = _hook_of(team, pk)
    row = hook.deliveries.filter(pk=delivery).first()
    if row is None:
        raise Http404("No such delivery")
    with transaction.atomic():
        delivery_resend(delivery=row)
    messages.success(request, f"{row.event} is sent again, as a new delivery.")
    return redirect("webhooks:detail", team.slug, hook.pk)
