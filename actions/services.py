"""The life of an action: creation, edits, status, due date, owner; each change in its history."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actions.models import (
    CLOSED_STATUSES,
    ActionEvent,
    ActionItem,
    ActionStatus,
    EventKind,
    OwnerSettings,
    ResurfacedAction,
    ResurfaceOutcome,
)
from reviews.events import Event, announce
from reviews.models import NotificationKind, Review
from reviews.notify import notification_queue
from reviews.versions import Stale, bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EDITABLE_FIELDS = (
    "title",
    "description",
    "definition_of_done",
    "action_type",
    "size",
    "ticket_url",
)


class ActionRefused(Exception):
    """A change the rules do not allow; the message says what is missing."""


def _save(action: ActionItem, version: int, fields: dict[str, Any]) -> ActionItem:
    """Apply `fields` if `version` is still the latest; otherwise raise Stale."""
    now = timezone.now()
    updated = ActionItem.objects.filter(pk=action.pk, version=version).update(
        **fields, updated_at=now, version=F("version") + 1
    )
    fresh = ActionItem.objects.select_related("review__team", "owner").get(pk=action.pk)
    if not updated:
        raise Stale(fresh.title, fresh.version, current=fresh)
    bump_review_version(fresh.review_id, figures=True)
    return fresh


def _event(action: ActionItem, actor: User | None, kind: str, **fields: Any) -> None:
    ActionEvent.objects.create(
        action=action, actor=actor if actor and actor.pk else None, kind=kind, **fields
    )


def _announce_change(action: ActionItem) -> None:
    """action.updated, or action.closed when it closed; once per version of the action."""
    event = Event.ACTION_CLOSED if action.status in CLOSED_STATUSES else Event.ACTION_UPDATED
    announce(
        event, team_id=action.team_id, key=f"{event}:{action.pk}:{action.version}", subject=action
    )


@transaction.atomic
def action_create(*, review: Review, actor: User | None, title: str, **fields: Any) -> ActionItem:
    action = ActionItem.objects.create(review=review, title=title, created_by=actor, **fields)
    _event(action, actor, EventKind.CREATED, review=review, new_value=title)
    bump_review_version(review.pk)
    announce(
        Event.ACTION_CREATED,
        team_id=action.team_id,
        key=f"{Event.ACTION_CREATED}:{action.pk}",
        subject=action,
    )
    if action.owner_id and action.owner_id != getattr(actor, "pk", None):
        _notify_new_owner(action)
    return action


@transaction.atomic
def action_edit(
    *, action: ActionItem, actor: User | None, version: int, **fields: Any
) -> ActionItem:
    changes = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS and getattr(action, k) != v}
    if not changes:
        return action
    fresh = _save(action, version, changes)
    for name, value in changes.items():
        _event(
            fresh,
            actor,
            EventKind.EDITED,
            field=name,
            old_value=str(getattr(action, name)),
            new_value=str(value),
        )
    _announce_change(fresh)
    return fresh


@transaction.atomic
def action_set_status(
    *,
    action: ActionItem,
    actor: User | None,
    version: int,
    status: str,
    note: str = "",
    review: Review | None = None,
) -> ActionItem:
    """Open → in progress → done (with a verification note) or won't do (with a reason)."""
    note = note.strip()
    if status not in ActionStatus.values:
        raise ActionRefused("Unknown status.")
    if status == action.status:
        return action
    if status == ActionStatus.DONE and not note:
        raise ActionRefused("Say how we know it worked: closing as done needs a verification note.")
    if status == ActionStatus.WONT_DO and not note:
        raise ActionRefused("Dropping an action needs a reason.")
    closing = status in CLOSED_STATUSES
    fresh = _save(
        action,
        version,
        {
            "status": status,
            "closed_at": timezone.now() if closing else None,
            "closing_note": note if closing else "",
        },
    )
    _event(
        fresh,
        actor,
        EventKind.STATUS,
        field="status",
        old_value=action.status,
        new_value=status,
        reason=note,
        review=review,
    )
    _announce_change(fresh)
    return fresh


@transaction.atomic
def action_set_due(
    *,
    action: ActionItem,
    actor: User | None,
    version: int,
    due_on: dt.date,
    reason: str,
    review: Review | None = None,
) -> ActionItem:
    reason = reason.strip()
    if due_on == action.due_on:
        return action
    if action.due_on is not None and not reason:
        raise ActionRefused("Changing the due date needs a reason.")
    fresh = _save(action, version, {"due_on": due_on})
    _event(
        fresh,
        actor,
        EventKind.DUE_DATE,
        field="due_on",
        old_value=action.due_on.isoformat() if action.due_on else "",
        new_value=due_on.isoformat(),
        reason=reason,
        review=review,
    )
    _announce_change(fresh)
    return fresh


@transaction.atomic
def action_reassign(
    *, action: ActionItem, actor: User | None, version: int, owner: User | None, reason: str = ""
) -> ActionItem:
    if owner is not None and owner.pk == action.owner_id:
        return action
    fresh = _save(action, version, {"owner": owner})
    _event(
        fresh,
        actor,
        EventKind.OWNER,
        field="owner",
        old_value=action.owner.email if action.owner else "",
        new_value=owner.email if owner else "",
        reason=reason.strip(),
    )
    if owner is not None and owner.pk != getattr(actor, "pk", None):
        _notify_new_owner(fresh)
    _announce_change(fresh)
    return fresh


