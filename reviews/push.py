"""Push: a review's change reaches every open meeting page within a fraction of a second.

Sending (any process, synchronous): `review_changed` runs when the transaction that bumped a
review's version commits (reviews.versions) and publishes one small message on one Redis
channel. A short socket timeout and a breaker keep a silent Redis from slowing a save; a
message lost that way is caught up by the browsers' fallback poll.

Receiving (the ASGI web processes): each process has one `Hub`, holding one Redis pub/sub
connection, and fans every message out in memory to the streams open in that process for that
review: no database query and no Redis connection per open stream. After a change it renders
the fragments once per review and role (or reads them from the cache) and sends them in the
event itself, so the pages need not come and ask. The hub publishes a
heartbeat to itself every `HEARTBEAT_SECONDS`; when none comes back in time (Redis stopped,
or accepts and never answers) it ends every stream, so the browsers go back to polling, and
refuses new ones until Redis answers again.

Presence rides on the same channel: each hub keeps, in one Redis sorted set per review, who
has a stream open in its process (scored by when that entry expires, refreshed while the
stream lasts), and says "presence" on the channel when someone arrives or leaves; every hub
then renders the review's presence list once and hands it to its streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

from aar_project.cache import Breaker

logger = logging.getLogger("aar.push")

HEARTBEAT_SECONDS = 1.0  # the hub's own heartbeat through Redis
SILENCE_SECONDS = 3.0  # no heartbeat back for this long: Redis is gone, streams end
KEEPALIVE_SECONDS = 15.0  # a comment line to each stream, so proxies keep it open
PRESENCE_TTL = 45.0  # a presence entry not refreshed for this long is gone
PRESENCE_REFRESH = 15.0
PRESENCE_DEBOUNCE = 0.5  # arrivals and departures within this are announced once
STREAM_LIFETIME = 600.0  # a stream ends after this; the browser reconnects (access checked anew)
RETRY_MS = 1000  # what the browser waits before reconnecting a stream that ended
# While its stream is open a page still asks this often: an announcement lost on the way
# (pub/sub delivers at most once; a publisher may not reach Redis) leaves it stale this long.
SAFETY_POLL_MS = 30_000


# Set by aar_project.asgi: this process serves the push streams (a development server or the
# test client does not, and its pages poll).
STREAMS_SERVED = False


def enabled() -> bool:
    """Push needs Redis; without it (the embedded default) pages follow by polling."""
    return bool(settings.REDIS_URL) and bool(getattr(settings, "PUSH_ENABLED", True))


def channel() -> str:
    return str(getattr(settings, "PUSH_CHANNEL", "aar:live"))


def presence_key(review_id: int) -> str:
    return f"{channel()}:here:{review_id}"


# --- Sending -----------------------------------------------------------------------------------

# Short: while it is open, changes are not announced (the pages' slow safety poll still finds
# them), and a Redis that is back should carry the next change at once.
_send_breaker = Breaker(2.0, name="Redis (push)")
_client: redis.Redis | None = None
_client_lock = threading.Lock()


def _sync_client() -> redis.Redis:
    global _client
    with _client_lock:
        if _client is None:
            timeout = settings.CACHE_SOCKET_TIMEOUT
            _client = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        return _client


def reset_client() -> None:
    """Forget the sending connection (tests that move Redis, a forked process)."""
    global _client
    with _client_lock:
        _client = None
    _send_breaker.close()


def publish(message: dict[str, Any]) -> bool:
    """Send one message to every hub; False (and nothing waits) while Redis is unavailable."""
    if not enabled() or _send_breaker.is_open():
        return False
    try:
        _sync_client().publish(channel(), json.dumps(message, separators=(",", ":")))
    except Exception as error:  # noqa: BLE001 - any Redis or socket error: the poll catches up
        _send_breaker.trip(error)
        return False
    if _send_breaker.has_tripped():
        _send_breaker.close()
    return True


def review_changed(review_id: int, version: int) -> None:
    publish({"r": review_id, "v": version})


def presence_changed(review_id: int) -> None:
    """Someone's presence changed without a stream opening or closing (they went idle or came
    back): every hub renders the review's presence list again."""
    publish({"r": review_id, "p": 1})


