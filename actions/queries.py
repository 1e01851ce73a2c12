"""What "open", "overdue", "closed on time" mean, as conditions.

The dashboard counts with these and the action lists behind its numbers filter with the
same ones, so a figure and the list it links to always agree.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from aar_project.dates import day_start
from actions.models import CLOSED_STATUSES, OPEN_STATUSES, ActionStatus

DUE_SOON_DAYS = 7


def is_open() -> Q:
    return Q(status__in=OPEN_STATUSES)


# The due-date parts below are for counting among open actions; the lists use the whole.


def past_due(today: dt.date) -> Q:
    return Q(due_on__lt=today)


def due_within(today: dt.date) -> Q:
    return Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def late_range(today: dt.date, low: int, high: int | None) -> Q:
    q = Q(due_on__lte=today - dt.timedelta(days=max(low, 1)))
    if high is not None:
        q &= Q(due_on__gte=today - dt.timedelta(days=high))
    return q


def overdue(today: dt.date) -> Q:
    """Open and past due; due today is not overdue."""
    return is_open() & past_due(today)


def due_soon(today: dt.date) -> Q:
    """Open and due today or within the next seven days."""
    return is_open() & due_within(today)


def late_between(today: dt.date, low: int, high: int | None) -> Q:
    """Open and overdue by `low` to `high` days (inclusive; no `high`: at least `low`).

    Overdue by 1 day means it was due yesterday; a bucket starting at 0 starts at 1.
    """
    return is_open() & late_range(today, low, high)


def opened_in(start: dt.date, end: dt.date) -> Q:
    """Created on a day from `start` to `end`, both included."""
    return Q(created_at__gte=day_start(start), created_at__lt=day_start(end + dt.timedelta(days=1)))


def closed_in(start: dt.date, end: dt.date) -> Q:
    """Closed (done or won't do) on a day from `start` to `end`, both included."""
    return Q(
        status__in=CLOSED_STATUSES,
        closed_at__gte=day_start(start),
        closed_at__lt=day_start(end + dt.timedelta(days=1)),
    )


def done_in(start: dt.date, end: dt.date) -> Q:
    """Done (verified) on a day from `start` to `end`: what the closure rate counts."""
    return closed_in(start, end) & Q(status=ActionStatus.DONE)


def on_time() -> Q:
    """Closed no later than the day it was due; an action without a due date never is."""
    return Q(closed_at__date__lte=F("due_on"))
