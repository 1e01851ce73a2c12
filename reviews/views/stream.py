"""The meeting's push stream (Server-Sent Events), served by the ASGI web processes.

Who may not see the review gets a 404 before the stream opens; while Redis does not answer
the answer is a 503 and the page keeps polling. After each change the stream carries the
page's fragments (rendered once per role by the process's hub, access decided again for every
open page in one go, see reviews.live.stream_fragments); when it opens, only the version, and
the page fetches what it missed through the poll URL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from aar_project.db import give_back_connection
from reviews import push
from reviews.access import get_review_for
from reviews.display import display_name
from reviews.live import idle_key, review_state, stream_fragments

P = ParamSpec("P")
T = TypeVar("T")


def _presence(review_id: int, user_ids: list[int]) -> str:
    """Who has the meeting open, by name and initials, and who of them is idle."""
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))
    idle = cache.get_many([idle_key(review_id, u.pk) for u in users])
    people = sorted(
        (
            {"name": name, "initials": initials(name), "idle": idle_key(review_id, u.pk) in idle}
            for u in users
            for name in [display_name(u)]
        ),
        key=lambda p: (p["idle"], p["name"]),
    )
    return render_to_string("reviews/partials/_presence.html", {"people": people}).strip()


def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def _returned(function: Callable[P, T]) -> Callable[P, T]:
    """The hub's work on its own thread, the database connection given back after each call:
    the hub holds none of the pool's between changes."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        finally:
            give_back_connection()

    return call


_presence_async = sync_to_async(_returned(_presence))
_fragments_async = sync_to_async(_returned(stream_fragments))


@sync_to_async
def _release() -> None:
    """The request's own thread gives back its database connection: 2,000 open streams must
    not hold 2,000 connections (the hub's presence queries use a thread of their own)."""
    connection.close()


@login_required
@require_GET
async def meeting_stream(request: HttpRequest, slug: str) -> HttpResponseBase:
    user = await request.auser()
    access = await sync_to_async(get_review_for)(user, slug)  # a 404 for whoever may not see it
    if not push.enabled() or not isinstance(request, ASGIRequest):
        # No Redis, or served by a WSGI process (runserver): the page polls. 204 tells a
        # browser's EventSource not to come back.
        return HttpResponse(status=204)
    hub = push.hub_for_loop(_presence_async, _fragments_async)
    try:
        stream = await hub.join(
            access.review.pk, access.user_id, presenter=request.GET.get("presenter") == "1"
        )
    except push.Unavailable:
        unavailable = HttpResponse("Push is unavailable; the page polls.", status=503)
        unavailable["Retry-After"] = "5"
        return unavailable
    # Joined first, then read: a change between the two is not missed.
    state = await sync_to_async(review_state)(access.review.pk, access.review.slug)
    response = StreamingHttpResponse(
        push.events(hub, stream, state.version if state else 0, release=_release),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
