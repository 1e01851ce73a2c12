from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from aar_project.typing import HtmxHttpRequest
from actions.models import ActionItem


@login_required
@require_GET
def my_actions(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    actions = list(
        ActionItem.objects.owned_by(request.user).open().select_related("review").order_by("due_on")
    )
    for action in actions:
        action.overdue_days = action.days_overdue(today)  # type: ignore[attr-defined]
    return render(request, "actions/my_actions.html", {"actions": actions, "today": today})
