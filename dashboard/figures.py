"""The delivery owner's figures, computed in SQL: a fixed number of queries whatever the data.

Actions carry their team, so the action figures scan one index per question (open actions by
due date, actions opened, actions closed) for the chosen teams without joining reviews; the
review kind filter alone needs the join. Medians are read off counts per distinct value
(days, minutes), which SQL groups: the same on PostgreSQL and SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
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
from dashboard.periods import Buckets, Period
from dashboard.sql import bucket_of, days_between, histogram_median, median
from dashboard.types import (
    ActionFigures,
    FactorFigures,
    FactorRow,
    Figures,
    OverrunRow,
    OwnerRow,
    ReviewFigures,
    WaitingReview,
    WeekRow,
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

AGE_BUCKETS = [
    (0, 7, "0–7 days"),
    (8, 30, "8–30 days"),
    (31, 90, "31–90 days"),
    (91, None, "over 90 days"),
]
LIST_LIMIT = 10  # the lists on the page; each links to the full list


def figures(*, teams: QuerySet[Any], period: Period, kind: str, today: dt.date) -> Figures:
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
) -> ReviewFigures:
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
        WaitingReview(
            slug=slug,
            title=title,
            team=team,
            waiting_days=days,
            late=days > WAITING_LATE_DAYS,
        )
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
    to_meeting = median(held, days_between("event_started_at", "scheduled_at"))
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
) -> ActionFigures:
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
            days=days_between("created_at", "closed_at"),
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
    owners = [OwnerRow(owner_id=owner_id, owner=people[owner_id], n=n) for owner_id, n in top]
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


def _opened_closed(actions: QuerySet[Any], period: Period, buckets: Buckets) -> list[WeekRow]:
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


def _overruns(of_reviews: Q) -> list[OverrunRow]:
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
    out: list[OverrunRow] = []
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


def _factors(of_reviews: Q, period: Period) -> FactorFigures:
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

    def compare(counts: dict[str, list[int]], labels: Iterable[tuple[str, str]]) -> list[FactorRow]:
        rows: list[FactorRow] = []
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
