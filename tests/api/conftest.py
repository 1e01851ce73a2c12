"""Calling the API through HTTP with real tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.models import Scope
from api.tokens import token_create


def token_for(user: Any, *, write: bool = True, days: int | None = 90) -> str:
    _, token = token_create(
        user=user, name="test", scope=Scope.WRITE if write else Scope.READ, days=days
    )
    return token


class Api:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(
        self, method: str, url: str, token: str | None, body: Any = None, raw: str | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        call = getattr(self.client, method.lower())
        if data is None:
            return call(url, headers=headers)
        return call(url, data=data, content_type="application/json", headers=headers)

    def get(self, url: str, token: str | None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(url, params, headers=headers)


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def receiver(settings: Any) -> Any:
    """A real HTTP receiver on 127.0.0.1, which AAR may call (private addresses allowed)."""
    from tests.webhook_receiver import Receiver

    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT = 0.5
    made = Receiver()
    yield made
    made.close()
