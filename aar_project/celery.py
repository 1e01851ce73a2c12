"""The Celery app. Configuration comes from Django's settings (the CELERY_ prefix)."""

import os
import time

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aar_project.settings")

app = Celery("aar_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


HEARTBEAT_KEY = "aar:worker-heartbeat"


@app.task(name="aar_project.heartbeat", ignore_result=True, time_limit=30, soft_time_limit=20)
def heartbeat(token: str = "") -> None:
    """Record that a worker ran a task (beat sends one a minute; /healthz reports its age)."""
    from django.core.cache import cache  # Django's settings are loaded once the app runs

    cache.set(HEARTBEAT_KEY, {"token": token, "at": time.time()}, timeout=24 * 3600)
