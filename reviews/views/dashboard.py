from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from aar_project.typing import HtmxHttpRequest
from actions.models import OPEN_STATUSES
from reviews.models import Team


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
    return render(request, "reviews/dashboard.html", {"teams": rows, "nav": "dashboard"})
