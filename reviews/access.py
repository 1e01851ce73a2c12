"""The one way a view obtains a review: `get_review_for`. No access means 404."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from reviews.models import Account, Review, Role, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet


class Need(enum.Enum):
    VIEW = "view"  # anyone who may see the review
    CONTRIBUTE = "contribute"  # take part: participants, scribe, facilitator
    EDIT = "edit"  # facilitator or scribe
    FACILITATE = "facilitate"  # the facilitator
    MANAGE = "manage"  # set up and publish: facilitator or the team's delivery owner


@dataclass(frozen=True)
class ReviewAccess:
    review: Review
    role: str | None
    is_delivery_owner: bool
    is_staff: bool
    user_id: int
    reads_sealed: bool = False  # a lead who may read sealed accounts before the reveal

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR

    @property
    def can_contribute(self) -> bool:
        return self.role in (Role.FACILITATOR, Role.SCRIBE, Role.PARTICIPANT)

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.FACILITATOR, Role.SCRIBE)

    @property
    def can_manage(self) -> bool:
        return self.is_facilitator or self.is_delivery_owner or self.is_staff

    def allows(self, need: Need) -> bool:
        return {
            Need.VIEW: True,
            Need.CONTRIBUTE: self.can_contribute,
            Need.EDIT: self.can_edit,
            Need.FACILITATE: self.is_facilitator,
            Need.MANAGE: self.can_manage,
        }[need]

    @property
    def can_read_sealed(self) -> bool:
        """The facilitator and the scribe, unless named later without the facilitator's
        consent (Participant.reads_sealed)."""
        return self.can_edit and self.reads_sealed

    def can_read_account(self, account: Account) -> bool:
        """The author and the leads who may read sealed accounts, always; everyone in the
        review once revealed, but only what was submitted: the reveal never shows a draft."""
        if account.participant.user_id == self.user_id or self.can_read_sealed:
            return True
        return self.review.accounts_revealed_at is not None and account.submitted_at is not None


def _decide(
    review: Review,
    user_id: int,
    *,
    is_staff: bool,
    row: tuple[str, bool] | None,
    is_member: Callable[[], bool],
) -> ReviewAccess | None:
    """The one rule: participants, the team's delivery owner, its members and staff see a
    review. `row` is the person's participant (role, reads_sealed), if any; `is_member` is
    asked only when nothing else decides."""
    role, reads_sealed = row if row else (None, False)
    is_owner = review.team.delivery_owner_id == user_id
    if not (role is not None or is_owner or is_staff or is_member()):
        return None
    return ReviewAccess(
        review=review,
        role=role,
        is_delivery_owner=is_owner,
        is_staff=is_staff,
        user_id=user_id,
        reads_sealed=reads_sealed,
    )


def review_access(user: User | AnonymousUser, review: Review) -> ReviewAccess | None:
    if not user.is_authenticated:
        return None
    row = (
        review.participants.filter(user=user).values_list("role", "reads_sealed").first()
        if review.pk
        else None
    )
    return _decide(
        review,
        user.pk,
        is_staff=user.is_staff,
        row=row,
        is_member=lambda: review.team.members.filter(pk=user.pk).exists(),
    )


def accesses_for(
    review_id: int, user_ids: list[int]
) -> tuple[Review | None, dict[int, ReviewAccess]]:
    """What each of these people may do with the review now, in four queries whatever their
    number (the push hub's check after every change); whoever may not see it is left out."""
    review = Review.objects.select_related("team").filter(pk=review_id).first()
    if review is None:
        return None, {}
    participants = review.participants.filter(user_id__in=user_ids)
    rows = {
        user_id: (role, reads_sealed)
        for user_id, role, reads_sealed in participants.values_list(
            "user_id", "role", "reads_sealed"
        )
    }
    members = set(review.team.members.filter(pk__in=user_ids).values_list("pk", flat=True))
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    decided = {
        user_id: _decide(
            review,
            user_id,
            is_staff=is_staff,
            row=rows.get(user_id),
            is_member=functools.partial(set.__contains__, members, user_id),
        )
        for user_id, is_staff in users.values_list("pk", "is_staff")
    }
    return review, {user_id: access for user_id, access in decided.items() if access}


def get_review_for(user: User | AnonymousUser, slug: str, need: Need = Need.VIEW) -> ReviewAccess:
    """The review with this slug if `user` may do `need` with it; otherwise 404."""
    review = Review.objects.select_related("team").filter(slug=slug).first()
    if review is None:
        raise Http404("No such review")
    access = review_access(user, review)
    if access is None or not access.allows(need):
        raise Http404("No such review")
    return access


def review_zone(review: Review) -> ZoneInfo:
    """The zone the review's times are read and shown in (UTC if the stored name is unknown)."""
    try:
        return ZoneInfo(review.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


ReviewView = Callable[..., HttpResponseBase]


def review_view(need: Need = Need.VIEW) -> Callable[[ReviewView], ReviewView]:
    """A view of one review, called with the person's `ReviewAccess` instead of the slug.

    The review is looked up with `get_review_for` (404 without access), and the view runs in
    the review's time zone, so the forms read and the pages show times as the team lives
    them; the zone ends with the view.
    """

    def decorator(view: ReviewView) -> ReviewView:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            access = get_review_for(request.user, slug, need)
            with timezone.override(review_zone(access.review)):
                return view(request, access, *args, **kwargs)

        return wrapper

    return decorator


def owned_teams_for(user: User | AnonymousUser, slug: str) -> tuple[QuerySet[Team], Team | None]:
    """The teams a delivery owner's pages cover: one team if `slug` names it, else all they
    own (staff: every team). 404 if they own none, or not the one named."""
    owned = Team.objects.owned_by(user)
    if slug:
        team = owned.filter(slug=slug).first()
        if team is None:
            raise Http404("No such team")
        return Team.objects.filter(pk=team.pk), team
    if not owned.exists():
        raise Http404("No team")
    return owned, None


def require_staff(user: User | AnonymousUser) -> None:
    """Organisation settings are for staff; anyone else is told there is nothing here."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        raise Http404("No such page")


def get_person_for(user: User | AnonymousUser, pk: int) -> User:
    """A person of the organisation, for staff; 404 for anyone else or an unknown id."""
    require_staff(user)
    person = get_user_model()._default_manager.filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def get_team_for(user: User | AnonymousUser, slug: str) -> Team:
    """A team whose settings this person may change: its delivery owner, or staff. 404 for
    anyone else (a delivery owner of another team too) and for an unknown team."""
    if not user.is_authenticated:
        raise Http404("No such team")
    team = Team.objects.owned_by(user).select_related("delivery_owner").filter(slug=slug).first()
    if team is None:
        raise Http404("No such team")
    return team
