from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from aar_project.typing import AuthenticatedHttpRequest, HtmxHttpRequest
from actions.models import OPEN_STATUSES, ActionItem, is_open, past_due
from dashboard import rollups
from dashboard.cache import kept
from dashboard.charts import Chart, Series, draw, to_html
from dashboard.figures import figures
from dashboard.periods import Period
from dashboard.types import Figures
from reviews.access import owned_teams_for
from reviews.hints import review_health_of
from reviews.models import (
    Account,
    CausalFactor,
    Participant,
    Review,
    ReviewKind,
    ReviewStatus,
    Team,
    TimelineEntry,
    WentWell,
    WhyNode,
)

PERIODS = {"30": 30, "90": 90, "365": 365}
HEALTH_LABELS = {
    "health.late": "Meeting more than two weeks after the event",
    "health.unpublished": "Report not published five days after the meeting",
    "health.went_well": "Nothing recorded under what went well",
    "health.single": "Only one person took part",
    "health.accounts": "At most one written account",
    "health.timeline": "No timeline",
    "health.root_cause": "No root-cause analysis",
    "health.actions": "Actions without an owner or a date",
    "health.earlier": "The team's earlier actions still open past their date",
}
HEALTH_REVIEWS = 40
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class Links:
    """URLs of the lists behind the dashboard's numbers, with its team, kind and period."""

    team: str
    kind: str
    period: Period
    # Each list's address, reversed once per page (a page builds hundreds of links).
    bases: dict[str, str] = field(default_factory=dict, compare=False)

    def _base(self, name: str, *args: str) -> str:
        key = f"{name}/{'/'.join(args)}"
        if key not in self.bases:
            self.bases[key] = reverse(name, args=args)
        return self.bases[key]

    def actions(self, team: str | None = None, **params: Any) -> str:
        slug = self.team if team is None else team
        base = self._base("actions:team", slug) if slug else self._base("actions:owned")
        return _url(base, {"kind": self.kind, **params})

    def reviews(self, team: str | None = None, **params: Any) -> str:
        slug = self.team if team is None else team
        return _url(self._base("reviews:list"), {"team": slug, "kind": self.kind, **params})

    def reviews_in_period(self, team: str | None = None, **params: Any) -> str:
        return self.reviews(
            team,
            state="current",
            created_since=self.period.start.isoformat(),
            created_until=self.period.end.isoformat(),
            **params,
        )

    def done_in_period(self, team: str | None = None, **params: Any) -> str:
        return self.actions(
            team,
            status="done",
            closed_since=self.period.start.isoformat(),
            closed_until=self.period.end.isoformat(),
            sort="-closed_at",
            **params,
        )


def _url(base: str, params: dict[str, Any]) -> str:
    """`base?k=v&...` without the empty values."""
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return f"{base}?{query}" if query else base


