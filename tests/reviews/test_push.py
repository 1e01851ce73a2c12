"""The meeting's push stream, against a real ASGI web process, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from django.conf import settings
from django.test import Client

from reviews import push
from reviews.display import display_name
from reviews.models import Review
from reviews.services.meeting import finding_add, meeting_start
from tests.conftest import Cast, _database_url_for_worker
from tests.private_redis import PrivateRedis
from tests.silent_server import SilentServer
from tests.sse_client import EventStream

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def cookies_for(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def stream_url(server, review: Review) -> str:
    return f"{server.url}/reviews/{review.slug}/meeting/stream/"


def version(event) -> int:
    return int(json.loads(event.data)["v"])


@pytest.fixture
def cast(transactional_db) -> Cast:
    made = Cast()
    meeting_start(review=made.review)
    made.review.refresh_from_db()
    return made


def test_a_change_reaches_every_open_stream_with_its_version(web_server, cast):
    streams = [
        EventStream(stream_url(web_server, cast.review), cookies_for(who))
        for who in (cast.participant, cast.observer, cast.scribe)
    ]
    try:
        for stream in streams:
            assert stream.status == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            first = stream.next("changed")
            assert version(first) == cast.review.version and first.id == str(version(first))
            assert stream.retry == push.RETRY_MS
        finding_add(review=cast.review, kind="went_well", actor=cast.scribe, text="Paged fast")
        cast.review.refresh_from_db()
        for stream in streams:
            # The change comes with the page's fragments, rendered for the person's role.
            pushed = stream.next("fragments")
            assert pushed.id == str(cast.review.version)
            assert '<section id="m-state" hx-swap-oob="true"' in pushed.data
            assert "csrfmiddlewaretoken" not in pushed.data
    finally:
        for stream in streams:
            stream.close()


def test_someone_removed_from_the_review_has_their_stream_ended_at_the_next_change(
    web_server, cast
):
    from reviews.services.people import participant_remove

    observer = EventStream(stream_url(web_server, cast.review), cookies_for(cast.observer))
    other = EventStream(stream_url(web_server, cast.review), cookies_for(cast.participant))
    try:
        assert observer.next("changed") and other.next("changed")
        participant_remove(review=cast.review, participant=cast.observer_row)
        assert observer.next("fragments").event == "closed"  # nothing of the review sent
        assert other.next("fragments").event == "fragments"
        again = EventStream(stream_url(web_server, cast.review), cookies_for(cast.observer))
        assert again.status == 404
    finally:
        observer.close()
        other.close()


def test_the_stream_is_404_for_someone_who_may_not_see_the_review(web_server, cast):
    from tests.factories import UserFactory

    outsider = EventStream(stream_url(web_server, cast.review), cookies_for(UserFactory()))
    assert outsider.status == 404
    anonymous = EventStream(stream_url(web_server, cast.review), {})
    assert anonymous.status == 302 and "/accounts/login/" in anonymous.headers["location"]
    missing = EventStream(
        f"{web_server.url}/reviews/no-such-review/meeting/stream/", cookies_for(cast.participant)
    )
    assert missing.status == 404


def test_a_reconnect_with_last_event_id_catches_up_with_the_current_version(web_server, cast):
    seen = cast.review.version
    finding_add(review=cast.review, kind="went_well", actor=cast.scribe, text="Missed one")
    finding_add(review=cast.review, kind="went_well", actor=cast.scribe, text="And another")
    cast.review.refresh_from_db()
    stream = EventStream(
        stream_url(web_server, cast.review), cookies_for(cast.participant), last_event_id=seen
    )
    try:
        assert version(stream.next("changed")) == cast.review.version == seen + 2
    finally:
        stream.close()


def test_presence_lists_who_has_the_meeting_open_and_forgets_who_left(web_server, cast):
    first = EventStream(stream_url(web_server, cast.review), cookies_for(cast.participant))
    second = EventStream(stream_url(web_server, cast.review), cookies_for(cast.observer))
    try:
        names = first.next("presence").data
        while "2 here" not in names:
            names = first.next("presence").data
        assert display_name(cast.observer) in names and display_name(cast.participant) in names
        second.close()
        while "2 here" in names:
            names = first.next("presence").data
        assert "1 here" in names and display_name(cast.observer) not in names
    finally:
        first.close()
        second.close()


def test_presence_marks_who_went_idle_and_who_came_back(web_server, cast):
    first = EventStream(stream_url(web_server, cast.review), cookies_for(cast.participant))
    second = EventStream(stream_url(web_server, cast.review), cookies_for(cast.observer))
    observer = Client()
    observer.force_login(cast.observer)
    here = f"/reviews/{cast.review.slug}/meeting/here/"
    try:
        names = first.next("presence").data
        while "2 here" not in names:
            names = first.next("presence").data
        assert "idle" not in names
        assert observer.post(here, {"idle": "1"}).status_code == 204
        while "idle" not in names:
            names = first.next("presence").data
        assert f"{display_name(cast.observer)}, idle" in names
        observer.post(here, {"idle": "0"})
        while "idle" in names:
            names = first.next("presence").data
        assert "2 here" in names
    finally:
        first.close()
        second.close()


def test_streams_end_when_redis_stops_new_ones_wait_and_all_resume_when_it_is_back(
    start_web, cast, tmp_path
):
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    try:
        server = start_web(redis_server.url)
        url, cookies = stream_url(server, cast.review), cookies_for(cast.participant)
        stream = EventStream(url, cookies)
        assert stream.status == 200 and stream.next("changed")
        redis_server.stop()
        stopped = time.monotonic()
        assert stream.next("closed", timeout=push.SILENCE_SECONDS + 5).event == "closed"
        # The page falls back to polling within one interval of this (the browser test).
        assert time.monotonic() - stopped < push.SILENCE_SECONDS + 3
        refused = EventStream(url, cookies)
        assert refused.status == 503 and refused.headers["retry-after"]
        redis_server.start()
        deadline = time.monotonic() + 15
        while True:
            again = EventStream(url, cookies)
            if again.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert again.status == 200
        try:
            assert version(again.next("changed")) == cast.review.version
        finally:
            again.close()
    finally:
        redis_server.stop()


def test_a_silent_redis_never_slows_a_save(settings, cast):
    silent = SilentServer()
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.port}/0"
        push.reset_client()
        assert push.publish({"r": cast.review.pk, "v": 99}) is False  # gave up, did not hang
        tried = len(silent.accepted)
        for _ in range(20):
            assert push.publish({"r": cast.review.pk, "v": 99}) is False
        # The breaker answers at once: no further attempt reached the silent server.
        assert tried == 1 and len(silent.accepted) == tried
    finally:
        silent.close()
        push.reset_client()


def test_a_hub_on_a_silent_redis_refuses_streams_instead_of_hanging():
    silent = SilentServer()

    async def render(_review: int, _users: list[int]) -> str:
        return ""

    async def fragments(_review: int, _viewers: list[tuple[int, bool]]) -> tuple[int, dict]:
        return 0, {}

    async def attempt() -> float:
        hub = push.Hub(f"redis://127.0.0.1:{silent.port}/0", "aar:test-silent", render, fragments)
        started = time.monotonic()
        try:
            with pytest.raises(push.Unavailable):
                await hub.join(1, 1)
        finally:
            await hub.stop()
        return time.monotonic() - started

    try:
        assert run_apart(attempt()) <= push.SILENCE_SECONDS + 1
    finally:
        silent.close()


def run_apart(coroutine):
    """asyncio.run in a thread of its own (Playwright's loop may be running in this one)."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def backends(probe) -> int:
    """Connections to the test database now (the probe's own among them, always)."""
    row = probe.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    ).fetchone()
    return int(row[0])


