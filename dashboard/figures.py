"""The delivery owner's figures: a fixed number of queries whatever the data.

What a period counts (reviews by status, actions opened, closed and done, days to close and
to the meeting, agenda overruns, factors) is read from the tallies kept per team, kind and
day (dashboard.rollups, dashboard.tallies): whole months in the middle of the period, days at
its edges, and the organisation's own rows when every team is asked for. What depends on
today (open, overdue, due soon, the waiting and unpublished reviews) is counted live from
the rows, on indexes shaped for it. Medians are read off the counts per value.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils import timezone

from actions.models import (
    ActionItem,
    due_within,
    is_open,
    late_range,
    overdue,
    past_due,
)
from dashboard.models import ALL_TEAMS
from dashboard.periods import Buckets, Period
from dashboard.rollups import flush
from dashboard.sql import histogram_median
from dashboard.tallies import Interval, sums
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
    CausalFactorType,
    FactorCategory,
    Phase,
    Review,
    ReviewStatus,
    Team,
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
    # Sums over the whole organisation read its own rows; a set of teams reads theirs. Every
    # team needs no team condition on the live counts either (the indexes answer alone).
    every_team = bool(team_ids) and len(team_ids) == Team.objects.count()
    flush(reading=True)  # changes made on this connection and not yet counted
    scope = [ALL_TEAMS] if every_team else team_ids
    reviews = Review.objects.exclude(status=ReviewStatus.CANCELLED)
    actions = ActionItem.objects.all()
    if not every_team:
        reviews = reviews.filter(team_id__in=team_ids)
        actions = actions.filter(team_id__in=team_ids)
    if kind:
        reviews = reviews.filter(kind=kind)
        actions = actions.filter(kind=kind)
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
    counted = _counted(team_ids, scope, kind, period)

    review_figures = _reviews(reviews, counted, today, per_team)
    action_figures = _actions(actions, counted, today, per_team)
    chart_buckets = Buckets.covering(period, weeks_up_to_days=371)
    return {
        **review_figures,
        **action_figures,
        "buckets": chart_buckets,
        "weeks": _opened_closed(scope, kind, period, chart_buckets),
        "overruns": _overruns(counted),
        "factors": _factors(scope, kind, period),
        "teams": list(per_team.values()),
        "every_team": every_team,
    }


def _whole(period: Period) -> list[Interval]:
    return [(period.start, period.end + dt.timedelta(days=1))]


Counted = dict[str, Any]


def _counted(team_ids: list[int], scope: list[int], kind: str, period: Period) -> Counted:
    """The period's tallies the figures read: per team for the table, and the histograms
    (days to close, days to the meeting, minutes over) for the scope: two queries."""
    per_team = sums(
        teams=team_ids,
        kind=kind,
        metrics=["review", "done_n", "on_time"],
        intervals=_whole(period),
        by_team=True,
    )
    spread = sums(
        teams=scope,
        kind=kind,
        metrics=["done", "to_meeting", "overrun"],
        intervals=_whole(period),
    )
    histograms: dict[str, dict[str, int]] = defaultdict(dict)
    for (metric, _, _, value), n in spread.items():
        histograms[metric][value] = n
    return {"per_team": per_team, "histograms": histograms}


def _reviews(
    reviews: QuerySet[Any],
    counted: Counted,
    today: dt.date,
    per_team: dict[int, dict[str, Any]],
) -> ReviewFigures:
    by_status: dict[str, int] = {}
    for (metric, team_id, _, status), n in counted["per_team"].items():
        if metric == "review" and team_id in per_team:
            by_status[status] = by_status.get(status, 0) + n
            per_team[team_id]["reviews"] += n
    conditions = review_conditions(today, Team.objects.review_required())
    counts = ("waiting", "waiting_late", "unpublished")
    for row in (
        reviews.filter(
            status__in=[ReviewStatus.DRAFT, ReviewStatus.PREPARING, ReviewStatus.WRITING]
        )
        .order_by()
        .values("team_id")
        .annotate(**{key: Count("pk", filter=conditions[key]) for key in counts})
    ):
        per_team[row["team_id"]].update({key: row[key] for key in counts})
    totals = _totals(per_team, counts)
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
    to_meeting = _median(counted["histograms"]["to_meeting"])
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


def _median(histogram: dict[str, int]) -> float | None:
    return histogram_median((float(value), n) for value, n in histogram.items())


def _actions(
    actions: QuerySet[Any], counted: Counted, today: dt.date, per_team: dict[int, dict[str, Any]]
) -> ActionFigures:
    # Counted among open actions, so each condition is only its due-date part.
    open_counts = {
        "open": Count("*"),
        "overdue": Count("due_on", filter=past_due(today)),
        "due_soon": Count("due_on", filter=due_within(today)),
        **{
            f"age_{low}": Count("due_on", filter=late_range(today, low, high))
            for low, high, _ in AGE_BUCKETS
        },
    }
    for row in actions.filter(is_open()).order_by().values("team_id").annotate(**open_counts):
        per_team[row["team_id"]].update({key: row[key] for key in open_counts})
    # Done in the period, per team, and whether on time: the closure rate, per team and in
    # all; the days each took, for the median.
    for (metric, team_id, _, _), n in counted["per_team"].items():
        if team_id in per_team and metric in ("done_n", "on_time"):
            per_team[team_id]["closed" if metric == "done_n" else "on_time"] += n
    for row_team in per_team.values():
        row_team["on_time_rate"] = _rate(row_team["on_time"], row_team["closed"])
    to_close = _median(counted["histograms"]["done"])
    totals = _totals(per_team, [*open_counts, "closed", "on_time"])
    # Counted per owner alone (the names would widen every group), named afterwards.
    top = list(
        actions.filter(overdue(today), owner__isnull=False)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("*"))
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


def _opened_closed(scope: list[int], kind: str, period: Period, buckets: Buckets) -> list[WeekRow]:
    """Actions opened and actions closed (done or won't do) per bucket, in one query."""
    after = period.end + dt.timedelta(days=1)
    intervals = [
        (max(buckets.starts[i], period.start), min(buckets.starts[i + 1], after))
        for i in range(len(buckets))
    ]
    counts = sums(
        teams=scope, kind=kind, metrics=["opened", "closed"], intervals=intervals, by_interval=True
    )
    return [
        {
            "week": buckets.starts[i],
            "label": buckets.label(i),
            "until": min(buckets.starts[i + 1] - dt.timedelta(days=1), period.end),
            "since": max(buckets.starts[i], period.start),
            "opened": counts[("opened", None, i, "")],
            "closed": counts[("closed", None, i, "")],
        }
        for i in range(len(buckets))
    ]


def _overruns(counted: Counted) -> list[OverrunRow]:
    """Per agenda phase: meetings that held it, how many overran, the median overrun, from
    the phases counted per whole minute of overrun (0: on time), rounded up."""
    held: dict[str, int] = defaultdict(int)
    overran: dict[str, dict[float, int]] = defaultdict(dict)
    for value, n in counted["histograms"]["overrun"].items():
        phase, minutes = value.rsplit(":", 1)
        held[phase] += n
        if int(minutes):
            overran[phase][float(minutes)] = n
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


def _factors(scope: list[int], kind: str, period: Period) -> FactorFigures:
    """Contributing-factor categories and causal-factor types: this period against the one
    before, and categories per week (per month over three months) of the period.

    One query: factors counted per value and per interval, where the first interval is the
    period before and the others are the chart's weeks or months.
    """
    before = period.before()
    buckets = Buckets.covering(period, weeks_up_to_days=92)
    edges = [before.start, period.start, *buckets.starts[1:-1], period.end + dt.timedelta(days=1)]
    found = sums(
        teams=scope,
        kind=kind,
        metrics=["category", "ftype"],
        intervals=list(itertools.pairwise(edges)),
        by_interval=True,
    )
    per_value: dict[str, dict[str, list[int]]] = {"category": {}, "ftype": {}}
    for (metric, _, index, value), n in found.items():
        assert index is not None
        per_value[metric].setdefault(value, [0] * (len(edges) - 1))[index] += n

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

    categories = per_value["category"]
    labels = dict(FactorCategory.choices)
    series = sorted(
        ((labels.get(c, c), per[1:]) for c, per in categories.items() if any(per[1:])),
        key=lambda kv: (-sum(kv[1]), kv[0]),
    )
    return {
        "categories": compare(categories, FactorCategory.choices),
        "types": compare(per_value["ftype"], CausalFactorType.choices),
        "before": before,
        "over_time": {
            "unit": buckets.unit,
            "labels": [buckets.label(i) for i in range(len(buckets))],
            "series": series,
        },
    }
