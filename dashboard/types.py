"""What the figures are: the dashboard's numbers, typed."""

from __future__ import annotations

import datetime as dt
from typing import Any, NotRequired, TypedDict

from dashboard.periods import Buckets, Period


class WaitingReview(TypedDict):
    slug: str
    title: str
    team: str
    waiting_days: int
    late: bool  # waiting over WAITING_LATE_DAYS since the event


class ReviewFigures(TypedDict):
    by_status: dict[str, int]
    reviews_in_period: int
    waiting: list[WaitingReview]  # the first LIST_LIMIT
    waiting_count: int
    waiting_late: int
    median_to_meeting: float | None  # days from the event to the meeting
    unpublished: list[dict[str, Any]]  # slug, title, team__name, meeting_ended_at
    unpublished_count: int


class AgeBucket(TypedDict):
    label: str
    n: int
    low: int
    high: int | None


class OwnerRow(TypedDict):
    owner_id: int
    owner: Any  # the user
    n: int
    href: NotRequired[str]  # the list behind the number, added by the page


class ActionFigures(TypedDict):
    open: int
    overdue: int
    due_soon: int
    ageing: list[AgeBucket]
    closed: int  # done in the period
    on_time: int
    on_time_rate: int | None  # percent
    median_to_close: float | None  # days
    owners: list[OwnerRow]


class WeekRow(TypedDict):
    week: dt.date
    label: str
    since: dt.date
    until: dt.date
    opened: int
    closed: int


class OverrunRow(TypedDict):
    phase: str
    label: str
    held: int
    over: int
    over_rate: int | None
    median_over_minutes: float | None


class FactorRow(TypedDict):
    value: str
    label: str
    n: int
    before: int  # in the period of the same length before
    change: int
    href: NotRequired[str]


class FactorsOverTime(TypedDict):
    unit: str  # "week" or "month"
    labels: list[str]
    series: list[tuple[str, list[int]]]


class FactorFigures(TypedDict):
    categories: list[FactorRow]
    types: list[FactorRow]
    before: Period
    over_time: FactorsOverTime


class Figures(ReviewFigures, ActionFigures):
    """Every figure of the dashboard, for the chosen teams, period and kind."""

    buckets: Buckets
    weeks: list[WeekRow]
    overruns: list[OverrunRow]
    factors: FactorFigures
    teams: list[dict[str, Any]]  # one row per team: its counts, keyed as in `blank`
    every_team: bool  # the teams are all the organisation's (its own tallies were read)