async def open_streams(url: str, cookie: str, count: int) -> list[asyncio.StreamWriter]:
    """`count` real streams, each read up to its first event."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
        f"Cookie: {cookie}\r\n\r\n"
    ).encode()
    writers: list[asyncio.StreamWriter] = []

    async def one() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(request)
        await writer.drain()
        try:
            head = await asyncio.wait_for(reader.readuntil(b"event: changed"), 60)
        except asyncio.IncompleteReadError as error:
            raise AssertionError(error.partial[:400]) from None
        assert b" 200 " in head.split(b"\r\n", 1)[0], head[:200]
        writers.append(writer)

    for start in range(0, count, 100):
        await asyncio.gather(*(one() for _ in range(min(100, count - start))))
    return writers


def test_two_thousand_idle_streams_leave_the_database_backend_count_flat(web_server, cast):
    import psycopg

    cookie = "; ".join(f"{k}={v}" for k, v in cookies_for(cast.participant).items())
    url = stream_url(web_server, cast.review)

    async def run(probe) -> tuple[int, int, int]:
        warm = await open_streams(url, cookie, 10)  # the process has its pool now
        before = backends(probe)
        many = await open_streams(url, cookie, 2000)
        during = backends(probe)
        for writer in warm + many:
            writer.close()
        return before, during, len(many)

    with psycopg.connect(_database_url_for_worker(), autocommit=True) as probe:
        before, during, opened = run_apart(run(probe))
    assert opened == 2000
    # The pool's connections, borrowed while streams open and given back: never one a stream.
    assert during <= before + 8, (before, during)


def test_an_unchanged_poll_is_answered_before_django_and_a_changed_one_by_the_view(
    web_server, cast
):
    import re
    import urllib.request

    client = Client()
    client.force_login(cast.participant)
    page = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    url = re.search(r'id="m-live"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies_for(cast.participant).items())

    def ask(version: int, token_url: str = url) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(
            f"{web_server.url}{token_url}&v={version}", headers={"Cookie": cookie}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}

    status, headers = ask(cast.review.version)
    assert status == 304 and headers["cache-control"] == "no-store"
    assert "x-request-id" not in headers  # not through Django's middleware
    status, headers = ask(cast.review.version - 1)
    assert status == 200 and headers["x-aar-version"] == str(cast.review.version)
    assert "x-request-id" in headers  # the view answered
    forged = url.split("t=")[0] + "t=forged"
    status, headers = ask(cast.review.version, forged)
    assert status == 200 and "x-request-id" in headers  # no shortcut: the view's full check
