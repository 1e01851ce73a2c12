"""Enqueueing helpers shared by the apps' tasks."""

from __future__ import annotations

import logging

from django.db import transaction

from aar_project.cache import BREAKER_SECONDS, Breaker
from aar_project.celery import app

logger = logging.getLogger(__name__)
# After a failed send the broker is left alone for a while: saves answer at once and the
# sweeper sends what they recorded once the broker answers again.
broker_breaker = Breaker(BREAKER_SECONDS, name="the broker")


def enqueue_on_commit(task_name: str, *args: object) -> None:
    """Send the task registered as `task_name` after the transaction commits; a broker error
    never fails the request.

    Tasks are named, not imported, so the services that enqueue them never import the tasks
    modules (which import the services). The row that describes the work is already
    committed, so the periodic sweeper picks it up if this message is lost.
    """
    if task_name not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules, found by autodiscovery
    task = app.tasks[task_name]  # an unknown name is a programming error: raise here

    def send() -> None:
        if broker_breaker.is_open() and not app.conf.task_always_eager:
            logger.info("the broker is unavailable; %s%r waits for the sweeper", task_name, args)
            return
        try:
            task.delay(*args)
        except Exception as error:
            broker_breaker.trip(error)
            logger.warning(
                "could not enqueue %s%r; the sweeper will retry", task_name, args, exc_info=True
            )

    transaction.on_commit(send, robust=True)
