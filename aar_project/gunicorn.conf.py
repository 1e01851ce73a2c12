"""gunicorn settings; every value can be overridden with GUNICORN_CMD_ARGS."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
# A worker is replaced after this many requests (spread by the jitter, so they do not all
# restart at once): whatever one huge page left behind in its memory is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
graceful_timeout = 20
keepalive = 5
# The app logs one line per request itself (with a request id and without query strings,
# where sign-in tokens travel), so gunicorn's access log stays off.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