def _period(request: HtmxHttpRequest, today: dt.date) -> tuple[str, Period]:
    """The chosen period; a custom one that cannot be used says why and shows 90 days."""
    choice = request.GET.get("period", "90")
    if choice in PERIODS:
        return choice, Period(today - dt.timedelta(days=PERIODS[choice] - 1), today)
    if choice == "custom":
        try:
            start = dt.date.fromisoformat(request.GET.get("since", ""))
            until = request.GET.get("until", "")
            end = dt.date.fromisoformat(until) if until else today
        except ValueError:
            messages.error(
                request, "Give the custom period as two dates; showing the last 90 days."
            )
        else:
            if start > end:
                messages.error(
                    request, "The custom period ends before it starts; showing the last 90 days."
                )
            elif (end - start).days >= MAX_CUSTOM_DAYS:
                messages.error(
                    request,
                    "A custom period can cover at most three years; showing the last 90 days.",
                )
            else:
                return "custom", Period(start, end)
    elif choice:
        messages.error(request, "Unknown period; showing the last 90 days.")
    return "90", Period(today - dt.timedelta(days=89), today)


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    team_slug = request.GET.get("team", "")
    teams, one_team = owned_teams_for(request.user, team_slug)
    today = timezone.localdate()
    period_choice, period = _period(request, today)
    kind = request.GET.get("kind", "")
    if kind and kind not in ReviewKind.values:
        messages.error(request, "Unknown kind of review; showing every kind.")
        kind = ""
    team_ids = sorted(teams.values_list("pk", flat=True))

    def compute() -> Figures:
        return figures(teams=teams, period=period, kind=kind, today=today)

    rollups.flush(reading=True)  # this connection's changes not counted yet move the versions first
    data, computed_at, was_kept = kept(team_ids, (period.start, period.end, kind, today), compute)
    # Review health reads the timeline, the people and the accounts, which move during every
    # meeting without moving the figures: it is never kept. Without a kind, the figures have
    # counted each team's overdue actions already.
    overdue_by_team = None if kind else {row["pk"]: row["overdue"] for row in data["teams"]}
    health = _health_across(team_ids, today, kind, overdue_by_team, every_team=data["every_team"])
    links = Links(team_slug, kind, period)
    for owner in data["owners"]:
        owner["href"] = links.actions(owner=owner["owner_id"], overdue="on")
    factors = data["factors"]
    for rows, param in ((factors["categories"], "factor"), (factors["types"], "cause")):
        for row in rows:
            row["href"] = links.reviews_in_period(**{param: row["value"]})
    hrefs = {
        "reviews_in_period": links.reviews_in_period(),
        "waiting": links.reviews(state="waiting"),
        "waiting_late": links.reviews(state="waiting_late"),
        "unpublished": links.reviews(state="unpublished"),
        "open": links.actions(),
        "overdue": links.actions(overdue="on"),
        "due_soon": links.actions(due_soon="on"),
        "done": links.done_in_period(),
        "on_time": links.done_in_period(on_time="yes"),
    }
    context = {
        "computed_at": computed_at if was_kept else None,  # said only of kept figures
        "hrefs": hrefs,
        "by_status": [
            (label, data["by_status"][value], links.reviews_in_period(status=value))
            for value, label in ReviewStatus.choices
            if value in data["by_status"]
        ],
        "figures": data,
        "teams": Team.objects.owned_by(request.user).order_by("name").values_list("slug", "name"),
        "team": one_team,
        "links": links,
        "period": period,
        "filters": {"team": team_slug, "period": period_choice, "kind": kind},
        "kinds": ReviewKind.choices,
        # The per-team table, when there is more than one team to compare.
        "team_rows": _team_rows(data["teams"], links) if len(data["teams"]) > 1 else [],
        "flow_chart": to_html(_flow_chart(data, links), "flow"),
        "ageing_chart": to_html(
            draw(
                Chart(
                    title="Overdue actions by how late",
                    labels=[a["label"] for a in data["ageing"]],
                    unit="overdue by",
                    series=[
                        Series(
                            "Overdue actions",
                            [a["n"] for a in data["ageing"]],
                            links=[
                                links.actions(late_min=a["low"], late_max=a["high"])
                                for a in data["ageing"]
                            ],
                            css="s4",
                        )
                    ],
                )
            ),
            "ageing",
        ),
        "factor_chart": to_html(
            draw(
                Chart(
                    title=f"Contributing factors by category, per {data['factors']['over_time']['unit']}",
                    labels=data["factors"]["over_time"]["labels"],
                    unit=data["factors"]["over_time"]["unit"],
                    stacked=True,
                    series=[
                        Series(name, values)
                        for name, values in data["factors"]["over_time"]["series"]
                    ],
                )
            ),
            "factors",
        ),
        "health": health,
        "health_summary": _health_summary(health),
        "health_reviews": HEALTH_REVIEWS,
        "nav": "dashboard",
    }
    return render(request, "dashboard/dashboard.html", context)


