"""An action's history as sentences ("Omar Haddad became the owner", "due date moved from
18 Dec to 23 Dec"), for the people who read it, not the fields that changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model

from actions.models import ActionEvent, ActionSize, ActionStatus, ActionType, EventKind
from reviews.display import display_name

_FIELD_NAMES = {
    "title": "the title",
    "description": "the description",
    "definition_of_done": "the definition of done",
    "action_type": "the type",
    "size": "the size",
    "ticket_url": "the ticket",
}
_CHOICES = {"action_type": dict(ActionType.choices), "size": dict(ActionSize.choices)}
_STATUS = {
    ActionStatus.OPEN: "reopened it",
    ActionStatus.IN_PROGRESS: "started it (in progress)",
    ActionStatus.DONE: "closed it as done",
    ActionStatus.WONT_DO: "dropped it (won't do)",
}
_RESURFACED = {
    "recommitted": "re-committed to it",
    "closed": "closed it as done",
    "dropped": "dropped it",
}


def _day(iso: str) -> str:
    try:
        return f"{dt.date.fromisoformat(iso):%-d %b %Y}"
    except ValueError:
        return iso or "no date"


def _quoted(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def sentence(event: ActionEvent, names: dict[str, str]) -> str:
    """What happened, said as a sentence (without the reason, shown beside it)."""
    who = display_name(event.actor) if event.actor else "AAR"
    if event.kind == EventKind.CREATED:
        return f"{who} created it: {_quoted(event.new_value)}"
    if event.kind == EventKind.OWNER:
        if not event.new_value:
            return f"{who} left it without an owner"
        return f"{names.get(event.new_value.lower(), event.new_value)} became the owner"
    if event.kind == EventKind.DUE_DATE:
        if not event.old_value:
            return f"{who} set the due date to {_day(event.new_value)}"
        return f"Due date moved from {_day(event.old_value)} to {_day(event.new_value)}"
    if event.kind == EventKind.STATUS:
        return f"{who} {_STATUS.get(event.new_value, 'changed its status')}"  # type: ignore[call-overload]
    if event.kind == EventKind.RESURFACED:
        done = _RESURFACED.get(event.new_value, "decided on it")
        where = f" in {_quoted(event.review.title)}" if event.review else ""
        return f"{who} {done}{where}"
    if event.kind == EventKind.EDITED:
        field = _FIELD_NAMES.get(event.field, event.field.replace("_", " "))
        shown = _CHOICES.get(event.field, {})
        new = shown.get(event.new_value, event.new_value)
        if event.field in ("description", "definition_of_done") or not new:
            return f"{who} changed {field}" if new else f"{who} cleared {field}"
        return f"{who} changed {field} to {_quoted(new) if event.field == 'title' else new}"
    return f"{who}: {event.get_kind_display()}"


def history(events: Iterable[ActionEvent]) -> list[tuple[ActionEvent, str]]:
    """Each event with its sentence; owners' addresses are read as names in one query."""
    events = list(events)
    emails = {e.new_value.lower() for e in events if e.kind == EventKind.OWNER and e.new_value}
    users = get_user_model()._default_manager.filter(email__in=emails) if emails else []
    names = {user.email.lower(): display_name(user) for user in users}
    return [(event, sentence(event, names)) for event in events]
