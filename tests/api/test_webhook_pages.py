"""A team's webhooks on its pages: for its delivery owner (and staff), 404 for everyone else."""

from __future__ import annotations

import pytest

from api.models import Webhook, WebhookDelivery
from tests.factories import WebhookFactory

pytestmark = pytest.mark.django_db


def pages(team) -> str:
    return f"/teams/{team.slug}/webhooks/"


@pytest.fixture
def hook(cast):
    return WebhookFactory(team=cast.team)


def test_the_delivery_owner_adds_a_webhook(client, cast, settings, monkeypatch):
    monkeypatch.setattr(
        "api.webhooks.socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.215.14", 443))]
    )
    client.force_login(cast.owner)
    response = client.post(
        pages(cast.team),
        {"url": "https://hooks.example.com/aar", "events": ["action.closed", "review.published"]},
    )
    hook = Webhook.objects.get()
    assert response.status_code == 302 and response.url == f"{pages(cast.team)}{hook.pk}/"
    assert (hook.team, hook.events, hook.created_by) == (
        cast.team,
        ["action.closed", "review.published"],
        cast.owner,
    )
    assert len(hook.secret) >= 40
    assert hook.secret in client.get(response.url).content.decode()


def test_a_bad_webhook_is_refused_and_nothing_is_added(client, cast, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(cast.owner)
    response = client.post(pages(cast.team), {"url": "http://127.0.0.1:9000/", "events": []})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"url", "events"}
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["member", "facilitator", "outsider"])
def test_nobody_else_sees_a_teams_webhooks(client, cast, hook, who):
    client.force_login(getattr(cast, who))
    assert client.get(pages(cast.team)).status_code == 404
    assert client.get(f"{pages(cast.team)}{hook.pk}/").status_code == 404
    assert client.post(f"{pages(cast.team)}{hook.pk}/", {"do": "delete"}).status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_a_webhook_of_another_team_is_404(client, cast, hook):
    from tests.factories import TeamFactory

    mine = TeamFactory(delivery_owner=cast.owner)
    client.force_login(cast.owner)
    assert client.get(f"{pages(mine)}{hook.pk}/").status_code == 404


def test_switching_off_and_deleting(client, cast, hook):
    client.force_login(cast.owner)
    client.post(f"{pages(cast.team)}{hook.pk}/", {"do": "pause"})
    hook.refresh_from_db()
    assert hook.active is False
    old = hook.secret
    client.post(f"{pages(cast.team)}{hook.pk}/", {"do": "secret"})
    hook.refresh_from_db()
    assert hook.secret != old
    client.post(f"{pages(cast.team)}{hook.pk}/", {"do": "delete"})
    assert not Webhook.objects.exists()


def test_the_log_shows_deliveries_and_one_is_sent_again(client, cast, hook, monkeypatch):
    sent = []
    monkeypatch.setattr("api.webhooks.post", lambda url, body, headers: sent.append(headers) or 204)
    import uuid

    first = WebhookDelivery.objects.create(
        webhook=hook,
        key="action.closed:1:2",
        delivery_id=uuid.uuid4(),
        event="action.closed",
        payload={"action": {}},
        last_status=500,
        last_error="The receiver answered 500.",
        attempts=3,
    )
    client.force_login(cast.owner)
    page = client.get(f"{pages(cast.team)}{hook.pk}/").content.decode()
    assert "The receiver answered 500." in page and str(first.delivery_id) in page
    response = client.post(f"{pages(cast.team)}{hook.pk}/deliveries/{first.pk}/resend/")
    assert response.status_code == 302
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert (again.event, again.payload, again.state) == (
        "action.closed",
        {"action": {}},
        "delivered",
    )
    assert sent and sent[0]["X-AAR-Delivery"] == str(again.delivery_id) != str(first.delivery_id)


def test_the_team_actions_page_links_to_its_webhooks(client, cast):
    client.force_login(cast.owner)
    assert pages(cast.team) in client.get(f"/actions/team/{cast.team.slug}/").content.decode()