# --- Receiving ---------------------------------------------------------------------------------


@dataclass(eq=False)
class Stream:
    """One open meeting page in this process: what it has been told, and a bell to wake it."""

    review_id: int
    user_id: int
    presenter: bool = False
    version: int = 0
    fragments: str | None = None  # the latest change's fragments for this page, not sent yet
    presence: str | None = None
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)


PresenceRenderer = Callable[[int, list[int]], Awaitable[str]]
# (review, [(person, presenter view)]) -> (version, {(person, presenter view): fragments})
FragmentRenderer = Callable[
    [int, list[tuple[int, bool]]], Awaitable[tuple[int, dict[tuple[int, bool], str]]]
]


class Unavailable(Exception):
    """The hub cannot take streams now (Redis is not answering)."""


class Hub:
    """One per process: one subscription, fanned out in memory to this process's streams.

    After a change the hub renders (or reads from the cache) the fragments once per review
    and role for the pages open in this process and sends them in the event itself, so no
    page has to ask for them; access is decided again for all of them in one go, and a page
    whose person may no longer see the review has its stream ended.
    """

    def __init__(
        self,
        url: str,
        name: str,
        render_presence: PresenceRenderer,
        render_fragments: FragmentRenderer,
    ) -> None:
        self.url = url
        self.name = name
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.render_presence = render_presence
        self.render_fragments = render_fragments
        self.streams: dict[int, set[Stream]] = {}
        self.healthy = False
        self._task: asyncio.Task[None] | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self._changed: dict[int, int] = {}  # review -> newest version announced, not delivered
        self._changed_bell = asyncio.Event()
        self._presence_dirty: set[int] = set()  # reviews whose presence list is to be sent
        self._here_dirty: set[int] = set()  # reviews whose entries in Redis are to be written
        self._here_written: dict[int, set[int]] = {}  # review -> people written as here
        self._redis: aioredis.Redis | None = None
        self._ready = asyncio.Event()
        self._heard_at = 0.0

    # Streams come and go -------------------------------------------------------------------

    async def join(self, review_id: int, user_id: int, presenter: bool = False) -> Stream:
        self.start()
        if not self.healthy:
            try:
                await asyncio.wait_for(self._ready.wait(), SILENCE_SECONDS)
            except TimeoutError:
                raise Unavailable("Redis is not answering") from None
        stream = Stream(review_id, user_id, presenter)
        self.streams.setdefault(review_id, set()).add(stream)
        self._here_dirty.add(review_id)
        self._presence_dirty.add(review_id)
        return stream

    async def leave(self, stream: Stream) -> None:
        here = self.streams.get(stream.review_id)
        if here is None:
            return
        here.discard(stream)
        if not here:
            del self.streams[stream.review_id]
        self._here_dirty.add(stream.review_id)

    # The one subscription --------------------------------------------------------------------

    def start(self) -> None:
        # Contexts of their own: not the request's that happened to start them (whose
        # thread for synchronous work goes away when that request ends).
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._task = loop.create_task(
                self._run(), name="aar-push-hub", context=contextvars.Context()
            )
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = loop.create_task(
                self._deliver(), name="aar-push-deliver", context=contextvars.Context()
            )

    async def stop(self) -> None:
        for task in (self._task, self._deliverer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = self._deliverer = None
        self._end_all()

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - any Redis or socket error: retry
                if self.healthy:
                    logger.warning("push: Redis stopped answering (%s); streams end", error)
                self.healthy = False
                self._ready.clear()
                self._here_written.clear()
                self._end_all()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            else:
                backoff = 0.5

    async def _listen(self) -> None:
        timeout = max(settings.CACHE_SOCKET_TIMEOUT, 1.0)
        client = aioredis.Redis.from_url(
            self.url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._redis = client
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await asyncio.wait_for(pubsub.subscribe(self.name), timeout)
            await asyncio.wait_for(self._heartbeat(client), timeout)
            self._heard_at = time.monotonic()
            beat_at = refresh_at = flush_at = 0.0
            while True:
                try:
                    message = await pubsub.get_message(timeout=0.1)
                except TimeoutError:
                    message = None
                now = time.monotonic()
                if message is not None:
                    self._heard_at = now
                    self._on_message(message.get("data"))
                if now - self._heard_at > SILENCE_SECONDS:
                    raise ConnectionError(f"no heartbeat for {SILENCE_SECONDS:.0f} s")
                if now - beat_at >= HEARTBEAT_SECONDS:
                    beat_at = now
                    await asyncio.wait_for(self._heartbeat(client), timeout)
                if (self._here_dirty or now - refresh_at >= PRESENCE_REFRESH) and (
                    now - flush_at >= PRESENCE_DEBOUNCE
                ):
                    refresh = now - refresh_at >= PRESENCE_REFRESH
                    refresh_at = now if refresh else refresh_at
                    await asyncio.wait_for(self._write_presence(client, refresh), timeout)
                if self._presence_dirty and now - flush_at >= PRESENCE_DEBOUNCE:
                    flush_at = now
                    await self._flush_presence()
        finally:
            self._redis = None
            # A broken connection may fail to close too: it is dropped either way.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pubsub.aclose(), 1.0)  # type: ignore[no-untyped-call]
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.aclose(), 1.0)

    async def _heartbeat(self, client: aioredis.Redis) -> None:
        await client.publish(self.name, json.dumps({"hb": self.process}))
        if not self.healthy:
            self.healthy = True
            self._ready.set()
            logger.info("push: listening on %s", self.name)

    def _on_message(self, data: Any) -> None:
        try:
            message = json.loads(data)
        except (TypeError, ValueError):
            return
        if not isinstance(message, dict):
            return
        review_id = message.get("r")
        if not isinstance(review_id, int) or review_id not in self.streams:
            return
        version = message.get("v")
        if isinstance(version, int) and version > self._changed.get(review_id, 0):
            self._changed[review_id] = version
            self._changed_bell.set()
        if message.get("p"):
            self._presence_dirty.add(review_id)

    async def _deliver(self) -> None:
        """Changes, newest version per review, rendered once and handed to the streams."""
        while True:
            await self._changed_bell.wait()
            self._changed_bell.clear()
            while self._changed:
                review_id, _version = self._changed.popitem()
                streams = list(self.streams.get(review_id, ()))
                if not streams:
                    continue
                viewers = sorted({(s.user_id, s.presenter) for s in streams})
                try:
                    version, html = await self.render_fragments(review_id, viewers)
                except Exception:
                    logger.exception("push: fragments not rendered for review %s", review_id)
                    continue
                for stream in streams:
                    fragments = html.get((stream.user_id, stream.presenter))
                    if fragments is None:
                        stream.closed = True  # may no longer see the review
                    elif version > stream.version:
                        stream.version = version
                        stream.fragments = fragments
                    stream.wake.set()

    def _end_all(self) -> None:
        for streams in self.streams.values():
            for stream in streams:
                stream.closed = True
                stream.wake.set()

    # Presence ----------------------------------------------------------------------------------

    async def _write_presence(self, client: aioredis.Redis, refresh: bool) -> None:
        """This process's entries in Redis, for the reviews whose people came or went (all of
        them when it is time to refresh), in one round trip; then "presence" to every hub."""
        reviews = set(self._here_dirty) | (set(self.streams) if refresh else set())
        self._here_dirty.clear()
        if not reviews:
            return
        expires = time.time() + PRESENCE_TTL
        changed: list[int] = []
        async with client.pipeline(transaction=False) as pipe:
            for review_id in reviews:
                here = {s.user_id for s in self.streams.get(review_id, ())}
                gone = self._here_written.get(review_id, set()) - here
                key = presence_key(review_id)
                if here:
                    pipe.zadd(key, {f"{user}:{self.process}": expires for user in here})
                if gone:
                    pipe.zrem(key, *(f"{user}:{self.process}" for user in gone))
                pipe.zremrangebyscore(key, "-inf", time.time())
                if here != self._here_written.get(review_id, set()):
                    changed.append(review_id)
                if here:
                    self._here_written[review_id] = here
                else:
                    self._here_written.pop(review_id, None)
            for review_id in changed:
                pipe.publish(self.name, json.dumps({"r": review_id, "p": 1}))
            await pipe.execute()

    async def present(self, review_id: int) -> list[int]:
        """Who has this review's meeting open, in any process."""
        client = self._redis
        if client is None:
            return []
        members = await asyncio.wait_for(
            client.zrangebyscore(presence_key(review_id), time.time(), "+inf"), 1.0
        )
        users = {_member_user(m) for m in members}
        return sorted(users)

    async def _presence_html(self, review_id: int) -> str:
        try:
            return await self.render_presence(review_id, await self.present(review_id))
        except Exception:
            logger.warning("push: presence not rendered", exc_info=True)
            return ""

    async def _flush_presence(self) -> None:
        dirty, self._presence_dirty = self._presence_dirty, set()
        for review_id in dirty:
            if review_id not in self.streams:
                continue
            html = await self._presence_html(review_id)
            for stream in self.streams.get(review_id, ()):
                stream.presence = html
                stream.wake.set()


def _member_user(member: object) -> int:
    """A presence entry is "user:process"."""
    text = member.decode() if isinstance(member, bytes) else str(member)
    return int(text.split(":", 1)[0])


# --- The stream's text -------------------------------------------------------------------------


def sse(event: str, data: str, event_id: int | None = None) -> str:
    """One Server-Sent Event; every line of `data` gets its own `data:` field."""
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in (data.splitlines() or [""]))
    return "\n".join(lines) + "\n\n"


