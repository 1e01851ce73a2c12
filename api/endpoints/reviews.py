"""Reviews and their timelines: list, detail and create; entries listed and added.

Every review is obtained through `get_review_for` (no access: 404), the form of the "New
review" page validates a new review, and entries go through the imports' checks and their
de-duplication.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from api.auth import read_token, write_token
from api.cursors import page
from api.errors import InvalidInput
from api.schemas import (
    ERRORS,
    EntriesAdded,
    EntriesIn,
    EntryFilters,
    EntryPage,
    ReviewCreated,
    ReviewDetail,
    ReviewFilters,
    ReviewIn,
    ReviewPage,
)
from api.serialize import Links, review_out
from reviews.access import Need, get_review_for, review_zone
from reviews.display import format_offset
from reviews.forms import ReviewForm
from reviews.imports import parse_records, timeline_import_apply
from reviews.models import Organisation, Review, Team
from reviews.report import report_json
from reviews.services.reviews import review_create

router = Router(tags=["reviews"])


@router.get(
    "/reviews/",
    response={200: ReviewPage, **ERRORS},
    auth=read_token,
    url_name="reviews",
    summary="Reviews you may see",
)
def review_list(request: HttpRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    """In the order they last changed (oldest first): follow `next_cursor` to the end, then
    ask again later with `updated_since` to get what changed."""
    rows = Review.objects.visible_to(request.user).select_related("team", "facilitator")
    if filters.team:
        rows = rows.filter(team__slug=filters.team)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.updated_since:
        rows = rows.filter(updated_at__gte=filters.updated_since)
    found, next_cursor = page(rows, column="updated_at", cursor=filters.cursor, limit=filters.limit)
    links = Links(request.build_absolute_uri)
    return {
        "results": [review_out(r, links) for r in found],
        "next_cursor": next_cursor,
    }


def _lead_pk(email: str | None) -> int | None:
    """The person with this address, for the form's lead fields. Nobody has it: -1, which the
    form refuses as it refuses someone outside the team (the answer says the same of both)."""
    if not email:
        return None
    users = get_user_model()._default_manager
    found = users.filter(email__iexact=email.strip(), is_active=True).values_list("pk", flat=True)
    return found.first() or -1


@router.post(
    "/reviews/",
    response={201: ReviewCreated, **ERRORS},
    auth=write_token,
    summary="Open a review for a team",
)
def review_new(request: HttpRequest, payload: ReviewIn) -> Status[dict[str, Any]]:
    """Checked as the "New review" page checks it: a team you belong to, the leads among its
    people, the event's times in order. The meeting-date hints come back as `warnings`."""
    user = request.auth.user  # type: ignore[attr-defined]
    team = Team.objects.visible_to(user).filter(slug=payload.team).first()
    if team is None:
        raise InvalidInput({"team": ["No team with this slug that you belong to."]})
    data = {
        "team": team.pk,
        "title": payload.title,
        "kind": payload.kind,
        "severity": payload.severity,
        "time_zone": payload.time_zone or Organisation.objects.default_time_zone(),
        "event_started_at": payload.event_started_at,
        "event_detected_at": payload.event_detected_at,
        "event_ended_at": payload.event_ended_at,
        "scheduled_at": payload.scheduled_at,
        "meeting_minutes": Review._meta.get_field("meeting_minutes").get_default(),
        "facilitator": _lead_pk(payload.facilitator),
        "scribe": _lead_pk(payload.scribe),
    }
    form = ReviewForm({k: v for k, v in data.items() if v is not None}, user=user)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        for lead in ("facilitator", "scribe"):
            if lead in errors and "valid choice" in " ".join(errors[lead]):
                errors[lead] = ["No one of the team has this email address."]
        raise InvalidInput({("body" if k == "__all__" else k): v for k, v in errors.items()})
    cleaned = form.cleaned_data
    review = review_create(
        team=cleaned["team"],
        title=cleaned["title"],
        kind=cleaned["kind"],
        created_by=user,
        facilitator=cleaned.get("facilitator"),
        scribe=cleaned.get("scribe"),
        **form.other_fields(),
    )
    review = Review.objects.select_related("team", "facilitator").get(pk=review.pk)
    return Status(
        201, {**review_out(review, Links(request.build_absolute_uri)), "warnings": form.warnings()}
    )


@router.get(
    "/reviews/{slug}/",
    response={200: ReviewDetail, **ERRORS},
    auth=read_token,
    url_name="review",
    summary="One review, as its JSON export",
)
def review_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The JSON export's object (`"schema": "aar.review/1"`), without written accounts."""
    review = get_review_for(request.user, slug).review
    with timezone.override(review_zone(review)):
        data = report_json(review)
    data["url"] = request.build_absolute_uri(reverse("reviews:detail", args=[review.slug]))
    return data


@router.get(
    "/reviews/{slug}/timeline/",
    response={200: EntryPage, **ERRORS},
    auth=read_token,
    url_name="timeline",
    summary="A review's timeline, in time order",
)
def timeline_list(request: HttpRequest, slug: str, filters: Query[EntryFilters]) -> dict[str, Any]:
    review = get_review_for(request.user, slug).review
    found, next_cursor = page(
        review.timeline_entries.all(),
        column="occurred_at",
        cursor=filters.cursor,
        limit=filters.limit,
    )
    t0 = review.t0
    return {
        "results": [
            {
                "id": e.pk,
                "occurred_at": e.occurred_at,
                "offset": format_offset(e.occurred_at, t0),
                "kind": e.kind,
                "description": e.description,
                "correction": e.correction,
                "disputed": e.disputed,
                "source": e.source,
                "source_ref": e.source_ref,
            }
            for e in found
        ],
        "next_cursor": next_cursor,
    }


@router.post(
    "/reviews/{slug}/timeline/",
    response={201: EntriesAdded, **ERRORS},
    auth=write_token,
    summary="Add timeline entries (one or many)",
)
def timeline_add(request: HttpRequest, slug: str, payload: EntriesIn) -> Status[dict[str, int]]:
    """For the review's facilitator and scribe. Each entry is checked as an imported JSON
    Lines row; if any is refused, none is added. An entry sent before (the same time, text
    and source reference) is skipped, so a bot may send its lines again."""
    review = get_review_for(request.user, slug, Need.EDIT).review
    records = [entry.model_dump() for entry in payload.entries]
    result = parse_records(records, review_zone(review))
    if result.errors:
        raise InvalidInput({f"entries.{index}": [message] for index, message in result.errors})
    outcome = timeline_import_apply(review=review, result=result, actor=request.auth.user)  # type: ignore[attr-defined]
    return Status(201, {"added": outcome.added, "skipped": outcome.skipped})
