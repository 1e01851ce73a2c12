from __future__ import annotations

import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aar_project.cache import cache_state
from aar_project.celery import HEARTBEAT_KEY


def broker_state() -> str:
    """`eager` without a broker, `ok` when Redis answers a PING, `down` otherwise."""
    if not settings.REDIS_URL:
        return "eager"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        try:
            return "ok" if client.ping() else "down"
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return "down"


def worker_seen_seconds_ago() -> int | None:
    """Seconds since a worker last ran the heartbeat task; None if never (or unknown)."""
    beat = cache.get(HEARTBEAT_KEY)  # a cache that does not answer answers None
    return int(time.time() - beat["at"]) if beat else None


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_state()
    broker = broker_state()
    body: dict[str, object] = {"database": database, "broker": broker, "cache": cache_state()}
    if broker == "ok":
        body["worker_seen_seconds_ago"] = worker_seen_seconds_ago()
    return JsonResponse(body, status=200 if database == "ok" else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever the page says: the icon's
    address is looked up when asked (with hashed names it exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("img/icon.svg"))