async def events(
    hub: Hub,
    stream: Stream,
    version: int,
    release: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[str]:
    """What one open page receives: the version now (so a reconnect catches up), then each
    change with the page's fragments and each presence change as they come, a keep-alive
    comment when quiet.
    `release` runs once the response has started (the view gives back its database
    connection there: an open stream holds none)."""
    started = time.monotonic()
    stream.version = max(stream.version, version)
    try:
        if release is not None:
            await release()
        yield f"retry: {RETRY_MS}\n\n"
        yield sse("changed", json.dumps({"v": stream.version}), stream.version)
        sent_presence: str | None = None
        while True:
            if stream.presence is not None and stream.presence != sent_presence:
                sent_presence = stream.presence
                yield sse("presence", stream.presence)
            if stream.fragments is not None:
                fragments, stream.fragments = stream.fragments, None
                yield sse("fragments", fragments, stream.version)
            if stream.closed:
                return
            left = STREAM_LIFETIME - (time.monotonic() - started)
            if left <= 0:
                return
            stream.wake.clear()
            try:
                await asyncio.wait_for(stream.wake.wait(), min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
    finally:
        await hub.leave(stream)


_hubs: dict[int, Hub] = {}


def hub_for_loop(render_presence: PresenceRenderer, render_fragments: FragmentRenderer) -> Hub:
    """The process's hub, bound to the running event loop (one loop per ASGI process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(id(loop))
    if hub is None or hub.url != settings.REDIS_URL or hub.name != channel():
        hub = Hub(settings.REDIS_URL, channel(), render_presence, render_fragments)
        _hubs.clear()
        _hubs[id(loop)] = hub
    return hub
