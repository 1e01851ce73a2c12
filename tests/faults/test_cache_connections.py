"""One Redis client and one breaker per process, whatever context a request runs in.

`make web` runs each page in a copy of the server's context (a2wsgi), and Django keeps one
cache object per context: without sharing, every request built a new connection pool and a
new connection to Redis, and a breaker of its own that had never seen Redis fail.
"""

from __future__ import annotations

import contextvars
import socket

from django.core.cache import caches
from django.test import override_settings

from tests.silent_server import redis_gone_silent


def _in_a_fresh_context(call):
    """As a2wsgi runs each request: in a copy of a context where no cache was made yet."""
    return contextvars.Context().run(call)


def _cache_at(url: str) -> dict[str, object]:
    return {
        "default": {
            "BACKEND": "aar_project.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }


def _connected_clients(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
        probe.sendall(b"INFO clients\r\n")
        answer = b""
        while b"connected_clients:" not in answer or not answer.endswith(b"\r\n"):
            answer += probe.recv(4096)
    line = next(x for x in answer.split(b"\r\n") if x.startswith(b"connected_clients:"))
    return int(line.split(b":")[1]) - 1  # not counting this probe


def test_requests_in_fresh_contexts_share_one_connection(private_redis):
    with override_settings(CACHES=_cache_at(private_redis.url)):
        caches["default"].set("shared", "yes")
        for _ in range(30):
            assert _in_a_fresh_context(lambda: caches["default"].get("shared")) == "yes"
        assert _connected_clients(private_redis.port) == 1


def test_a_breaker_opened_in_one_request_holds_for_the_next():
    with redis_gone_silent() as server:
        for _ in range(10):
            assert _in_a_fresh_context(lambda: caches["default"].get("anything")) is None
        # The first request waited on the silent server and opened the breaker; the other
        # nine answered "miss" at once without connecting again.
        assert len(server.accepted) == 1
