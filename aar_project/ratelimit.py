"""A fixed-window rate limit kept in the cache (Redis in production)."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_limited(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit for (scope, key); True once the window holds more than `limit` hits.

    A cache that does not answer fails open: signing in must not depend on Redis.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{scope}:{digest}"
    try:
        if cache.add(cache_key, 1, timeout=window):
            return limit < 1
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        return False
    except Exception:  # noqa: BLE001 - a broken cache must not break sign-in
        logger.warning("rate limit store unavailable; allowing %s", scope)
        return False
    return count > limit
