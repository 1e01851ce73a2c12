"""What happened to a review or an action, told to whoever listens (the API's webhooks).

The services announce inside the transaction of the change, so a listener's rows (a
webhook delivery) are written or rolled back with it. `key` names the change once: the
same key announced twice is one event for the listener. The listeners are connected by
their apps; this module imports no model, service, view or task.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.dispatch import Signal


class Event(models.TextChoices):
    REVIEW_SCHEDULED = "review.scheduled", "A review's meeting is scheduled or moved"
    REVIEW_PUBLISHED = "review.published", "A report is published"
    ACTION_CREATED = "action.created", "An action is created"
    ACTION_UPDATED = "action.updated", "An action changes (status, owner, due date, text)"
    ACTION_OVERDUE = "action.overdue", "An action is past its due date (once per due date)"
    ACTION_CLOSED = "action.closed", "An action is done or dropped"
    ACCOUNTS_DUE = "review.accounts_due", "Written accounts are due tomorrow"
    OVERDUE_DIGEST = "actions.digest", "A weekly digest of the team's overdue actions"


# Sent with event (an Event value), team_id, key and subject (the Review or ActionItem).
happened = Signal()


_held = threading.local()


def announce(event: Event, *, team_id: int, key: str, subject: object) -> None:
    held: dict[tuple[type, Any], dict[str, Any]] | None = getattr(_held, "announcements", None)
    if held is not None:  # inside as_one(): the latest word on each subject is kept
        subject_key = (type(subject), getattr(subject, "pk", id(subject)))
        held[subject_key] = {"event": event, "team_id": team_id, "key": key, "subject": subject}
        return
    happened.send(sender=Event, event=event, team_id=team_id, key=key, subject=subject)


@contextlib.contextmanager
def as_one() -> Iterator[None]:
    """Several changes made as one (an API call that sets a ticket, a date and a status)
    are announced as one: the last event of each subject, when the block ends without an
    error. Use it inside the transaction, so the listeners' rows are written with it."""
    if getattr(_held, "announcements", None) is not None:
        yield  # already inside one
        return
    _held.announcements = {}
    try:
        yield
        waiting = list(_held.announcements.values())
    finally:
        _held.announcements = None
    for announcement in waiting:
        happened.send(sender=Event, **announcement)