def _health_summary(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """How many of the recent reviews have each finding, most common first."""
    counts: dict[str, int] = {}
    for row in rows:
        for hint in row["hints"]:
            counts[hint.code] = counts.get(hint.code, 0) + 1
    return sorted(
        ((HEALTH_LABELS.get(code, code), n) for code, n in counts.items()),
        key=lambda item: (-item[1], item[0]),
    )


def _flow_chart(data: Figures, links: Links) -> Chart:
    """Actions opened against actions closed, per week (per month over a year)."""
    buckets: list[dict[str, Any]] = [dict(b) for b in data["weeks"]]
    unit = data["buckets"].unit
    series = [
        Series(
            name,
            [b[key] for b in buckets],
            links=[
                links.actions(
                    status="all",
                    **{
                        f"{key}_since": b["since"].isoformat(),
                        f"{key}_until": b["until"].isoformat(),
                    },
                    sort=sort,
                )
                for b in buckets
            ],
        )
        for name, key, sort in (
            ("Opened", "opened", "-created_at"),
            ("Closed", "closed", "-closed_at"),
        )
    ]
    return draw(
        Chart(
            title=f"Actions opened and closed per {unit}",
            labels=[b["label"] for b in buckets],
            unit=unit,
            series=series,
        )
    )


def _team_rows(rows: list[dict[str, Any]], links: Links) -> list[dict[str, Any]]:
    """One row per team, each number with the list behind it."""
    return [
        {
            **row,
            "reviews_href": links.reviews_in_period(row["slug"]),
            "waiting_href": links.reviews(row["slug"], state="waiting"),
            "late_href": links.reviews(row["slug"], state="waiting_late"),
            "unpublished_href": links.reviews(row["slug"], state="unpublished"),
            "open_href": links.actions(row["slug"]),
            "overdue_href": links.actions(row["slug"], overdue="on"),
            "closed_href": links.done_in_period(row["slug"]),
            "dashboard_href": _url(
                reverse("dashboard"),
                {
                    "team": row["slug"],
                    "kind": links.kind,
                    "period": "custom",
                    "since": links.period.start.isoformat(),
                    "until": links.period.end.isoformat(),
                },
            ),
        }
        for row in rows
    ]


def _health_counts(review_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """What review health counts, for each of these reviews, in one query: each count a
    grouped scan of one table's index on its review (the query is written out, as building
    eight correlated subqueries cost more than running them)."""
    counted: list[tuple[str, str, str]] = [
        ("went_well", WentWell._meta.db_table, ""),
        ("people", Participant._meta.db_table, ""),
        ("accounts", Account._meta.db_table, "AND submitted_at IS NOT NULL"),
        ("entries", TimelineEntry._meta.db_table, ""),
        ("whys", WhyNode._meta.db_table, ""),
        ("causal", CausalFactor._meta.db_table, ""),
        ("loose", ActionItem._meta.db_table, "AND (owner_id IS NULL OR due_on IS NULL)"),
        (
            "own_overdue",
            ActionItem._meta.db_table,
            f"AND status IN ({', '.join(['%s'] * len(OPEN_STATUSES))}) AND due_on < %s",
        ),
    ]
    out: dict[int, dict[str, int]] = {
        pk: dict.fromkeys((name for name, _, _ in counted), 0) for pk in review_ids
    }
    if not review_ids:
        return out
    marks = ", ".join(["%s"] * len(review_ids))
    parts: list[str] = []
    params: list[Any] = []
    for name, table, extra in counted:
        parts.append(
            f"SELECT %s, review_id, COUNT(*) FROM {table} "  # noqa: S608 (our table names)
            f"WHERE review_id IN ({marks}) {extra} GROUP BY review_id"
        )
        params += [name, *review_ids]
        if name == "own_overdue":
            params += [*OPEN_STATUSES, today]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for name, review_id, n in cursor.fetchall():
            out[review_id][name] = n
    return out


def _health_across(
    team_ids: list[int],
    today: dt.date,
    kind: str,
    overdue_by_team: dict[int, int] | None,
    *,
    every_team: bool,
    limit: int = HEALTH_REVIEWS,
) -> list[dict[str, Any]]:
    """Review health for the owner's most recent reviews, in a fixed number of queries, as
    the review page finds it for one. The recent reviews are chosen first, so the
    per-review counts run for those alone."""
    recent = Review.objects.exclude(status=ReviewStatus.CANCELLED)
    if not every_team:  # every team: the index of recent reviews alone
        recent = recent.filter(team_id__in=team_ids)
    if kind:
        recent = recent.filter(kind=kind)
    ids = list(recent.order_by("-created_at", "-pk").values_list("pk", flat=True)[:limit])
    reviews = list(
        Review.objects.filter(pk__in=ids)
        .select_related("team")
        # What the checks and the list read, not the reports' long texts.
        .only(
            "slug",
            "title",
            "status",
            "team__name",
            "event_started_at",
            "event_detected_at",
            "scheduled_at",
            "meeting_ended_at",
            "created_at",
        )
        .order_by("-created_at", "-pk")
    )
    counts = _health_counts(ids, today)
    if overdue_by_team is None:  # every kind's, from the open-actions index alone
        overdue = ActionItem.objects.filter(is_open(), past_due(today))
        if not every_team:
            overdue = overdue.filter(team_id__in=team_ids)
        overdue_by_team = dict(
            overdue.order_by().values("team_id").annotate(n=Count("*")).values_list("team_id", "n")
        )
    rows = []
    for review in reviews:
        n = counts[review.pk]
        found = review_health_of(
            review,
            today=today,
            went_well=n["went_well"],
            participants=n["people"],
            accounts=n["accounts"],
            timeline=n["entries"],
            root_cause=n["whys"] + n["causal"],
            actions_without_owner_or_date=n["loose"],
            # The team's other reviews' actions, as on the review page.
            earlier_open_past_due=overdue_by_team.get(review.team_id, 0) - n["own_overdue"],
        )
        if found:
            rows.append({"review": review, "hints": found})
    return rows
