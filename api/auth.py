"""Bearer tokens on every API request: who is asking, with which scope, how often.

`Authorization: Bearer aar_…`. A missing, unknown, expired or revoked token is 401; a read
token on a write is 403; more than API_RATE_LIMIT requests of one token in a minute is 429
with Retry-After. The person behind the token becomes `request.user`, so the API asks the
same access helpers as the pages.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from aar_project.ratelimit import is_limited
from api.models import ApiToken
from api.tokens import TokenRejected, token_authenticate

RATE_WINDOW = 60  # seconds; the limit is API_RATE_LIMIT requests per token per window


class Unauthorized(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ScopeMissing(Exception):
    """A read-only token on a request that changes something."""


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _check_rate(token: ApiToken) -> None:
    """One fixed window per minute of the clock, counted in the cache per token."""
    now = time.time()
    window = int(now // RATE_WINDOW)
    if is_limited(
        f"api:{window}", str(token.pk), limit=settings.API_RATE_LIMIT, window=RATE_WINDOW
    ):
        raise RateLimited(max(1, math.ceil((window + 1) * RATE_WINDOW - now)))


class TokenAuth(HttpBearer):
    openapi_description = "A personal access token: `Authorization: Bearer aar_…`."

    def __init__(self, *, write: bool) -> None:
        super().__init__()
        self.write = write

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            row = token_authenticate(token)
        except TokenRejected as exc:
            raise Unauthorized(str(exc)) from None
        _check_rate(row)
        if self.write and not row.can_write:
            raise ScopeMissing()
        request.user = row.user
        return row


read_token = TokenAuth(write=False)
write_token = TokenAuth(write=True)
