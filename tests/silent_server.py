"""A server that accepts TCP connections and never answers: a hung or partitioned Redis."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import kombu.pools
from django.test import override_settings

from aar_project import tasks as task_sending
from aar_project.celery import app


class SilentServer:
    """Accepts TCP connections, reads nothing, answers nothing."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.sock.close()
        for connection in self.accepted:
            connection.close()


@contextlib.contextmanager
def redis_gone_silent() -> Iterator[SilentServer]:
    """The cache, the broker and /healthz pointed at a SilentServer (with the production
    timeouts and a real, not eager, broker), and back afterwards."""
    server = SilentServer()
    url = f"redis://127.0.0.1:{server.port}/0"
    caches = {
        "default": {
            "BACKEND": "aar_project.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "aar",
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    }
    timeouts = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    try:
        with (
            broker_at(url, task_always_eager=False, broker_transport_options=timeouts),
            override_settings(CACHES=caches, REDIS_URL=url, DASHBOARD_CACHE_SECONDS=300),
        ):
            yield server
    finally:
        server.close()


@contextlib.contextmanager
def broker_at(url: str, **conf: object) -> Iterator[None]:
    """Tasks sent from this process go to the broker at `url` (with any other Celery
    settings given), through fresh connections; everything back afterwards."""
    names = ["broker_url", *conf]
    previous = {name: getattr(app.conf, name) for name in names}
    for name, value in {"broker_url": url, **conf}.items():
        setattr(app.conf, name, value)
    fresh_broker_pools()
    try:
        yield
    finally:
        for name, value in previous.items():
            setattr(app.conf, name, value)
        fresh_broker_pools()


def fresh_broker_pools() -> None:
    """Drop every pooled broker connection, so sends use the broker URL set now."""
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()
    task_sending.broker_breaker.close()
