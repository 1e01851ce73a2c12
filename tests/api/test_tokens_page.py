"""Making and revoking tokens on the person's settings page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from api.models import ApiToken
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db

SETTINGS = "/actions/settings/"
NEW = "/actions/settings/tokens/new/"


def test_the_settings_page_lists_ones_tokens_without_their_secret(client, cast):
    token = token_for(cast.owner)
    token_for(cast.member)  # someone else's
    ApiToken.objects.filter(user=cast.owner).update(name="Incident bot")
    client.force_login(cast.owner)
    page = client.get(SETTINGS).content.decode()
    assert "API tokens" in page and "Incident bot" in page
    assert page.count("<code>aar_") == 1
    assert token not in page


def test_a_new_token_is_shown_once_and_works(client, api, cast):
    client.force_login(cast.owner)
    response = client.post(NEW, {"name": "Incident bot", "write": "on", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    row = ApiToken.objects.get(user=cast.owner)
    assert (row.name, row.scope) == ("Incident bot", "write")
    assert (row.expires_at - timezone.now()).days == 29
    token = response.context["token"]
    assert token in response.content.decode()
    assert token not in client.get(SETTINGS).content.decode()
    client.logout()
    assert api("GET", "/api/v1/me/", token).json()["email"] == "owner@example.com"


def test_a_token_is_read_only_unless_asked(client, cast):
    client.force_login(cast.owner)
    client.post(NEW, {"name": "Dashboard", "days": "90"})
    assert ApiToken.objects.get().scope == "read"


def test_a_token_without_a_name_is_refused_and_nothing_is_made(client, cast):
    client.force_login(cast.owner)
    response = client.post(NEW, {"name": "", "days": "12"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "days"}
    assert not ApiToken.objects.exists()


def test_a_person_revokes_their_token(client, api, cast):
    token = token_for(cast.owner)
    row = ApiToken.objects.get()
    client.force_login(cast.owner)
    response = client.post(f"/actions/settings/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert api("GET", "/api/v1/me/", token).status_code == 401
    assert "revoked" in client.get(SETTINGS).content.decode()


def test_nobody_revokes_another_persons_token(client, cast):
    token_for(cast.owner)
    row = ApiToken.objects.get()
    client.force_login(cast.member)
    assert client.post(f"/actions/settings/tokens/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_the_token_pages_need_a_sign_in(client, cast):
    assert client.get(NEW).status_code == 302
    assert client.post(NEW, {"name": "x", "days": "7"}).status_code == 302
    assert not ApiToken.objects.exists()
