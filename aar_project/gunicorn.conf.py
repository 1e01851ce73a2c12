"""gunicorn settings for `make web`; every value can be overridden with GUNICORN_CMD_ARGS.

gunicorn manages the processes (restarts, recycling); each one is a uvicorn worker serving
aar_project.asgi: the pages (Django's WSGI handler in a pool of threads), the meeting's polls
and its push streams (asynchronous, one Redis subscription per process). See the README for
the measurements behind this choice.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn_worker.UvicornWorker"
# Read by the settings of every worker: PostgreSQL connections come from a pool this size,
# one for each page thread (WEB_THREADS, 4), each thread of the unchanged poll (2, a bounded
# executor: the polls cannot take the cores from the pages) and two for the push hub and
# streams as they open. Measured under a thousand pollers (push off), change-to-screen p95:
# 4 page threads 2.1-2.5 s, 8 threads 2.4-2.8 s, 16 threads 4.0 s; more threads only wait
# longer on one another for the interpreter.
os.environ.setdefault("DB_POOL_SIZE", "8")
timeout = 30
# A worker is replaced after this many requests (spread by the jitter, so they do not all
# restart at once): whatever one huge page left behind in its memory is given back. Its open
# streams end with it; the browsers reconnect to the others within a second.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
graceful_timeout = 20
keepalive = 5
# The app logs one line per request itself (with a request id and without query strings,
# where sign-in tokens travel), so gunicorn's access log stays off.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
