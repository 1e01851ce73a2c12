"""Reading the tallies: sums over any days, from whole months in the middle and days at the
edges, for one team, some teams or the whole organisation (dashboard.models)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, Sum

from dashboard.models import ALL_TEAMS, Grain, Tally
from dashboard.rollups import flush

Interval = tuple[dt.date, dt.date]  # from the first day, up to (not including) the second


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def split(intervals: Sequence[Interval]) -> tuple[list[dt.date], list[Interval]]:
    """The months lying wholly inside one interval, and the spans of days left over."""
    months: list[dt.date] = []
    days: list[Interval] = []
    for start, end in intervals:
        first = start if start.day == 1 else _next_month(start)
        month = first
        while _next_month(month) <= end:
            months.append(month)
            month = _next_month(month)
        if month == first:  # no whole month inside: every day is read
            days.append((start, end))
            continue
        if start < first:
            days.append((start, first))
        if month < end:
            days.append((month, end))
    merged: list[Interval] = []
    for span in sorted(days):
        if merged and merged[-1][1] == span[0]:
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return months, merged


def sums(
    *,
    teams: Sequence[int],
    kind: str,
    metrics: Sequence[str],
    intervals: Sequence[Interval],
    by_team: bool = False,
    by_interval: bool = False,
) -> Counter[tuple[str, int | None, int | None, str]]:
    """(metric, team or None, interval index or None, value) -> how many, in one query.

    `teams` of [ALL_TEAMS] reads the organisation's rows. Intervals must not overlap.
    """
    flush(reading=True)  # changes made on this connection and not yet counted
    months, days = split(intervals)
    where = Q(grain=Grain.MONTH, start__in=months) if months else Q(pk__in=[])
    for start, end in days:
        where |= Q(grain=Grain.DAY, start__gte=start, start__lt=end)
    group = ["metric", "value"]
    if by_team:
        group.append("team_id")
    if by_interval:
        group.append("start")
    rows: Any = (
        Tally.objects.filter(where, team_id__in=list(teams), kind=kind, metric__in=list(metrics))
        .order_by()
        .values(*group)
        .annotate(total=Sum("n"))
        .values_list(*group, "total")
    )
    starts = [start for start, _ in intervals]
    out: Counter[tuple[str, int | None, int | None, str]] = Counter()
    for row in rows:
        metric, value, *rest = row
        n = rest[-1]
        team = rest[0] if by_team else None
        index = None
        if by_interval:
            index = bisect.bisect_right(starts, rest[-2]) - 1
        if n:
            out[(metric, team, index, value)] += n
    return out


__all__ = ["ALL_TEAMS", "Interval", "split", "sums"]
