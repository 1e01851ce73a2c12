"""Redis is an accelerator, never a dependency of a page.

A server that accepts connections and never answers is what a hung or partitioned Redis
looks like. With the cache and the broker pointed at one, every page and save still works,
the cache is asked only once in a while (the breaker), sign-in works, and /healthz says
the cache and the broker are down.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aar_project.cache import FailOpenRedisCache
from reviews.models import Account, TimelineEntry
from reviews.services.meeting import meeting_start
from tests.factories import PASSWORD
from tests.silent_server import SilentServer, redis_gone_silent

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_redis() -> Iterator[SilentServer]:
    with redis_gone_silent() as server:
        yield server


def test_every_page_and_save_works_with_a_silent_redis(client, cast, silent_redis):
    from django.core.cache import caches

    assert isinstance(caches["default"], FailOpenRedisCache)
    slug = cast.review.slug
    client.force_login(cast.participant)
    autosave = client.post(
        f"/reviews/{slug}/account/save/",
        {"body": "What I saw", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert autosave.status_code == 200
    assert Account.objects.get(participant=cast.participant_row).body == "What I saw"

    meeting_start(review=cast.review)
    client.force_login(cast.facilitator)
    added = client.post(
        f"/reviews/{slug}/timeline/add/",
        {"occurred_at": "2026-11-17T12:00", "kind": "detection", "description": "Alert fired"},
    )
    assert added.status_code == 302
    assert TimelineEntry.objects.filter(review=cast.review, description="Alert fired").exists()
    capture = client.post(f"/reviews/{slug}/meeting/findings/went_well/", {"text": "Paging worked"})
    assert capture.status_code == 302
    pages = ["/", f"/reviews/{slug}/", f"/reviews/{slug}/meeting/", f"/reviews/{slug}/timeline/"]
    for url in pages * 3:
        assert client.get(url).status_code == 200, url
    client.force_login(cast.owner)
    assert client.get("/dashboard/").status_code == 200
    # The breaker: the cache was asked once, not on every request of the dozens above.
    assert caches["default"].breaker.opened == 1
    assert len(silent_redis.accepted) <= 3


def test_signing_in_with_a_password_works_with_a_silent_redis(client, cast, silent_redis):
    response = client.post(
        "/accounts/login/", {"email": cast.participant.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_rate_limit_still_counts_with_a_silent_redis(client, cast, silent_redis, settings):
    settings.SIGN_IN_RATE_LIMIT = (3, 900)
    statuses = [
        client.post(
            "/accounts/login/", {"email": cast.owner.email, "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [400, 400, 400] and 429 in statuses[3:]


def test_health_says_the_cache_and_the_broker_are_down(client, silent_redis):
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert body["cache"] == "down" and body["broker"] == "down"
