"""Request middleware: one log line per request (with a request id, never a query string,
where sign-in tokens travel), and what people send cleaned in one place."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string

from aar_project.text import CLEANED_NOTICE, clean_text

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


def _cleaned(data: QueryDict) -> tuple[QueryDict, bool]:
    """`data` itself when nothing in it needs cleaning (most requests: the poll, pages)."""
    if all(
        clean_text(key) == key and all(clean_text(v) == v for v in values)
        for key, values in data.lists()
    ):
        return data, False
    changed = False
    out = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean_key = clean_text(key)
        clean_values = [clean_text(v) for v in values]
        changed = changed or clean_key != key or clean_values != values
        out.setlist(clean_key, clean_values)
    out._mutable = False
    return out, changed


class CleanInputMiddleware:
    """One place where what people send is made safe to store and to render.

    Query parameters and form fields lose their control characters (NUL included) and get
    newlines for Unicode line separators; an uploaded file's name likewise. A path holding
    a control character names nothing: 404. When a form's text was changed, the person is
    told on the next page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if clean_text(request.path) != request.path:
            return HttpResponseNotFound("Not found")
        request.GET, _ = _cleaned(request.GET)  # type: ignore[assignment]
        # The API reads JSON only and cleans it in its parser (api.main); reading a form here
        # would consume the body it must answer about.
        if (
            request.method == "POST"
            and not request.path.startswith("/api/")
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        ):
            try:
                post = request.POST
            except (RequestDataTooBig, TooManyFieldsSent):
                return _too_big(request)
            cleaned, changed = _cleaned(post)
            request.POST = cleaned  # type: ignore[assignment]  # as immutable as Django's
            for name in request.FILES:
                for upload in request.FILES.getlist(name):
                    if upload.name:
                        upload.name = clean_text(upload.name)
            if changed and hasattr(request, "_messages"):
                messages.warning(request, CLEANED_NOTICE)
        return self.get_response(request)


def _too_big(request: HttpRequest) -> HttpResponse:
    """A body over Django's limits: say so in plain words (the text stays in the browser)."""
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    html = render_to_string("413.html", {"limit_mb": f"{limit_mb:g}"}, request)
    return HttpResponse(html, status=413)


class PageCompressionMiddleware(GZipMiddleware):
    """Pages and fragments leave gzipped. Django pads every compressed answer with random
    bytes (its "Heal the BREACH" mitigation), so a page that holds the CSRF token is safe to
    compress. Two kinds of answer are left as they are: a streaming one (the meeting's event
    stream), whose events must leave as they are written, and the live meeting's fragment
    answers (they carry X-AAR-Version): after each change the same fragments go to every
    open page, and compressing them once per page would put that work on the poll's hot path."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming or response.has_header("X-AAR-Version"):
            return response
        return super().process_response(request, response)


class FirstRunMiddleware:
    """Until setup is done (no staff user yet), every page redirects to /setup/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from reviews import first_run  # the app's models load after this module

        if not first_run.is_set_up() and not request.path.startswith(first_run.OPEN_PREFIXES):
            first_run.log_token_once()
            return HttpResponseRedirect("/setup/")
        return self.get_response(request)
