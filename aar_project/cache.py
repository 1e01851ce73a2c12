"""Redis as an accelerator, never a dependency of a page.

`FailOpenRedisCache` is Django's Redis cache with short socket timeouts and a breaker: the
first error (a refused connection, a Redis that accepts and never answers, a reset) opens the
breaker for `BREAKER_SECONDS`, during which every cache call answers at once as a miss (`get`
gives the default, `add`/`set` give False) instead of waiting on the network again. It logs
once when it opens and once when Redis answers again, never per request. Callers already
treat a miss as "compute it": the dashboard figures, the meeting's fragments, the poll memo.
Rate limits ask `cache_is_down()` and count in-process while it is (aar_project.ratelimit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("aar.cache")
T = TypeVar("T")

BREAKER_SECONDS = 15.0


class Breaker:
    """Open for a while after a failure; one process-wide instance per cache alias."""

    def __init__(self, seconds: float, name: str = "the cache") -> None:
        self.seconds = seconds
        self.name = name
        self._open_until = 0.0
        self._lock = threading.Lock()
        self.opened = 0  # how many times it opened (for tests and the log)

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, error: BaseException) -> None:
        with self._lock:
            was_open = self.is_open()
            self._open_until = time.monotonic() + self.seconds
            if not was_open:
                self.opened += 1
                logger.warning(
                    "%s is unavailable (%s: %s); left alone for %.0f s",
                    self.name,
                    type(error).__name__,
                    error,
                    self.seconds,
                )

    def close(self) -> None:
        with self._lock:
            if self._open_until:
                logger.info("%s answers again", self.name)
            self._open_until = 0.0

    def has_tripped(self) -> bool:
        """Opened once and not closed since (it may have run out): the next success closes it."""
        return bool(self._open_until)


class _Shared:
    """What every instance of one configured cache shares in a process: its breaker and its
    client (whose connection pool is thread-safe)."""

    def __init__(self) -> None:
        self.breaker = Breaker(BREAKER_SECONDS)
        self.client: Any = None


_shared: dict[str, _Shared] = {}
_shared_lock = threading.Lock()


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, answering misses at once while Redis is unavailable.

    Django keeps one cache object per context, and a server that runs each request in a copy
    of its context (a2wsgi under `make web`) would make a new one, with a new connection
    pool and a new connection to Redis, for every request; so the client and the breaker
    are kept once per process for each configuration.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        key = repr((server, sorted(params.items(), key=lambda item: str(item[0]))))
        with _shared_lock:
            self._shared = _shared.setdefault(key, _Shared())
        self.breaker = self._shared.breaker

    # Set by RedisCache.__init__ (not in its stubs).
    _class: Any
    _servers: list[str]
    _options: dict[str, Any]

    @property
    def _cache(self) -> Any:
        shared = self._shared
        if shared.client is None:
            with _shared_lock:
                if shared.client is None:
                    shared.client = self._class(self._servers, **self._options)
        return shared.client

    def _guard(self, call: Callable[[], T], fallback: T) -> T:
        if self.breaker.is_open():
            return fallback
        try:
            result = call()
        except Exception as error:  # noqa: BLE001 - any Redis or socket error: fall back
            self.breaker.trip(error)
            return fallback
        if self.breaker.has_tripped():  # it had opened and has run out: Redis answers again
            self.breaker.close()
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(
            lambda: super(FailOpenRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return self._guard(lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._guard(
            lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False
        )

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        self._guard(lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        return self._guard(
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), []
        )

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._guard(
            lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A missing key is a ValueError the callers handle; an unavailable cache is also one,
        # so they start afresh (a version bump nobody else can see is harmless).
        if self.breaker.is_open():
            raise ValueError("the cache is unavailable")
        try:
            value: int = super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as error:
            self.breaker.trip(error)
            raise ValueError("the cache is unavailable") from error
        return value

    def clear(self) -> None:
        self._guard(lambda: super(FailOpenRedisCache, self).clear(), None)


def cache_is_down() -> bool:
    """True while the default cache is a Redis that did not answer a moment ago."""
    backend = caches["default"]
    return isinstance(backend, FailOpenRedisCache) and backend.breaker.is_open()


def cache_state() -> str:
    """For /healthz: `local` (no Redis), `ok`, or `down` (asks Redis, within its timeouts)."""
    backend = caches["default"]
    if not isinstance(backend, FailOpenRedisCache):
        return "local"
    if backend.breaker.is_open():
        return "down"
    try:
        backend._cache.get_client(write=False).ping()
    except Exception as error:  # noqa: BLE001 - any Redis or socket error means down
        backend.breaker.trip(error)
        return "down"
    return "ok"
