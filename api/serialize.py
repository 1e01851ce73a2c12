"""Reviews and actions as the API answers them, and as webhooks send them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse

from actions.models import ActionItem
from reviews.display import display_name
from reviews.models import Review

# Makes a path absolute: the request's host for API answers, SITE_URL for webhooks.
Absolute = Callable[[str], str]
_MARK = "918273645"  # a key that fits every page's path converter (int and slug)


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class Links:
    """Absolute addresses of the pages, reversed once per URL name rather than once per row
    (a list of a thousand actions spent half its time in reverse())."""

    def __init__(self, absolute: Absolute) -> None:
        self.absolute = absolute
        self.templates: dict[str, str] = {}

    def __call__(self, name: str, key: object) -> str:
        template = self.templates.get(name)
        if template is None:
            template = self.templates[name] = self.absolute(reverse(name, args=[_MARK]))
        return template.replace(f"/{_MARK}/", f"/{key}/")


# The columns action_out reads, for a list: the action's own, its owner's name, and the
# review's and team's slugs as annotations (two model rows per action instead of four).
ACTION_COLUMNS = (
    "id", "title", "description", "definition_of_done", "owner", "due_on", "action_type",
    "size", "status", "closing_note", "closed_at", "ticket_url", "review", "team", "version",
    "created_at", "updated_at", "owner__email", "owner__first_name", "owner__last_name",
)  # fmt: skip


def actions_for_listing(rows: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    return (
        rows.select_related("owner")
        .only(*ACTION_COLUMNS)
        .annotate(review_slug=F("review__slug"), team_slug=F("team__slug"))
    )


def review_out(review: Review, links: Links) -> dict[str, Any]:
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
        "url": links("reviews:detail", review.slug),
    }


def action_out(action: ActionItem, today: dt.date, links: Links) -> dict[str, Any]:
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
        "review": getattr(action, "review_slug", None) or action.review.slug,
        "team": getattr(action, "team_slug", None) or action.team.slug,
        "version": action.version,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "url": links("actions:detail", action.pk),
    }
