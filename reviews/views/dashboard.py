from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from aar_project.typing import HtmxHttpRequest
from actions.models import OPEN_STATUSES, ActionItem
from reviews.hints import review_health
from reviews.models import (
    Account,
    CausalFactor,
    Participant,
    Review,
    ReviewStatus,
    Team,
    TimelineEntry,
    WentWell,
    WhyNode,
)


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    teams = Team.objects.owned_by(request.user)
    if not teams.exists():
        raise Http404("No dashboard")
    today = timezone.localdate()
    rows = teams.annotate(
        active_reviews=Count(
            "reviews", filter=~Q(reviews__status__in=["published", "cancelled"]), distinct=True
        ),
        published_reviews=Count("reviews", filter=Q(reviews__status="published"), distinct=True),
        open_actions=Count(
            "reviews__action_items",
            filter=Q(reviews__action_items__status__in=OPEN_STATUSES),
        ),
        overdue_actions=Count(
            "reviews__action_items",
            filter=Q(
                reviews__action_items__status__in=OPEN_STATUSES,
                reviews__action_items__due_on__lt=today,
            ),
        ),
    )
    return render(
        request,
        "reviews/dashboard.html",
        {"teams": rows, "health": _health_across(request.user, teams, today), "nav": "dashboard"},
    )


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
