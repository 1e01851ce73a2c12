"""Writing an import: all rows or none, once per upload, and never a row twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from reviews.imports.common import ImportRefused, ParseResult
from reviews.models import Review, TimelineEntry, TimelineImport
from reviews.versions import bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class ApplyResult:
    added: int
    skipped: int


@transaction.atomic
def timeline_import_apply(
    *, review: Review, result: ParseResult, actor: User | None
) -> ApplyResult:
    """Write every row, or none if any row has an error; rows imported before are skipped."""
    if result.errors:
        raise ImportRefused(f"{len(result.errors)} row(s) have errors; nothing was imported.")
    keys = {row.key for row in result.rows}
    existing = set(
        TimelineEntry.objects.filter(review=review, import_key__in=keys).values_list(
            "import_key", flat=True
        )
    )
    seen: set[str] = set()
    new = []
    for row in result.rows:
        if row.key in existing or row.key in seen:
            continue
        seen.add(row.key)
        new.append(
            TimelineEntry(
                review=review,
                occurred_at=row.occurred_at,
                kind=row.kind,
                description=row.description,
                source=row.source,
                source_ref=row.source_ref,
                import_key=row.key,
                created_by=actor,
            )
        )
    # A row another confirm wrote a moment ago is skipped by the unique (review, import_key).
    made = TimelineEntry.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if made:
        bump_review_version(review.pk)
    return ApplyResult(added=len(new), skipped=len(result.rows) - len(new))


class AlreadyImported(Exception):
    """This upload was confirmed before (a second click, another tab)."""


@transaction.atomic
def timeline_import_confirm(
    *, pending: TimelineImport, result: ParseResult, actor: User | None
) -> ApplyResult:
    """Apply an uploaded file once: the first confirm claims it, any other is AlreadyImported."""
    claimed = TimelineImport.objects.filter(pk=pending.pk, applied_at__isnull=True).update(
        applied_at=timezone.now()
    )
    if not claimed:
        raise AlreadyImported("This file was imported already.")
    outcome = timeline_import_apply(review=pending.review, result=result, actor=actor)
    TimelineImport.objects.filter(pk=pending.pk).update(
        added=outcome.added, skipped=outcome.skipped, rows=[]
    )
    return outcome


@transaction.atomic
def timeline_import_set_kinds(
    *,
    pending: TimelineImport,
    kinds: dict[int, str],
    selected: list[int],
    kind_for_selected: str = "",
) -> TimelineImport:
    """Keep the kinds set in the preview on the pending import's rows: each row's own select,
    then one kind for the rows ticked. A confirmed import is AlreadyImported."""
    locked = (
        TimelineImport.objects.select_for_update()
        .filter(pk=pending.pk, applied_at__isnull=True)
        .first()
    )
    if locked is None:
        raise AlreadyImported("This file was imported already.")
    rows = locked.rows
    for index, kind in kinds.items():
        rows[index]["kind"] = kind
    if kind_for_selected:
        for index in selected:
            rows[index]["kind"] = kind_for_selected
    if kinds or (kind_for_selected and selected):
        locked.save(update_fields=["rows"])
    return locked
