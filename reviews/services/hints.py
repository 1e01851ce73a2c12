"""Which hints a person sees: the pure checks (reviews.hints) less what they chose to hide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviews.hints import Hint
from reviews.models import HintDismissal, Review

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def participant_names(review: Review) -> list[str]:
    names: set[str] = set()
    for first, last in review.participants.values_list("user__first_name", "user__last_name"):
        names.update(n for n in (first, last, f"{first} {last}".strip()) if n)
    return sorted(names, key=len, reverse=True)


def visible_hints(user: User, item: str, hints: list[Hint]) -> list[Hint]:
    if not item or not hints:
        return hints
    hidden = set(HintDismissal.objects.filter(user=user, item=item).values_list("code", flat=True))
    return [h for h in hints if h.code not in hidden]


def hint_dismiss(*, user: User, item: str, code: str) -> None:
    """Hide the hint `code` on `item` for this person (once; a repeat changes nothing)."""
    HintDismissal.objects.get_or_create(user=user, item=item, code=code)
