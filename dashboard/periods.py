"""The period a dashboard covers, and the weeks or months its charts count by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))


@dataclass(frozen=True)
class Buckets:
    """Consecutive weeks (from Monday) or months covering a period, for time series."""

    unit: str  # "week" or "month"
    starts: list[dt.date]  # the first day of each bucket, and one past the last

    @classmethod
    def covering(cls, period: Period, *, weeks_up_to_days: int) -> Buckets:
        if period.days <= weeks_up_to_days:
            first = period.start - dt.timedelta(days=period.start.weekday())
            starts = [first]
            while starts[-1] <= period.end:
                starts.append(starts[-1] + dt.timedelta(days=7))
            return cls("week", starts)
        first = period.start.replace(day=1)
        starts = [first]
        while starts[-1] <= period.end:
            last = starts[-1]
            starts.append(
                dt.date(last.year + 1, 1, 1)
                if last.month == 12
                else dt.date(last.year, last.month + 1, 1)
            )
        return cls("month", starts)

    def label(self, index: int) -> str:
        day = self.starts[index]
        return day.strftime("%d %b") if self.unit == "week" else day.strftime("%b %Y")

    def __len__(self) -> int:
        return len(self.starts) - 1
