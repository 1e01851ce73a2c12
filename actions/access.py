"""The one way a view obtains an action, and who may change one. No access means 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from actions.models import ActionItem

if TYPE_CHECKING:
    from aar_project.typing import AnyUser


def can_change(user: AnyUser, action: ActionItem) -> bool:
    """The owner, the review's facilitator and scribe, and the team's delivery owner."""
    if not user.is_authenticated:
        return False
    review = action.review
    return user.pk in {
        action.owner_id,
        review.facilitator_id,
        review.scribe_id,
        review.team.delivery_owner_id,
    }


def get_action_for(user: AnyUser, pk: int, *, change: bool = False) -> ActionItem:
    """The action if `user` may see it (and change it, when asked); otherwise 404."""
    action = (
        ActionItem.objects.visible_to(user)
        .select_related("review__team", "owner", "created_by")
        .filter(pk=pk)
        .first()
    )
    if action is None or (change and not can_change(user, action)):
        raise Http404("No such action")
    return action
