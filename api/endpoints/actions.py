"""Actions: list, detail and update (status, due date, ticket) through the page's services.

An action is obtained through `get_action_for` (no access, or no right to change it: 404);
a status or a date changes through `action_set_status` / `action_set_due`, whose rules the
page follows too (done needs a verification note, won't-do a reason, a moved date a reason).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from actions.access import get_action_for
from actions.forms import ActionEditForm, DueForm, StatusForm
from actions.models import ActionItem
from actions.services import ActionRefused, action_edit, action_set_due, action_set_status
from api.auth import read_token, write_token
from api.cursors import page
from api.errors import InvalidInput
from api.schemas import ERRORS, ActionFilters, ActionOut, ActionPage, ActionUpdate, Problem
from api.serialize import Links, action_out, actions_for_listing
from reviews.events import as_one
from reviews.versions import Stale

router = Router(tags=["actions"])


@router.get(
    "/actions/",
    response={200: ActionPage, **ERRORS},
    auth=read_token,
    url_name="actions",
    summary="Actions you may see",
)
def action_list(request: HttpRequest, filters: Query[ActionFilters]) -> dict[str, Any]:
    """The actions of the reviews and teams you see, oldest first. Without `status`, the
    open ones (as the action lists on the pages)."""
    today = timezone.localdate()
    rows = ActionItem.objects.visible_to(request.user).matching(
        {"status": filters.status or "", "overdue": bool(filters.overdue)}, today
    )
    if filters.owner:
        owner = filters.owner.strip()
        rows = (
            rows.filter(owner_id=request.user.pk)
            if owner.lower() == "me"
            else rows.filter(owner__email__iexact=owner)
        )
    if filters.team:
        rows = rows.filter(team__slug=filters.team)
    if filters.due_before:
        rows = rows.filter(due_on__lt=filters.due_before)
    found, next_cursor = page(
        actions_for_listing(rows), column="pk", cursor=filters.cursor, limit=filters.limit
    )
    links = Links(request.build_absolute_uri)
    return {
        "results": [action_out(a, today, links) for a in found],
        "next_cursor": next_cursor,
    }


def _fresh(pk: int) -> ActionItem:
    return ActionItem.objects.select_related("owner", "review", "team").get(pk=pk)


@router.get(
    "/actions/{action_id}/",
    response={200: ActionOut, **ERRORS},
    auth=read_token,
    url_name="action",
    summary="One action",
)
def action_detail(request: HttpRequest, action_id: int) -> dict[str, Any]:
    action = get_action_for(request.user, action_id)
    return action_out(_fresh(action.pk), timezone.localdate(), Links(request.build_absolute_uri))


def _checked(form: Any) -> dict[str, Any]:
    """The page's form for this change, bound to the request's values; its errors by field."""
    if not form.is_valid():
        raise InvalidInput(
            {("body" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()}
        )
    return dict(form.cleaned_data)


@router.patch(
    "/actions/{action_id}/",
    response={200: ActionOut, 409: Problem, **ERRORS},
    auth=write_token,
    summary="Change an action's status, due date or ticket",
)
def action_update(request: HttpRequest, action_id: int, payload: ActionUpdate) -> dict[str, Any]:
    """For the owner, the review's facilitator and scribe and the team's delivery owner.
    Each change is checked by the form of the action's page and made by the same service;
    all of it is applied or none (400 naming the field, 409 when `version` is stale)."""
    user = request.auth.user  # type: ignore[attr-defined]
    given = payload.model_fields_set
    if "due_on" in given and payload.due_on is None:
        raise InvalidInput({"due_on": ["A due date can be moved, not taken away."]})
    if payload.note and payload.status is None:
        raise InvalidInput({"note": ["A note goes with a status: send the status too."]})
    if payload.reason and payload.due_on is None:
        raise InvalidInput({"reason": ["A reason goes with a new due date: send due_on too."]})
    # One call is one change for whoever listens: the last event of the action (closed, if
    # it was closed), not one per part.
    with transaction.atomic(), as_one():
        action = get_action_for(user, action_id, change=True)
        if payload.version is not None and payload.version != action.version:
            raise Stale(action.title, action.version, current=action)
        if payload.ticket_url is not None:
            try:
                url = ActionEditForm.base_fields["ticket_url"].clean(payload.ticket_url)
            except ValidationError as exc:
                raise InvalidInput({"ticket_url": list(exc.messages)}) from None
            action = action_edit(action=action, actor=user, version=action.version, ticket_url=url)
        if payload.due_on is not None:
            due = _checked(
                DueForm(
                    {"version": action.version, "due_on": payload.due_on, "reason": payload.reason}
                )
            )
            try:
                action = action_set_due(action=action, actor=user, **due)
            except ActionRefused as exc:
                raise InvalidInput({"due_on": [str(exc)]}) from None
        if payload.status is not None:
            status = _checked(
                StatusForm(
                    {"version": action.version, "status": payload.status, "note": payload.note}
                )
            )
            try:
                action = action_set_status(action=action, actor=user, **status)
            except ActionRefused as exc:
                raise InvalidInput({"status": [str(exc)]}) from None
    return action_out(_fresh(action.pk), timezone.localdate(), Links(request.build_absolute_uri))
