"""Reading the tallies: sums over any days, from whole months in the middle and days at the
edges, for one team, some teams or the whole organisation (dashboard.models)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import connection

from dashboard.models import ALL_TEAMS, Grain, Tally

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

    `teams` of [ALL_TEAMS] reads the organisation's rows. Intervals must not overlap. What
    this connection changed must be counted first (dashboard.rollups.flush).
    """
    months, days = split(intervals)
    # Written out: the ORM's building of this query cost more than PostgreSQL's running it.
    where: list[str] = []
    params: list[Any] = []
    if months:
        where.append(f"(grain = %s AND start IN ({', '.join(['%s'] * len(months))}))")
        params += [Grain.MONTH, *months]
    for start, end in days:
        where.append("(grain = %s AND start >= %s AND start < %s)")
        params += [Grain.DAY, start, end]
    if not where:
        return Counter()
    group = (
        ["metric", "value"] + (["team_id"] if by_team else []) + (["start"] if by_interval else [])
    )
    sql = (
        f"SELECT {', '.join(group)}, SUM(n) FROM {Tally._meta.db_table} "  # noqa: S608 (ours)
        f"WHERE team_id IN ({', '.join(['%s'] * len(teams))}) AND kind = %s "
        f"AND metric IN ({', '.join(['%s'] * len(metrics))}) AND ({' OR '.join(where)}) "
        f"GROUP BY {', '.join(group)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*teams, kind, *metrics, *params])
        rows = cursor.fetchall()
    starts = [start for start, _ in intervals]
    out: Counter[tuple[str, int | None, int | None, str]] = Counter()
    for row in rows:
        metric, value, *rest = row
        n = int(rest[-1] or 0)
        team = rest[0] if by_team else None
        index = None
        if by_interval:
            day = rest[-2]
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
            index = bisect.bisect_right(starts, day) - 1
        if n:
            out[(metric, team, index, value)] += n
    return out


__all__ = ["ALL_TEAMS", "Interval", "split", "sums"]
