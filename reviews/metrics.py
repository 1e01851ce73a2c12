"""The delivery owner's figures, computed in SQL: a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncWeek

from actions.models import CLOSED_STATUSES, OPEN_STATUSES, ActionItem, ActionStatus
from reviews.models import AgendaPhase, CausalFactor, ContributingFactor, Review, ReviewStatus

AGE_BUCKETS = [
    (0, 7, "0–7 days"),
    (8, 30, "8–30 days"),
    (31, 90, "31–90 days"),
    (91, None, "over 90 days"),
]


class Median(Aggregate):
    """percentile_cont(0.5) on PostgreSQL."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median(qs: QuerySet[Any], expression: Any) -> float | None:
    """The median of `expression` over `qs`: in SQL on PostgreSQL, in Python on SQLite."""
    if connection.vendor == "postgresql":
        return qs.aggregate(m=Median(expression))["m"]
    values = [v for v in qs.annotate(_v=expression).values_list("_v", flat=True) if v is not None]
    return statistics.median(values) if values else None


class DaysBetween(Func):
    """Whole calendar days from the first date-time to the second, as a number."""

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


def _days(start: str, end: str) -> Any:
    return DaysBetween(F(start), F(end))


def _as_days(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def figures(*, teams: QuerySet[Any], period: Period, kind: str, today: dt.date) -> dict[str, Any]:
    reviews = Review.objects.filter(team__in=teams).exclude(status=ReviewStatus.CANCELLED)
    if kind:
        reviews = reviews.filter(kind=kind)
    in_period = reviews.filter(created_at__date__gte=period.start, created_at__date__lte=period.end)
    actions = ActionItem.objects.filter(review__in=reviews)

    by_status = dict(in_period.values_list("status").annotate(n=Count("pk")))
    not_held = reviews.filter(
        status__in=[ReviewStatus.DRAFT, ReviewStatus.PREPARING], event_started_at__isnull=False
    ).order_by("event_started_at")
    waiting: list[dict[str, Any]] = []
    for slug, title, event in not_held.values_list("slug", "title", "event_started_at")[:50]:
        days = (today - event.date()).days if event else 0
        waiting.append({"slug": slug, "title": title, "waiting_days": days, "late": days > 14})
    held = in_period.filter(
        scheduled_at__isnull=False, event_started_at__isnull=False, meeting_started_at__isnull=False
    )
    median_to_meeting = _as_days(_median(held, _days("event_started_at", "scheduled_at")))
    unpublished = list(
        reviews.filter(
            status=ReviewStatus.WRITING, meeting_ended_at__date__lt=today - dt.timedelta(days=5)
        )
        .order_by("meeting_ended_at")
        .values("slug", "title", "meeting_ended_at")[:50]
    )

    open_actions = actions.filter(status__in=OPEN_STATUSES)
    counts = open_actions.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))),
        **{
            f"age_{low}": Count(
                "pk",
                filter=Q(due_on__lte=today - dt.timedelta(days=max(low, 1)))
                & (Q(due_on__gte=today - dt.timedelta(days=high)) if high else Q()),
            )
            for low, high, _ in AGE_BUCKETS
        },
    )
    ageing = [
        {"label": label, "n": counts[f"age_{low}"], "low": low, "high": high}
        for low, high, label in AGE_BUCKETS
    ]
    closed = actions.filter(
        status=ActionStatus.DONE, closed_at__date__gte=period.start, closed_at__date__lte=period.end
    )
    closure = closed.aggregate(
        n=Count("pk"), on_time=Count("pk", filter=Q(closed_at__date__lte=F("due_on")))
    )
    median_to_close = _as_days(_median(closed, _days("created_at", "closed_at")))
    owners = list(
        open_actions.filter(due_on__lt=today, owner__isnull=False)
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__email")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner__email")[:10]
    )
    weeks = _weekly(actions, period)
    overruns = list(
        AgendaPhase.objects.filter(review__in=in_period, started_at__isnull=False)
        .values("phase")
        .annotate(
            held=Count("pk"),
            over=Count("pk", filter=Q(spent_seconds__gt=F("planned_minutes") * 60)),
        )
        .order_by("phase")
    )
    overran = AgendaPhase.objects.filter(
        review__in=in_period, spent_seconds__gt=F("planned_minutes") * 60
    )
    for row in overruns:
        seconds = _median(
            overran.filter(phase=row["phase"]), F("spent_seconds") - F("planned_minutes") * 60
        )
        row["median_over_minutes"] = round(seconds / 60, 1) if seconds else None
    factors = _factors(in_period)
    return {
        "by_status": by_status,
        "waiting": waiting,
        "median_to_meeting": median_to_meeting,
        "unpublished": unpublished,
        "open": counts["open"],
        "overdue": counts["overdue"],
        "due_soon": counts["due_soon"],
        "ageing": ageing,
        "closed": closure["n"],
        "on_time_rate": round(100 * closure["on_time"] / closure["n"]) if closure["n"] else None,
        "median_to_close": median_to_close,
        "owners": owners,
        "weeks": weeks,
        "overruns": overruns,
        "factors": factors,
    }


def _weekly(actions: QuerySet[Any], period: Period) -> list[dict[str, Any]]:
    opened = dict(
        actions.filter(created_at__date__gte=period.start, created_at__date__lte=period.end)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    done = dict(
        actions.filter(
            status__in=CLOSED_STATUSES,
            closed_at__date__gte=period.start,
            closed_at__date__lte=period.end,
        )
        .annotate(week=TruncWeek("closed_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    weeks = sorted({_monday(w) for w in [*opened, *done]})
    opened_by = {_monday(k): v for k, v in opened.items()}
    done_by = {_monday(k): v for k, v in done.items()}
    return [{"week": w, "opened": opened_by.get(w, 0), "closed": done_by.get(w, 0)} for w in weeks][
        -26:
    ]


def _monday(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _factors(reviews: QuerySet[Any]) -> dict[str, Any]:
    categories = list(
        ContributingFactor.objects.filter(review__in=reviews)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    types = list(
        CausalFactor.objects.filter(review__in=reviews)
        .values("factor_type")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    trend = list(
        ContributingFactor.objects.filter(review__in=reviews)
        .annotate(month=TruncWeek("review__created_at"))
        .values("month", "category")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return {"categories": categories, "types": types, "trend": trend}


def bars(values: list[tuple[str, int]], *, width: int = 480, height: int = 160) -> dict[str, Any]:
    """Bars for an accessible server-drawn SVG: label, value, and geometry."""
    top = max((v for _, v in values), default=0) or 1
    step = width / max(len(values), 1)
    out = []
    for i, (label, value) in enumerate(values):
        h = round((height - 20) * value / top)
        out.append(
            {
                "label": label,
                "value": value,
                "x": round(i * step + 4),
                "w": max(round(step - 8), 2),
                "y": height - 20 - h,
                "h": h,
            }
        )
    return {"bars": out, "width": width, "height": height}
