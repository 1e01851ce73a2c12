"""What the API reads and answers, as pydantic schemas (the OpenAPI document is made of them).

Choices come from the models' own TextChoices, so the API accepts exactly what the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, BaseModel, ConfigDict

from actions.models import ActionStatus
from api.cursors import DEFAULT_LIMIT, MAX_LIMIT
from reviews.events import Event
from reviews.models import ReviewKind, ReviewStatus, Severity


class Out(BaseModel):
    """An answer: a plain pydantic model, validated from the dicts the endpoints build (ninja's
    Schema reads ORM objects attribute by attribute, which a list of a thousand pays for)."""


class Strict(Schema):
    """Input: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- The person ---------------------------------------------------------------------------


class TeamOut(Out):
    slug: str
    name: str
    role: Literal["delivery_owner", "member", "staff"]


class TokenOut(Out):
    name: str
    scope: str
    expires_at: dt.datetime | None


class MeOut(Out):
    email: str
    name: str
    is_staff: bool
    teams: list[TeamOut]
    token: TokenOut


# --- Reviews ------------------------------------------------------------------------------


class ReviewFilters(Schema):
    team: str | None = Field(None, description="A team's slug.")
    kind: ReviewKind | None = None
    status: ReviewStatus | None = None
    updated_since: AwareDatetime | None = Field(
        None, description="Only reviews changed at or after this time (ISO 8601 with offset)."
    )
    cursor: str | None = Field(None, description="`next_cursor` of the page before.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ReviewOut(Out):
    slug: str
    title: str
    kind: str
    severity: str
    status: str
    team: str
    facilitator: str
    event_started_at: dt.datetime | None
    event_detected_at: dt.datetime | None
    event_ended_at: dt.datetime | None
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str


class ReviewPage(Out):
    results: list[ReviewOut]
    next_cursor: str | None


class ReviewIn(Strict):
    team: str = Field(description="The team's slug; you must belong to it.")
    title: str = Field(max_length=200)
    kind: ReviewKind = ReviewKind.INCIDENT
    severity: Severity | Literal[""] = ""
    time_zone: str | None = Field(None, description="An IANA zone; default the organisation's.")
    event_started_at: AwareDatetime | None = None
    event_detected_at: AwareDatetime | None = Field(None, description="T-0.")
    event_ended_at: AwareDatetime | None = None
    scheduled_at: AwareDatetime | None = Field(None, description="The review meeting.")
    facilitator: str | None = Field(None, description="The email of one of the team's people.")
    scribe: str | None = Field(None, description="The email of one of the team's people.")


class ReviewCreated(ReviewOut):
    warnings: list[str]


# The JSON export's object (`"schema": "aar.review/1"`, see the README), written accounts
# never part of it.
ReviewDetail = dict[str, Any]


# --- Timeline -----------------------------------------------------------------------------


class EntryFilters(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class EntryOut(Out):
    id: int
    occurred_at: dt.datetime
    offset: str
    kind: str
    description: str
    correction: str
    disputed: bool
    source: str
    source_ref: str


class EntryPage(Out):
    results: list[EntryOut]
    next_cursor: str | None


class EntryIn(Strict):
    occurred_at: str = Field(
        description="ISO 8601; without an offset it is read in the review's time zone."
    )
    description: str
    kind: str = Field("", description="detection, mitigation, …; empty: other.")
    source: str = Field("", description="log, chat, ticket, account or meeting; empty: log.")
    source_ref: str = Field("", description="Where it was seen: a link or a reference.")


class EntriesIn(Strict):
    entries: list[EntryIn] = Field(min_length=1, max_length=5000)


class EntriesAdded(Out):
    added: int
    skipped: int = Field(description="Entries added before (the same time, text and source).")


# --- Actions ------------------------------------------------------------------------------


class ActionFilters(Schema):
    owner: str | None = Field(None, description="`me` or an email address.")
    team: str | None = Field(None, description="A team's slug.")
    status: ActionStatus | Literal["all"] | None = Field(
        None, description="Default: the open ones (open and in progress)."
    )
    overdue: bool | None = Field(None, description="Only open actions past their due date.")
    due_before: dt.date | None = Field(None, description="Due before this day.")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PersonOut(Out):
    email: str
    name: str


class ActionOut(Out):
    id: int
    title: str
    description: str
    definition_of_done: str
    owner: PersonOut | None
    due_on: dt.date | None
    days_overdue: int
    type: str
    size: str
    status: str
    closing_note: str
    closed_at: dt.datetime | None
    ticket_url: str
    review: str
    team: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str


class ActionPage(Out):
    results: list[ActionOut]
    next_cursor: str | None


class ActionUpdate(Strict):
    status: ActionStatus | None = None
    note: str = Field(
        "", description="Done: how we know it worked (required). Won't do: the reason (required)."
    )
    due_on: dt.date | None = None
    reason: str = Field("", description="Why the due date moves (required to move one).")
    ticket_url: str | None = Field(None, description="The ticket tracking it; empty removes it.")
    version: int | None = Field(
        None, description="The version you read: refused with 409 if it changed since."
    )


class Problem(Out):
    detail: str
    errors: dict[str, list[str]] | None = None


# The answers every endpoint may give besides its own (documented in the OpenAPI document).
ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem}


# --- Webhooks -----------------------------------------------------------------------------


class WebhookIn(Strict):
    kind: Literal["aar", "slack", "mattermost", "teams"] = Field(
        "aar", description="aar: signed JSON; slack, mattermost, teams: a chat message."
    )
    url: str = Field(max_length=500, description="The receiver's http(s) address.")
    events: list[Event] = Field(min_length=1)


class WebhookOut(Out):
    id: int
    kind: str
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs X-AAR-Signature; shown on the webhook's page too.")
