from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from aar_project.typing import HtmxHttpRequest
from actions.models import ActionItem
from reviews.hints import review_health
from reviews.metrics import Period, bars, figures
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


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    owned = Team.objects.owned_by(request.user)
    if not owned.exists():
        raise Http404("No dashboard")
    today = timezone.localdate()
    team_slug = request.GET.get("team", "")
    teams = owned.filter(slug=team_slug) if team_slug else owned
    if team_slug and not teams.exists():
        raise Http404("No such team")
    days = PERIODS.get(request.GET.get("period", "90"), 90)
    start, end = today - dt.timedelta(days=days), today
    if request.GET.get("period") == "custom":
        try:
            start = dt.date.fromisoformat(request.GET.get("since", ""))
            end = (
                dt.date.fromisoformat(request.GET.get("until", ""))
                if request.GET.get("until")
                else today
            )
        except ValueError:
            messages.error(
                request, "Give the custom period as two dates; showing the last 90 days."
            )
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in ReviewKind.values else ""
    data = figures(teams=teams, period=Period(start, end), kind=kind, today=today)
    one_team = teams.first() if teams.count() == 1 else None
    context = {
        "figures": data,
        "teams": owned,
        "team": one_team,
        "filters": {
            "team": team_slug,
            "period": request.GET.get("period", "90"),
            "kind": kind,
            "since": start,
            "until": end,
        },
        "kinds": ReviewKind.choices,
        "week_chart": bars([(w["week"].strftime("%d %b"), w["opened"]) for w in data["weeks"]]),
        "closed_chart": bars([(w["week"].strftime("%d %b"), w["closed"]) for w in data["weeks"]]),
        "ageing_chart": bars([(a["label"], a["n"]) for a in data["ageing"]]),
        "factor_chart": bars([(c["category"], c["n"]) for c in data["factors"]["categories"]]),
        "health": _health_across(request.user, teams, today),
        "nav": "dashboard",
    }
    return render(request, "reviews/dashboard.html", context)


def _count(model: Any, **where: Any) -> Any:
    """A correlated COUNT subquery: one query for all rows, no join fan-out."""
    rows = (
        model.objects.filter(review=OuterRef("pk"), **where)
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _health_across(user: Any, teams: Any, today: dt.date, limit: int = 40) -> list[dict[str, Any]]:
    """Review health for the owner's recent reviews, in a fixed number of queries."""
    reviews = (
        Review.objects.filter(team__in=teams)
        .exclude(status=ReviewStatus.CANCELLED)
        .select_related("team")
        .annotate(
            n_went_well=_count(WentWell),
            n_people=_count(Participant),
            n_accounts=_count(Account, submitted_at__isnull=False),
            n_entries=_count(TimelineEntry),
            n_whys=_count(WhyNode),
            n_causal=_count(CausalFactor),
            n_loose=_count(ActionItem, due_on__isnull=True)
            + _count(ActionItem, owner__isnull=True),
        )
        .order_by("-created_at")[:limit]
    )
    late_by_team = dict(
        ActionItem.objects.overdue(today)
        .filter(review__team__in=teams)
        .values("review__team")
        .annotate(n=Count("pk"))
        .values_list("review__team", "n")
    )
    rows = []
    row: Any
    for row in reviews:  # annotated rows
        review = row
        event = review.event_started_at or review.event_detected_at
        found = review_health(
            event_day=timezone.localtime(event).date() if event else None,
            meeting_day=timezone.localtime(review.scheduled_at).date()
            if review.scheduled_at
            else None,
            ended_day=timezone.localtime(review.meeting_ended_at).date()
            if review.meeting_ended_at
            else None,
            published=review.status == ReviewStatus.PUBLISHED,
            today=today,
            went_well=review.n_went_well,
            participants=review.n_people,
            accounts=review.n_accounts,
            timeline=review.n_entries,
            root_cause=review.n_whys + review.n_causal,
            actions_without_owner_or_date=review.n_loose,
            earlier_open_past_due=late_by_team.get(review.team_id, 0)
            if review.status != ReviewStatus.PUBLISHED
            else 0,
        )
        if found:
            rows.append({"review": review, "hints": found})
    return rows
