"""A fixed-window rate limit kept in the cache (Redis in production), and in the process while
the cache does not answer: a silent Redis neither locks people out nor lifts the limit."""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from django.core.cache import cache
from django.http import HttpRequest

from aar_project.cache import cache_is_down

logger = logging.getLogger(__name__)

_local: dict[str, tuple[float, int]] = {}
_local_lock = threading.Lock()


def client_ip(request: HttpRequest) -> str:
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
