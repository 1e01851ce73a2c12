"""Figures kept in the cache under the versions of the teams they cover."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from reviews.versions import team_version_key

logger = logging.getLogger("aar.dashboard")
T = TypeVar("T")


def kept(
    team_ids: list[int], parts: Iterable[Any], compute: Callable[[], T]
) -> tuple[T, dt.datetime, bool]:
    """compute(), kept for DASHBOARD_CACHE_SECONDS under `parts` and the teams' versions.

    Returns the value, when it was computed and whether it was kept from an earlier look.
    Without a cache, it computes every time.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute(), timezone.now(), False
    try:
        keys = [team_version_key(team_id) for team_id in team_ids]
        versions = cache.get_many(keys)
        for key in keys:
            if key not in versions:
                cache.add(key, time.time_ns(), None)
                versions[key] = cache.get(key)
        raw = "|".join(
            str(part)
            for part in (connection.vendor, *[versions[key] for key in keys], *team_ids, *parts)
        )
        key = "dashboard:figures:" + hashlib.sha256(raw.encode()).hexdigest()
        found = cache.get(key)
    except Exception:
        logger.warning("dashboard: the cache is unavailable, computing afresh", exc_info=True)
        return compute(), timezone.now(), False
    if found is not None:
        value, computed_at = found
        return value, computed_at, True
    result = (compute(), timezone.now())
    try:
        cache.set(key, result, seconds)
    except Exception:
        logger.warning("dashboard: could not keep the figures", exc_info=True)
    return result[0], result[1], False
