"""One log line per request, with a request id, and never a query string (sign-in tokens)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("aar.request")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Request-ID"] = request_id
        # request.path never holds the query string, where sign-in tokens travel; a calendar
        # feed's address is its own secret, so it is cut from the log too.
        path = "/actions/feed/…" if request.path.startswith("/actions/feed/") else request.path
        logger.info(
            "request_id=%s method=%s path=%s status=%s ms=%.1f",
            request_id,
            request.method,
            path,
            response.status_code,
            elapsed_ms,
        )
        return response
