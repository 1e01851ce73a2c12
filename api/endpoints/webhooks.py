"""A team's webhooks through the API, for its delivery owner (and staff): list, add, delete.

The team comes from `owned_teams_for` (anyone else: 404) and a new webhook is checked by the
form of the team's webhook page (the same address rule).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from api.auth import read_token, write_token
from api.errors import InvalidInput
from api.forms import WebhookForm
from api.models import Webhook
from api.schemas import ERRORS, WebhookCreated, WebhookIn, WebhookOut
from api.webhooks import webhook_create
from reviews.access import get_team_for

router = Router(tags=["webhooks"])


def webhook_out(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.pk,
        "kind": hook.kind,
        "url": hook.url,
        "events": hook.events,
        "active": hook.active,
        "created_at": hook.created_at,
    }


@router.get(
    "/teams/{team}/webhooks/",
    response={200: list[WebhookOut], **ERRORS},
    auth=read_token,
    url_name="webhooks",
    summary="A team's webhooks (its delivery owner)",
)
def webhook_list(request: HttpRequest, team: str) -> list[dict[str, Any]]:
    return [webhook_out(hook) for hook in get_team_for(request.user, team).webhooks.all()]


@router.post(
    "/teams/{team}/webhooks/",
    response={201: WebhookCreated, **ERRORS},
    auth=write_token,
    summary="Add a webhook to a team",
)
def webhook_add(request: HttpRequest, team: str, payload: WebhookIn) -> Status[dict[str, Any]]:
    """The answer holds the secret that signs the deliveries (see the README's Webhooks)."""
    found = get_team_for(request.user, team)
    form = WebhookForm(
        {"kind": payload.kind, "url": payload.url, "events": [str(e) for e in payload.events]}
    )
    if not form.is_valid():
        raise InvalidInput({k: [str(m) for m in v] for k, v in form.errors.items()})
    hook = webhook_create(team=found, actor=request.user, **form.cleaned_data)
    return Status(201, {**webhook_out(hook), "secret": hook.secret})


@router.delete(
    "/teams/{team}/webhooks/{webhook_id}/",
    response={204: None, **ERRORS},
    auth=write_token,
    url_name="webhook",
    summary="Delete a team's webhook",
)
def webhook_delete(request: HttpRequest, team: str, webhook_id: int) -> Status[None]:
    hook = get_team_for(request.user, team).webhooks.filter(pk=webhook_id).first()
    if hook is None:
        raise Http404("No such webhook")
    hook.delete()
    return Status(204, None)