@transaction.atomic
def action_update(
    *,
    action: ActionItem,
    actor: User | None,
    version: int,
    owner: User | None,
    due_on: dt.date | None,
    reason: str = "",
    review: Review | None = None,
    **fields: Any,
) -> ActionItem:
    """Everything of an action changed in one form (title, owner, due date, type, size,
    definition of done) over the version seen; each change goes to the history as before.
    Raises Stale when the action changed since, ActionRefused for a rule (a moved date
    needs its reason), and then nothing is changed."""
    fresh = (
        ActionItem.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action.pk)
    )
    if fresh.version != version:
        raise Stale(fresh.title, fresh.version, current=fresh)
    fresh = action_edit(action=fresh, actor=actor, version=fresh.version, **fields)
    if (owner.pk if owner else None) != fresh.owner_id:
        fresh = action_reassign(action=fresh, actor=actor, version=fresh.version, owner=owner)
    if due_on is not None and due_on != fresh.due_on:
        fresh = action_set_due(
            action=fresh,
            actor=actor,
            version=fresh.version,
            due_on=due_on,
            reason=reason,
            review=review,
        )
    return fresh


def _notify_new_owner(action: ActionItem) -> None:
    assert action.owner is not None
    notification_queue(
        key=f"assigned:{action.pk}:{action.owner_id}:{action.version}",
        kind=NotificationKind.ACTION_ASSIGNED,
        email=action.owner.email,
        recipient=action.owner,
        review=action.review,
        payload={"action": action.pk},
    )


# --- Re-surfacing in the next review of the team ------------------------------------------


def actions_resurface(*, review: Review, today: dt.date | None = None) -> int:
    """Attach the team's earlier actions still open after their due date to `review`."""
    today = today or timezone.localdate()
    stale = (
        ActionItem.objects.overdue(today)
        .filter(team_id=review.team_id)
        .exclude(review=review)
        .values_list("pk", flat=True)
    )
    made = ResurfacedAction.objects.bulk_create(
        [ResurfacedAction(review=review, action_id=pk) for pk in stale], ignore_conflicts=True
    )
    return len(made)


@transaction.atomic
def resurfaced_decide(
    *,
    item: ResurfacedAction,
    actor: User | None,
    outcome: str,
    due_on: dt.date | None = None,
    note: str = "",
) -> ResurfacedAction:
    """Re-commit with a new date, close (done, verified) or drop (won't do, with a reason).

    Taken once: the item is locked and a second decision (a page that had not seen the
    first) is refused with what was decided, changing nothing."""
    item = (
        ResurfacedAction.objects.select_for_update(of=("self",))
        .select_related("action", "review")
        .get(pk=item.pk)
    )
    if item.outcome != ResurfaceOutcome.PENDING:
        decided = item.get_outcome_display().lower()
        if item.outcome == ResurfaceOutcome.RECOMMITTED and item.action.due_on:
            decided += f" to {item.action.due_on:%-d %b %Y}"
        raise ActionRefused(f"“{item.action.title}” was decided already in this review: {decided}.")
    action = item.action
    if outcome == ResurfaceOutcome.RECOMMITTED:
        if due_on is None or due_on <= timezone.localdate():
            raise ActionRefused("Re-committing needs a new due date in the future.")
        action = action_set_due(
            action=action,
            actor=actor,
            version=action.version,
            due_on=due_on,
            reason=note or f"Re-committed in the review {item.review.title}",
            review=item.review,
        )
    elif outcome == ResurfaceOutcome.CLOSED:
        action = action_set_status(
            action=action,
            actor=actor,
            version=action.version,
            status=ActionStatus.DONE,
            note=note,
            review=item.review,
        )
    elif outcome == ResurfaceOutcome.DROPPED:
        action = action_set_status(
            action=action,
            actor=actor,
            version=action.version,
            status=ActionStatus.WONT_DO,
            note=note,
            review=item.review,
        )
    else:
        raise ActionRefused("Choose re-commit, close or drop.")
    _event(action, actor, EventKind.RESURFACED, new_value=outcome, reason=note, review=item.review)
    item.outcome = outcome
    item.decided_at = timezone.now()
    item.save(update_fields=["outcome", "decided_at"])
    bump_review_version(item.review_id)  # the review's open pages drop the decided form
    return item


# --- Owner settings ------------------------------------------------------------------------


def owner_settings(user: User) -> OwnerSettings:
    settings_row, _ = OwnerSettings.objects.get_or_create(user=user)
    return settings_row


def calendar_token_renew(*, user: User) -> str:
    """A new secret address for the calendar feed; the old one stops working."""
    row = owner_settings(user)
    row.calendar_token = secrets.token_urlsafe(32)
    row.save(update_fields=["calendar_token"])
    return row.calendar_token


def digests_mute(*, user: User, days: int, today: dt.date | None = None) -> OwnerSettings:
    row = owner_settings(user)
    row.muted_until = (
        (today or timezone.localdate()) + dt.timedelta(days=days) if days > 0 else None
    )
    row.save(update_fields=["muted_until"])
    return row
