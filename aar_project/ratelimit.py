"""A fixed-window rate limit kept in the cache (Redis in production), and in the process while
the cache does not answer: a silent Redis neither locks people out nor lifts the limit."""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from aar_project.cache import cache_is_down

logger = logging.getLogger(__name__)

_local: dict[str, tuple[float, int]] = {}
_local_lock = threading.Lock()


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address
    the first of them saw (the entry that many from the right of X-Forwarded-For). Entries
    further left are whatever the client wrote, so they are never read."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _count_locally(cache_key: str, window: int) -> int:
    """The same window, counted in this process (each gunicorn process counts its own)."""
    now = time.monotonic()
    with _local_lock:
        if len(_local) > 10_000:
            _local.clear()
        started, count = _local.get(cache_key, (now, 0))
        if now - started >= window:
            started, count = now, 0
        _local[cache_key] = (started, count + 1)
        return count + 1


def is_limited(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit for (scope, key); True once the window holds more than `limit` hits."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{scope}:{digest}"
    if cache_is_down():
        return _count_locally(cache_key, window) > limit
    if cache.add(cache_key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr, or the cache just went away
        if cache_is_down():
            return _count_locally(cache_key, window) > limit
        cache.set(cache_key, 1, timeout=window)
        return False
    return count > limit


# --- Slowing an attacker down on one account, without locking its owner out ---------------
# After `limit` wrong passwords for one address, each further attempt must wait twice as long
# as the one before (2 s, 4 s, 8 s ... at most 15 minutes) after the last failure; an attempt
# that waited is checked, so the right password still signs in. Failures are forgotten after
# the window passes without one, or at a successful sign-in.

MAX_DELAY = 15 * 60


def _failures_key(key: str) -> str:
    return "fail:" + hashlib.sha256(key.encode()).hexdigest()[:32]


_local_failures: dict[str, tuple[int, float]] = {}


def _failures(key: str) -> tuple[int, float]:
    """(how many wrong passwords in a row, when the last one was, as time.time())."""
    if cache_is_down():
        with _local_lock:
            return _local_failures.get(_failures_key(key), (0, 0.0))
    found = cache.get(_failures_key(key))
    return (int(found[0]), float(found[1])) if found else (0, 0.0)


def wait_seconds(key: str, *, limit: int) -> int:
    """How long this account's next attempt must still wait (0: it may be checked now)."""
    count, last = _failures(key)
    if count < limit:
        return 0
    delay = min(2 ** (count - limit + 1), MAX_DELAY)
    return max(0, int(last + delay - time.time() + 0.999))


def failure_recorded(key: str, *, window: int) -> None:
    count, _ = _failures(key)
    value = (count + 1, time.time())
    if cache_is_down():
        with _local_lock:
            _local_failures[_failures_key(key)] = value
        return
    cache.set(_failures_key(key), value, timeout=window + MAX_DELAY)


def failures_forgotten(key: str) -> None:
    with _local_lock:
        _local_failures.pop(_failures_key(key), None)
    cache.delete(_failures_key(key))
