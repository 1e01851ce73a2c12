"""The delivery owner's figures, computed in SQL: a fixed number of queries whatever the data.

Actions carry their team, so the action figures scan one index per question (open actions by
due date, actions opened, actions closed) for the chosen teams without joining reviews; the
review kind filter alone needs the join. Medians are read off counts per distinct value
(days, minutes), which SQL groups: the same on PostgreSQL and SQLite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from aar_project.dates import day_start
from actions.models import (
    ActionItem,
    closed_in,
    done_in,
    due_within,
    is_open,
    late_range,
    on_time,
    opened_in,
    overdue,
    past_due,
)
from reviews.models import (
    WAITING_LATE_DAYS,
    AgendaPhase,
    CausalFactor,
    CausalFactorType,
    ContributingFactor,
    FactorCategory,
    Phase,
    Review,
    ReviewStatus,
    review_conditions,
)
from reviews.versions import team_version_key

logger = logging.getLogger("aar.dashboard")
T = TypeVar("T")

AGE_BUCKETS = [
    (0, 7, "0–7 days"),
    (8, 30, "8–30 days"),
    (31, 90, "31–90 days"),
    (91, None, "over 90 days"),
]
LIST_LIMIT = 10  # the lists on the page; each links to the full list


class DaysBetween(Func):
    """Whole calendar days (UTC) from the first date-time to the second, as a number."""

    output_field = FloatField()

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        start, end = self.source_expressions
        s_sql, s_params = compiler.compile(start)
        e_sql, e_params = compiler.compile(end)
        return s_sql, e_sql, [*e_params, *s_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        s_sql, e_sql, params = self._parts(compiler, connection)
        return (
            f"((({e_sql}) AT TIME ZONE 'UTC')::date - (({s_sql}) AT TIME ZONE 'UTC')::date)::float",
            params,
        )

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        s_sql, e_sql, params = self._parts(compiler, connection)
        return f"(julianday(date({e_sql})) - julianday(date({s_sql})))", params


class Bucket(Func):
    """Which of the consecutive intervals [edges[i-1], edges[i]) a date-time falls in: 1..n.

    `width_bucket` over a timestamp array on PostgreSQL (a binary search per row); a CASE
    on SQLite. Rows must already lie within [edges[0], edges[-1]).
    """

    output_field = IntegerField()

    def __init__(self, expression: Any, edges: list[dt.datetime]) -> None:
        super().__init__(expression)
        self.edges = edges

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, %s::timestamptz[])", [*params, self.edges]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        whens, out = [], []
        for i, edge in enumerate(self.edges[1:-1], start=1):
            whens.append(f"WHEN {sql} < %s THEN {i}")
            out += [*params, connection.ops.adapt_datetimefield_value(edge)]
        if not whens:
            return "1", []
        return f"CASE {' '.join(whens)} ELSE {len(self.edges) - 1} END", out


def bucket_of(field: str, days: list[dt.date]) -> Bucket:
    """Which interval between consecutive `days` (each from its first instant) `field` is in."""
    return Bucket(F(field), [day_start(day) for day in days])


def _days(start: str, end: str) -> Any:
    return DaysBetween(F(start), F(end))


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def histogram_median(counts: Iterable[tuple[float, int]]) -> float | None:
    """The median (as percentile_cont(0.5)) of values given as (value, how many) pairs."""
    pairs = sorted((value, n) for value, n in counts if value is not None and n)
    total = sum(n for _, n in pairs)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), counted from 0
    found: list[float] = []
    seen = 0
    for value, n in pairs:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return _round(sum(found) / len(found))


def median(qs: QuerySet[Any], expression: Any) -> float | None:
    """The median of `expression` over `qs`: SQL counts each distinct value (a few hundred
    at most for whole days), and the median is read off those counts."""
    return histogram_median(
        qs.order_by().annotate(_v=expression).values_list("_v").annotate(n=Count("pk"))
    )


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


def figures(*, teams: QuerySet[Any], period: Period, kind: str, today: dt.date) -> dict[str, Any]:
    """Every figure of the dashboard for `teams` (their reviews of `kind`, if given)."""
    team_rows = list(teams.order_by("name").values("pk", "slug", "name"))
    team_ids = [row["pk"] for row in team_rows]
    reviews = Review.objects.filter(team_id__in=team_ids).exclude(status=ReviewStatus.CANCELLED)
    actions = ActionItem.objects.filter(team_id__in=team_ids)
    if kind:
        reviews = reviews.filter(kind=kind)
        actions = actions.filter(review__kind=kind)
    in_period = reviews.filter(
        created_at__gte=day_start(period.start),
        created_at__lt=day_start(period.end + dt.timedelta(days=1)),
    )
    blank = {
        "reviews": 0,
        "waiting": 0,
        "waiting_late": 0,
        "unpublished": 0,
        "open": 0,
        "overdue": 0,
        "due_soon": 0,
        **{f"age_{low}": 0 for low, _, _ in AGE_BUCKETS},
        "closed": 0,
        "on_time": 0,
        "on_time_rate": None,
    }
    per_team: dict[int, dict[str, Any]] = {row["pk"]: {**blank, **row} for row in team_rows}

    review_figures = _reviews(reviews, in_period, today, per_team)
    action_figures = _actions(actions, period, today, per_team)
    chart_buckets = Buckets.covering(period, weeks_up_to_days=371)
    return {
        **review_figures,
        **action_figures,
        "buckets": chart_buckets,
        "weeks": _opened_closed(actions, period, chart_buckets),
        "overruns": _overruns(_of_reviews(team_ids, kind, period)),
        "factors": _factors(_of_reviews(team_ids, kind), period),
        "teams": list(per_team.values()),
    }


def _of_reviews(team_ids: list[int], kind: str, period: Period | None = None) -> Q:
    """Rows (agenda phases, factors) of the chosen reviews, as conditions on `review__`:
    one join, where `review__in=<queryset>` would join the reviews twice."""
    q = Q(review__team_id__in=team_ids) & ~Q(review__status=ReviewStatus.CANCELLED)
    if kind:
        q &= Q(review__kind=kind)
    if period:
        q &= Q(
            review__created_at__gte=day_start(period.start),
            review__created_at__lt=day_start(period.end + dt.timedelta(days=1)),
        )
    return q


def _reviews(
    reviews: QuerySet[Any],
    in_period: QuerySet[Any],
    today: dt.date,
    per_team: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for team_id, status, n in (
        in_period.order_by().values_list("team_id", "status").annotate(n=Count("pk"))
    ):
        by_status[status] = by_status.get(status, 0) + n
        per_team[team_id]["reviews"] += n
    conditions = review_conditions(today)
    counted = ("waiting", "waiting_late", "unpublished")
    for row in (
        reviews.filter(
            status__in=[ReviewStatus.DRAFT, ReviewStatus.PREPARING, ReviewStatus.WRITING]
        )
        .order_by()
        .values("team_id")
        .annotate(**{key: Count("pk", filter=conditions[key]) for key in counted})
    ):
        per_team[row["team_id"]].update({key: row[key] for key in counted})
    totals = _totals(per_team, counted)
    waiting = [
        {
            "slug": slug,
            "title": title,
            "team": team,
            "waiting_days": days,
            "late": days > WAITING_LATE_DAYS,
        }
        for slug, title, team, event in reviews.filter(conditions["waiting"])
        .order_by("event_started_at", "pk")
        .values_list("slug", "title", "team__name", "event_started_at")[:LIST_LIMIT]
        for days in [(today - timezone.localtime(event).date()).days]
    ]
    unpublished = list(
        reviews.filter(conditions["unpublished"])
        .order_by("meeting_ended_at", "pk")
        .values("slug", "title", "team__name", "meeting_ended_at")[:LIST_LIMIT]
    )
    held = in_period.filter(
        scheduled_at__isnull=False, event_started_at__isnull=False, meeting_started_at__isnull=False
    )
    to_meeting = median(held, _days("event_started_at", "scheduled_at"))
    return {
        "by_status": by_status,
        "reviews_in_period": sum(by_status.values()),
        "waiting": waiting,
        "waiting_count": totals["waiting"],
        "waiting_late": totals["waiting_late"],
        "median_to_meeting": to_meeting,
        "unpublished": unpublished,
        "unpublished_count": totals["unpublished"],
    }


def _actions(
    actions: QuerySet[Any], period: Period, today: dt.date, per_team: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    # Counted among open actions, so each condition is only its due-date part.
    open_counts = {
        "open": Count("*"),
        "overdue": Count("pk", filter=past_due(today)),
        "due_soon": Count("pk", filter=due_within(today)),
        **{
            f"age_{low}": Count("pk", filter=late_range(today, low, high))
            for low, high, _ in AGE_BUCKETS
        },
    }
    for row in actions.filter(is_open()).order_by().values("team_id").annotate(**open_counts):
        per_team[row["team_id"]].update({key: row[key] for key in open_counts})
    # Done in the period, counted per team, days taken and whether on time: one scan gives
    # the closure rate, per team and in all, and the median days to close.
    done = actions.filter(done_in(period.start, period.end))
    days_taken: dict[float, int] = defaultdict(int)
    for team_id, days, in_time, n in (
        done.order_by()
        .annotate(
            days=_days("created_at", "closed_at"),
            in_time=ExpressionWrapper(on_time(), output_field=BooleanField()),
        )
        .values_list("team_id", "days", "in_time")
        .annotate(n=Count("pk"))
    ):
        per_team[team_id]["closed"] += n
        if in_time:
            per_team[team_id]["on_time"] += n
        days_taken[days] += n
    for row_team in per_team.values():
        row_team["on_time_rate"] = _rate(row_team["on_time"], row_team["closed"])
    to_close = histogram_median(days_taken.items())
    totals = _totals(per_team, [*open_counts, "closed", "on_time"])
    # Counted per owner alone (the names would widen every group), named afterwards.
    top = list(
        actions.filter(overdue(today), owner__isnull=False)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_id")
        .values_list("owner_id", "n")[:10]
    )
    people = get_user_model().objects.in_bulk([owner_id for owner_id, _ in top])
    owners = [{"owner_id": owner_id, "owner": people[owner_id], "n": n} for owner_id, n in top]
    return {
        "open": totals["open"],
        "overdue": totals["overdue"],
        "due_soon": totals["due_soon"],
        "ageing": [
            {"label": label, "n": totals[f"age_{low}"], "low": low, "high": high}
            for low, high, label in AGE_BUCKETS
        ],
        "closed": totals["closed"],
        "on_time": totals["on_time"],
        "on_time_rate": _rate(totals["on_time"], totals["closed"]),
        "median_to_close": to_close,
        "owners": owners,
    }


def _totals(per_team: dict[int, dict[str, Any]], keys: Iterable[str]) -> dict[str, int]:
    return {key: sum(row[key] for row in per_team.values()) for key in keys}


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _opened_closed(
    actions: QuerySet[Any], period: Period, buckets: Buckets
) -> list[dict[str, Any]]:
    """Actions opened and actions closed (done or won't do) per bucket, in one query."""

    def per_bucket(condition: Q, field: str, series: int) -> QuerySet[Any]:
        rows: QuerySet[Any] = (
            actions.filter(condition)
            .order_by()
            .annotate(b=bucket_of(field, buckets.starts))
            .values("b")
            .annotate(n=Count("pk"), series=Value(series))
            .values_list("series", "b", "n")
        )
        return rows

    opened = per_bucket(opened_in(period.start, period.end), "created_at", 0)
    closed = per_bucket(closed_in(period.start, period.end), "closed_at", 1)
    counts = [[0] * len(buckets), [0] * len(buckets)]
    for series, index, n in opened.union(closed, all=True):
        counts[series][index - 1] += n
    return [
        {
            "week": buckets.starts[i],
            "label": buckets.label(i),
            "until": min(buckets.starts[i + 1] - dt.timedelta(days=1), period.end),
            "since": max(buckets.starts[i], period.start),
            "opened": counts[0][i],
            "closed": counts[1][i],
        }
        for i in range(len(buckets))
    ]


def _overruns(of_reviews: Q) -> list[dict[str, Any]]:
    """Per agenda phase: meetings that held it, how many overran, the median overrun.

    One query counts phases per whole minute of overrun (0: on time), rounded up.
    """
    over = Q(spent_seconds__gt=F("planned_minutes") * 60)
    minutes = Case(
        When(over, then=(F("spent_seconds") - F("planned_minutes") * 60 + 59) / 60),
        default=Value(0),
        output_field=IntegerField(),
    )
    held: dict[str, int] = defaultdict(int)
    overran: dict[str, dict[float, int]] = defaultdict(dict)
    for phase, minutes_over, n in (
        AgendaPhase.objects.filter(of_reviews, started_at__isnull=False)
        .order_by()
        .annotate(m=minutes)
        .values_list("phase", "m")
        .annotate(n=Count("pk"))
    ):
        held[phase] += n
        if minutes_over:
            overran[phase][minutes_over] = n
    out = []
    for phase, label in Phase.choices:
        if held[phase]:
            over_n = sum(overran[phase].values())
            out.append(
                {
                    "phase": phase,
                    "label": label,
                    "held": held[phase],
                    "over": over_n,
                    "over_rate": _rate(over_n, held[phase]),
                    "median_over_minutes": histogram_median(overran[phase].items()),
                }
            )
    return out


def _factors(of_reviews: Q, period: Period) -> dict[str, Any]:
    """Contributing-factor categories and causal-factor types: this period against the one
    before, and categories per week (per month over three months) of the period.

    Each is one query: factors counted per value and per interval, where the first interval
    is the period before and the others are the chart's weeks or months.
    """
    before = period.before()
    buckets = Buckets.covering(period, weeks_up_to_days=92)
    edges = [before.start, period.start, *buckets.starts[1:-1], period.end + dt.timedelta(days=1)]

    def counted(model: Any, field: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for value, index, n in (
            model.objects.filter(
                of_reviews,
                review__created_at__gte=day_start(edges[0]),
                review__created_at__lt=day_start(edges[-1]),
            )
            .order_by()
            .annotate(b=bucket_of("review__created_at", edges))
            .values_list(field, "b")
            .annotate(n=Count("pk"))
        ):
            out.setdefault(value, [0] * (len(edges) - 1))[index - 1] += n
        return out

    def compare(
        counts: dict[str, list[int]], labels: Iterable[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        rows = []
        for value, label in labels:
            per = counts.get(value)
            if per:
                now, earlier = sum(per[1:]), per[0]
                rows.append(
                    {
                        "value": value,
                        "label": label,
                        "n": now,
                        "before": earlier,
                        "change": now - earlier,
                    }
                )
        return sorted(rows, key=lambda r: (-r["n"], r["label"]))

    categories = counted(ContributingFactor, "category")
    labels = dict(FactorCategory.choices)
    series = sorted(
        ((labels.get(c, c), per[1:]) for c, per in categories.items() if any(per[1:])),
        key=lambda kv: (-sum(kv[1]), kv[0]),
    )
    return {
        "categories": compare(categories, FactorCategory.choices),
        "types": compare(counted(CausalFactor, "factor_type"), CausalFactorType.choices),
        "before": before,
        "over_time": {
            "unit": buckets.unit,
            "labels": [buckets.label(i) for i in range(len(buckets))],
            "series": series,
        },
    }


# --- Kept figures ------------------------------------------------------------------------
def kept(
    team_ids: list[int], parts: Iterable[Any], compute: Callable[[], T]
) -> tuple[T, dt.datetime]:
    """compute(), kept for DASHBOARD_CACHE_SECONDS under `parts` and the teams' versions.

    Returns the value and when it was computed. Without a cache, it computes every time.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute(), timezone.now()
    try:
        keys = [team_version_key(team_id) for team_id in team_ids]
        versions = cache.get_many(keys)
        for key in keys:
            if key not in versions:
                cache.add(key, time.time_ns(), None)
                versions[key] = cache.get(key)
        raw = "|".join(
            str(part)
            for part in (connection.vendor, *[versions[key] for key in keys], *team_ids, *parts)
        )
        key = "dashboard:figures:" + hashlib.sha256(raw.encode()).hexdigest()
        found = cache.get(key)
    except Exception:
        logger.warning("dashboard: the cache is unavailable, computing afresh", exc_info=True)
        return compute(), timezone.now()
    if found is not None:
        return found  # type: ignore[no-any-return]
    result = (compute(), timezone.now())
    try:
        cache.set(key, result, seconds)
    except Exception:
        logger.warning("dashboard: could not keep the figures", exc_info=True)
    return result
