"""The ASGI application `make web` serves: the pages, the polls and the meeting's push streams
on one address.

- The meeting's push streams (`/reviews/<slug>/meeting/stream/`) go to Django's ASGI handler:
  an asynchronous view that holds no thread of the pool and no database connection while open.
- Everything else goes to Django's WSGI handler in a pool of `WEB_THREADS` threads per
  process (a2wsgi), as gunicorn's threads ran it: Django's ASGI handler gives each request a
  thread of its own and runs the middleware across it, which measured three times as
  expensive (a bare view: 914 against 3,631 answers a second on two workers).
- A meeting poll whose review has not moved is answered here, before either: an empty 304
  from the signed token in the URL and one primary-key query (reviews.live.unchanged_poll),
  4,338 answers a second (585 through Django's ASGI handler) where a thousand polling pages
  need 500.
"""

import os
import re

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aar_project.settings")

streams = get_asgi_application()
pages = WSGIMiddleware(
    get_wsgi_application(),  # type: ignore[arg-type]
    workers=int(os.environ.get("WEB_THREADS", "4")),
)

from reviews import push  # noqa: E402 - needs the settings loaded above
from reviews.live import unchanged_poll  # noqa: E402

push.STREAMS_SERVED = True  # meeting pages served by this process offer the push stream
STREAM_PATH = re.compile(r"^/reviews/[-\w]+/meeting/stream/$")


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":  # lifespan and websockets: nothing to do
        await pages(scope, receive, send)
        return
    if await unchanged_poll(scope):
        await send(
            {
                "type": "http.response.start",
                "status": 304,
                "headers": [(b"cache-control", b"no-store")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    if STREAM_PATH.match(scope["path"]):
        await streams(scope, receive, send)
        return
    await pages(scope, receive, send)
