"""Days as ranges of instants, in the current time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
