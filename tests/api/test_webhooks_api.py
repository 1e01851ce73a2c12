"""A team's webhooks through the API: its delivery owner only, the page's address rule."""

from __future__ import annotations

import pytest

from api.models import Webhook
from tests.api.conftest import token_for
from tests.factories import WebhookFactory

pytestmark = pytest.mark.django_db


def hooks(team) -> str:
    return f"/api/v1/teams/{team.slug}/webhooks/"


def test_the_delivery_owner_adds_lists_and_deletes_a_webhook(api, cast, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    token = token_for(cast.owner)
    made = api(
        "POST",
        hooks(cast.team),
        token,
        {"url": "http://127.0.0.1:9/aar", "events": ["action.closed"]},
    )
    assert made.status_code == 201, made.content
    hook = Webhook.objects.get()
    assert made.json()["secret"] == hook.secret and (hook.team, hook.created_by) == (
        cast.team,
        cast.owner,
    )
    listed = api("GET", hooks(cast.team), token).json()
    assert [(h["id"], h["events"]) for h in listed] == [(hook.pk, ["action.closed"])]
    assert "secret" not in listed[0]
    assert api("DELETE", f"{hooks(cast.team)}{hook.pk}/", token).status_code == 204
    assert not Webhook.objects.exists()


def test_a_private_address_or_an_unknown_event_is_refused_by_name(api, cast, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    token = token_for(cast.owner)
    private = api(
        "POST", hooks(cast.team), token, {"url": "http://10.0.0.7/aar", "events": ["action.closed"]}
    )
    assert private.status_code == 400 and list(private.json()["errors"]) == ["url"]
    unknown = api(
        "POST",
        hooks(cast.team),
        token,
        {"url": "http://10.0.0.7/aar", "events": ["action.deleted"]},
    )
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["events.0"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["member", "facilitator", "outsider"])
def test_nobody_else_reads_or_changes_a_teams_webhooks(api, cast, who):
    hook = WebhookFactory(team=cast.team)
    token = token_for(getattr(cast, who))
    assert api("GET", hooks(cast.team), token).status_code == 404
    assert api("DELETE", f"{hooks(cast.team)}{hook.pk}/", token).status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_a_read_token_cannot_add_a_webhook(api, cast):
    response = api(
        "POST",
        hooks(cast.team),
        token_for(cast.owner, write=False),
        {"url": "https://x.example/", "events": ["action.closed"]},
    )
    assert response.status_code == 403
    assert not Webhook.objects.exists()
