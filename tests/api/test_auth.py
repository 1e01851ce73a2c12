"""Bearer tokens: who may call the API, with which scope, how often, and what is kept."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_digest, token_revoke
from tests.api.conftest import token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_it_answers_the_person_behind_the_token(api, cast):
    response = api("GET", ME, token_for(cast.owner, write=False))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "owner@example.com"
    assert body["teams"] == [
        {"slug": cast.team.slug, "name": cast.team.name, "role": "delivery_owner"}
    ]
    assert body["token"]["scope"] == "read"


def test_a_member_sees_their_team_as_member(api, cast):
    body = api("GET", ME, token_for(cast.member)).json()
    assert [t["role"] for t in body["teams"]] == ["member"]


def test_it_refuses_a_request_without_a_token(api, cast):
    response = api("GET", ME, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in response.json()["detail"]


def test_it_refuses_a_session_without_a_token(api, client, cast):
    client.force_login(cast.owner)
    assert api("GET", ME, None).status_code == 401


def test_it_refuses_an_unknown_token(api, cast):
    token_for(cast.owner)
    assert api("GET", ME, "aar_" + "x" * 43).status_code == 401
    assert api("GET", ME, "not-even-ours").status_code == 401


def test_it_refuses_an_expired_token(api, cast):
    token = token_for(cast.owner, days=7)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1)):
        response = api("GET", ME, token)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_it_refuses_a_revoked_token(api, cast):
    token = token_for(cast.owner)
    row = ApiToken.objects.get(digest=token_digest(token))
    assert token_revoke(user=cast.owner, pk=row.pk)
    response = api("GET", ME, token)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_nobody_revokes_another_persons_token(cast):
    token = token_for(cast.owner)
    row = ApiToken.objects.get(digest=token_digest(token))
    assert not token_revoke(user=cast.outsider, pk=row.pk)
    row.refresh_from_db()
    assert row.revoked_at is None


def test_it_refuses_the_token_of_a_person_who_can_no_longer_sign_in(api, cast):
    token = token_for(cast.owner)
    cast.owner.is_active = False
    cast.owner.save(update_fields=["is_active"])
    assert api("GET", ME, token).status_code == 401


def test_a_read_token_cannot_write(api, cast):
    response = api(
        "POST",
        "/api/v1/reviews/",
        token_for(cast.owner, write=False),
        {"team": cast.team.slug, "title": "Queue backlog"},
    )
    assert response.status_code == 403
    assert "write" in response.json()["detail"]
    assert not cast.team.reviews.filter(title="Queue backlog").exists()


def test_only_a_digest_of_the_token_is_stored(cast):
    token = token_for(cast.owner)
    row = ApiToken.objects.get()
    assert token.startswith("aar_") and len(token) == 47
    assert row.digest == token_digest(token) and token not in row.digest
    assert token[4:] not in str(ApiToken.objects.values().get())


def test_it_records_when_a_token_was_last_used_at_most_once_a_minute(api, cast):
    token = token_for(cast.owner)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api("GET", ME, token)
    row = ApiToken.objects.get()
    assert row.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api("GET", ME, token)
    row.refresh_from_db()
    assert row.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        api("GET", ME, token)
    row.refresh_from_db()
    assert row.last_used_at == start + dt.timedelta(seconds=61)


def test_it_limits_the_requests_of_one_token(api, cast, settings):
    settings.API_RATE_LIMIT = 3
    token, other = token_for(cast.owner), token_for(cast.owner)
    moment = timezone.now().replace(second=10, microsecond=0)
    with time_machine.travel(moment, tick=False):
        answers = [api("GET", ME, token).status_code for _ in range(4)]
        limited = api("GET", ME, token)
        assert api("GET", ME, other).status_code == 200  # counted per token
    assert answers == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "50"
    with time_machine.travel(moment + dt.timedelta(seconds=51), tick=False):
        assert api("GET", ME, token).status_code == 200


def test_tokens_never_reach_the_logs(api, cast, caplog):
    token = token_for(cast.owner)
    with caplog.at_level(logging.DEBUG):
        api("GET", ME, token)
        api("GET", "/api/v1/reviews/nope/", token)
        api("POST", "/api/v1/reviews/", token, raw="{bad json")
    assert caplog.records, "the request log was not captured"
    assert token not in caplog.text and token[4:20] not in caplog.text


def test_the_command_prints_a_token_that_works(api, cast):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "OWNER@example.com", "--name", "bot", "--write", stdout=out, stderr=err
    )
    token = out.getvalue().strip()
    row = ApiToken.objects.get()
    assert (row.name, row.scope, row.user) == ("bot", "write", cast.owner)
    assert token not in err.getvalue()
    assert api("GET", ME, token).status_code == 200


def test_the_command_makes_read_tokens_unless_told(cast):
    call_command(
        "create_api_token", "owner@example.com", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert ApiToken.objects.get().scope == "read"


def test_the_command_refuses_an_unknown_address(db):
    UserFactory(email="someone@example.com")
    with pytest.raises(CommandError, match="No active person"):
        call_command("create_api_token", "nobody@example.com", stdout=io.StringIO())
    assert not ApiToken.objects.exists()
