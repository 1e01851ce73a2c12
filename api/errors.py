"""The API's error answers: JSON with a `detail` sentence, and for bad input `errors` by field.

400 {"detail": "The input is not valid.", "errors": {"title": ["Give the event a title."]}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.auth import RateLimited, ScopeMissing, Unauthorized
from reviews.versions import Stale

if TYPE_CHECKING:
    from ninja import NinjaAPI


class InvalidInput(Exception):
    """Input the rules refuse: messages by field name; nothing was changed."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


# Where pydantic says a value came from; the rest of its location is the field's path.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


# The operations' parameter names that group a body or query into one schema.
_GROUPS = {"payload", "filters"}


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if parts and (source == "body" or parts[0] in _GROUPS) and len(parts) > 1:
            parts.pop(0)  # the parameter ("payload", "filters"), not a field of the client's
        elif source == "body" and parts:
            parts.pop(0)
    # A union's member ("str-enum[ActionStatus]", "literal['all']") is pydantic's, not a field.
    parts = [p for p in parts if not (isinstance(p, str) and ("[" in p or "(" in p))]
    return ".".join(str(p) for p in parts) or "body"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def bad_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(field_name(error.get("loc", ())), []).append(_message(error))
        return answer(request, {"detail": "The input is not valid.", "errors": errors}, 400)

    @api.exception_handler(InvalidInput)
    def refused(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return answer(request, {"detail": "The input is not valid.", "errors": exc.errors}, 400)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # ninja's answer to a body it cannot parse
            detail = "The body must be one JSON object, and it could not be read as one."
            return answer(request, {"detail": detail, "errors": {"body": [detail]}}, 400)
        return answer(request, {"detail": str(exc)}, exc.status_code)

    @api.exception_handler(AuthenticationError)
    def no_token(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = "Send a personal access token: Authorization: Bearer aar_…"
        response = answer(request, {"detail": detail}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="aar"'
        return response

    @api.exception_handler(Unauthorized)
    def bad_token(request: HttpRequest, exc: Unauthorized) -> HttpResponse:
        response = answer(request, {"detail": exc.detail}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="aar", error="invalid_token"'
        return response

    @api.exception_handler(ScopeMissing)
    def read_only(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
        detail = "This token may only read; this request needs a token with the write scope."
        return answer(request, {"detail": detail}, 403)

    @api.exception_handler(RateLimited)
    def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        detail = f"Too many requests with this token; try again in {exc.retry_after} s."
        response = answer(request, {"detail": detail}, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        detail = f"The body is over {limit} KB; send the entries in smaller batches."
        return answer(request, {"detail": detail, "errors": {"body": [detail]}}, 413)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, {"detail": "Not found."}, 404)

    @api.exception_handler(Stale)
    def stale(request: HttpRequest, exc: Stale) -> HttpResponse:
        detail = "It was changed since the version you sent; read it again and retry."
        return answer(request, {"detail": detail, "version": exc.version}, 409)
