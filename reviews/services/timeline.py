"""The timeline: entries added, corrected and removed, and how they read in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from reviews.display import format_offset
from reviews.models import (
    Review,
    TimelineEntry,
)
from reviews.versions import Stale, bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _words(text: str) -> set[str]:
    return {
        w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) > 2
    }


def looks_like_duplicate(a: TimelineEntry, b: TimelineEntry) -> bool:
    """Two entries within two minutes whose descriptions share most of their words."""
    if abs((a.occurred_at - b.occurred_at).total_seconds()) > 120:
        return False
    wa, wb = _words(a.description), _words(b.description)
    if not wa or not wb:
        return a.description.strip().lower() == b.description.strip().lower()
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def timeline_with_offsets(review: Review) -> list[TimelineEntry]:
    """The entries in time order, each with `offset` and `duplicate_of` filled in."""
    entries = list(review.timeline_entries.select_related("account__participant__user").in_order())
    t0 = review.t0
    for i, entry in enumerate(entries):
        entry.offset = format_offset(entry.occurred_at, t0)  # type: ignore[attr-defined]
        entry.duplicate_of = next(  # type: ignore[attr-defined]
            (other for other in entries[max(0, i - 5) : i] if looks_like_duplicate(other, entry)),
            None,
        )
    return entries


@transaction.atomic
def timeline_entry_add(*, review: Review, actor: User, **fields: object) -> TimelineEntry:
    entry = TimelineEntry.objects.create(review=review, created_by=actor, **fields)
    bump_review_version(review.pk)
    return entry


@transaction.atomic
def timeline_entry_update(*, entry: TimelineEntry, version: int, **fields: object) -> int:
    """Save the entry if `version` is the latest and return the new one; otherwise Stale."""
    updated = TimelineEntry.objects.filter(pk=entry.pk, version=version).update(
        version=F("version") + 1, **fields
    )
    entry.refresh_from_db()
    if not updated:
        raise Stale(entry.description, entry.version, current=entry)
    bump_review_version(entry.review_id)
    return entry.version


@transaction.atomic
def timeline_entry_delete(*, entry: TimelineEntry) -> None:
    review_id = entry.review_id
    entry.delete()
    bump_review_version(review_id)
