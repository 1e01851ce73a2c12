"""Days: as ranges of instants in the current time zone, and the range a review can be about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# The range of days a review can be about. Wider values (year 1, year 9999) overflow time-zone
# arithmetic and PostgreSQL's ranges once an offset is applied, and no event is there.
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2200, 12, 31)
OUT_OF_RANGE = "Give a date between 1970 and 2200."


def in_range(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return FIRST_DAY <= day <= LAST_DAY


def sane_date(value: dt.date | dt.datetime | None) -> None:
    """A form validator: a day (or moment) between FIRST_DAY and LAST_DAY."""
    if value is not None and not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")


def date_field(**kwargs: Any) -> forms.DateField:
    """A date as people pick it (`<input type="date">`), within the sane range."""
    kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    return forms.DateField(validators=[sane_date], **kwargs)
