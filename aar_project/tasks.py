"""Enqueueing helpers shared by the apps' tasks."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Send `task` after the transaction commits; a broker error never fails the request.

    The row that describes the work is already committed, so the periodic sweeper picks it
    up if this message is lost.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - broker down: the sweeper re-enqueues later
            logger.warning("could not enqueue %s%r; the sweeper will retry", task.name, args)

    transaction.on_commit(send, robust=True)
