"""Reviews and actions as the API answers them, and as webhooks send them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse

from actions.models import ActionItem
from reviews.display import display_name
from reviews.models import Review

# Makes a path absolute: the request's host for API answers, SITE_URL for webhooks.
Absolute = Callable[[str], str]


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def review_out(review: Review, absolute: Absolute) -> dict[str, Any]:
    return {
        "slug": review.slug,
        "title": review.title,
        "kind": review.kind,
        "severity": review.severity,
        "status": review.status,
        "team": review.team.slug,
        "facilitator": display_name(review.facilitator),
        "event_started_at": review.event_started_at,
        "event_detected_at": review.event_detected_at,
        "event_ended_at": review.event_ended_at,
        "scheduled_at": review.scheduled_at,
        "published_at": review.published_at,
        "created_at": review.created_at,
        "updated_at": review.updated_at,
        "url": absolute(reverse("reviews:detail", args=[review.slug])),
    }


def action_out(action: ActionItem, today: dt.date, absolute: Absolute) -> dict[str, Any]:
    owner = action.owner
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "definition_of_done": action.definition_of_done,
        "owner": {"email": owner.email, "name": display_name(owner)} if owner else None,
        "due_on": action.due_on,
        "days_overdue": action.days_overdue(today),
        "type": action.action_type,
        "size": action.size,
        "status": action.status,
        "closing_note": action.closing_note,
        "closed_at": action.closed_at,
        "ticket_url": action.ticket_url,
        "review": action.review.slug,
        "team": action.team.slug,
        "version": action.version,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "url": absolute(reverse("actions:detail", args=[action.pk])),
    }
