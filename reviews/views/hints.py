"""Hints as people type (htmx, debounced), and remembered dismissals."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from aar_project.typing import AuthenticatedHttpRequest
from reviews.access import get_review_for
from reviews.hints import Hint, action_hints, blame_hints
from reviews.services.hints import hint_dismiss, participant_names, visible_hints

CAUSE_CONTEXTS = {"root_cause", "factor"}


@login_required
@require_POST
def hints(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The hints for what is in the form right now; nothing is saved."""
    context = request.POST.get("context", "")
    item = request.POST.get("item", "")[:100]
    found: list[Hint] = []
    if context == "action":
        owner_text: str | None = request.POST.get("owner_name") or None
        if request.POST.get("owner", "").isdigit():
            # An owner picked from the list is a person. Nobody is looked up, so the answer is
            # the same whether or not an id exists.
            owner_text = "a person"
        try:
            due = dt.date.fromisoformat(request.POST.get("due_on", ""))
        except ValueError:
            due = None
        found = action_hints(
            title=request.POST.get("title", ""),
            owner=owner_text,
            due_on=due,
            size=request.POST.get("size", ""),
            definition_of_done=request.POST.get("definition_of_done", ""),
            today=timezone.localdate(),
        )
    else:
        names: list[str] = []
        slug = request.POST.get("review", "")
        if context in CAUSE_CONTEXTS and slug:
            names = participant_names(get_review_for(request.user, slug).review)
        text = request.POST.get("text", "") or request.POST.get("body", "")
        found = blame_hints(text, names)
    return render(
        request,
        "reviews/partials/_hints.html",
        {"hints": visible_hints(request.user, item, found), "item": item},
    )


@login_required
@require_POST
def dismiss(request: AuthenticatedHttpRequest) -> HttpResponse:
    item, code = request.POST.get("item", "")[:100], request.POST.get("code", "")[:50]
    if item and code:
        hint_dismiss(user=request.user, item=item, code=code)
    return HttpResponse("")
