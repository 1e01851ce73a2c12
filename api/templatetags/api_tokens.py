"""The settings page's "API tokens" section: `{% api_tokens_section %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from api.forms import TokenForm
from api.models import ApiToken

register = template.Library()


@register.inclusion_tag("api/partials/_tokens.html", takes_context=True)
def api_tokens_section(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    now = timezone.now()
    tokens = list(ApiToken.objects.of(request.user)[:50])
    for token in tokens:
        token.shown_state = token.state(now)  # type: ignore[attr-defined]
    return {"tokens": tokens, "form": TokenForm(), "csrf_token": context.get("csrf_token")}
