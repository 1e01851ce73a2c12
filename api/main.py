"""The REST API at /api/v1/ (django-ninja): its routers, error answers, parser and schema.

The OpenAPI 3 document is at /api/v1/openapi.json (public: it describes, it holds no data);
its browsable page at /api/v1/docs/ is for signed-in people.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.parser import Parser

from aar_project.text import clean_text
from api import errors
from api.endpoints import actions, me, reviews, webhooks


def _cleaned(value: Any) -> Any:
    """Every string of a JSON body without control characters, as the form middleware
    cleans what the pages post (PostgreSQL refuses NUL in text)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): _cleaned(v) for k, v in value.items()}
    return value


class CleanJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        cleaned: dict[str, Any] = _cleaned(data)
        return cleaned


api = NinjaAPI(
    title="AAR API",
    version="1",
    description=(
        "After Action Reviews, their timelines and their actions. Authenticate with a "
        "personal access token (made on your settings page): `Authorization: Bearer aar_…`. "
        "Every answer holds exactly what that person may see in the browser; what they may not "
        "see is 404."
    ),
    urls_namespace="api",
    parser=CleanJSONParser(),
    openapi_url="/openapi.json",
    docs_url=None,
    docs_decorator=require_GET,
)
errors.install(api)
api.add_router("/", me.router)
api.add_router("/", reviews.router)
api.add_router("/", actions.router)
api.add_router("/", webhooks.router)


@require_GET
@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """The browsable documentation (Swagger UI, served from our own static files)."""
    return api.docs.render_page(request, api)
