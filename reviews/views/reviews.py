from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews.models import Review


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = (
        Review.objects.visible_to(request.user)
        .select_related("team", "facilitator")
        .order_by("-created_at")
    )
    return render(request, "reviews/review_list.html", {"reviews": reviews})
