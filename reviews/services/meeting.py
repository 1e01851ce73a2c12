"""The live meeting: the agenda clock, phase transitions, and what people capture in it.

Every control takes the review row's lock (`select_for_update`), so two facilitators pressing
"Next phase" at once move one phase: the second press names a phase that is no longer current
and does nothing. Every edit is versioned: a save against an older version is refused with
the newer text, never written over it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import serializers
from django.db import transaction
from django.db.models import F, Model
from django.db.models.deletion import Collector
from django.utils import timezone

from actions.services import action_create
from reviews.models import (
    AgendaPhase,
    CausalFactor,
    ContributingFactor,
    Lesson,
    MeetingUndo,
    Participant,
    Phase,
    Review,
    ReviewStatus,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    TimelineEntry,
    WentWell,
    WhyNode,
)
from reviews.services.reviews import summary_save
from reviews.services.timeline import timeline_entry_add
from reviews.versions import Stale, bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User

AMBER_SECONDS = 120
EXTEND_MINUTES = 5


class MeetingRefused(Exception):
    """The meeting cannot do that now; the message says why."""


# --- The clock -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    phase: AgendaPhase | None
    remaining: int  # seconds; negative when over
    allowed: int
    running: bool
    state: str  # "ok", "amber", "over", "idle"

    @property
    def overrun(self) -> int:
        return max(0, -self.remaining)


def clock_for(review: Review, agenda: list[AgendaPhase], now: dt.datetime | None = None) -> Clock:
    now = now or timezone.now()
    phase = next((p for p in agenda if p.is_current), None)
    if phase is None or review.status != ReviewStatus.IN_MEETING:
        return Clock(phase=None, remaining=0, allowed=0, running=False, state="idle")
    remaining = phase.remaining_seconds(now)
    state = "over" if remaining < 0 else "amber" if remaining <= AMBER_SECONDS else "ok"
    return Clock(
        phase=phase,
        remaining=remaining,
        allowed=phase.allowed_seconds(),
        running=phase.segment_started_at is not None,
        state=state,
    )


# --- Transitions -------------------------------------------------------------------------------


def _locked(review: Review) -> tuple[Review, list[AgendaPhase]]:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    agenda = list(AgendaPhase.objects.filter(review=locked).order_by("position"))
    return locked, agenda


def _close_segment(phase: AgendaPhase, now: dt.datetime) -> None:
    if phase.segment_started_at is not None:
        phase.spent_seconds += max(0, int((now - phase.segment_started_at).total_seconds()))
        phase.segment_started_at = None


def _save_phase(phase: AgendaPhase) -> None:
    phase.save(
        update_fields=[
            "started_at",
            "ended_at",
            "spent_seconds",
            "segment_started_at",
            "paused_seconds",
            "extended_minutes",
        ]
    )


def _save_review(review: Review, *fields: str) -> None:
    review.save(update_fields=[*fields, "updated_at"])
    bump_review_version(review.pk)


@transaction.atomic
def meeting_start(*, review: Review, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    review, agenda = _locked(review)
    if not review.is_before_meeting:
        raise MeetingRefused("The meeting has already started or is over.")
    if not agenda:
        raise MeetingRefused("The review has no agenda.")
    first = agenda[0]
    first.started_at = first.segment_started_at = now
    first.ended_at = None
    _save_phase(first)
    review.status = ReviewStatus.IN_MEETING
    review.meeting_started_at = now
    review.paused_at = None
    if first.phase == Phase.TIMELINE and review.accounts_revealed_at is None:
        review.accounts_revealed_at = now
    _save_review(review, "status", "meeting_started_at", "paused_at", "accounts_revealed_at")


def _running(review: Review, agenda: list[AgendaPhase]) -> AgendaPhase:
    if review.status != ReviewStatus.IN_MEETING:
        raise MeetingRefused("The meeting is not running.")
    phase = next((p for p in agenda if p.is_current), None)
    if phase is None:
        raise MeetingRefused("No phase is running.")
    return phase


@transaction.atomic
def meeting_pause(*, review: Review, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    review, agenda = _locked(review)
    phase = _running(review, agenda)
    if review.paused_at is not None:
        return
    _close_segment(phase, now)
    _save_phase(phase)
    review.paused_at = now
    _save_review(review, "paused_at")


@transaction.atomic
def meeting_resume(*, review: Review, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    review, agenda = _locked(review)
    phase = _running(review, agenda)
    if review.paused_at is None:
        return
    phase.paused_seconds += max(0, int((now - review.paused_at).total_seconds()))
    phase.segment_started_at = now
    _save_phase(phase)
    review.paused_at = None
    _save_review(review, "paused_at")


@transaction.atomic
def meeting_extend(
    *,
    review: Review,
    phase_id: int,
    extended: int | None = None,
    minutes: int = EXTEND_MINUTES,
) -> bool:
    """Add `minutes` to the phase `phase_id` if it still runs and, when `extended` is given,
    still has that many minutes of extension: twenty presses seen on one screen extend once.
    Returns whether it extended."""
    review, agenda = _locked(review)
    phase = _running(review, agenda)
    if phase.pk != phase_id:
        return False  # the phase moved on before this press arrived
    if extended is not None and phase.extended_minutes != extended:
        return False  # someone extended it since this screen was drawn
    phase.extended_minutes += minutes
    _save_phase(phase)
    _save_review(review)
    return True


@transaction.atomic
def meeting_move(
    *, review: Review, phase_id: int, step: int, now: dt.datetime | None = None
) -> bool:
    """Leave the phase `phase_id` for the next (step=1) or previous (step=-1) one.

    Returns False, changing nothing, when `phase_id` is no longer the current phase: someone
    else moved first.
    """
    now = now or timezone.now()
    review, agenda = _locked(review)
    current = _running(review, agenda)
    if current.pk != phase_id:
        return False
    index = agenda.index(current) + step
    if not 0 <= index < len(agenda):
        raise MeetingRefused(
            "This is the last phase: end the meeting." if step > 0 else "This is the first phase."
        )
    target = agenda[index]
    _close_segment(current, now)
    current.ended_at = now
    _save_phase(current)
    target.started_at = target.started_at or now
    target.ended_at = None
    target.segment_started_at = None if review.paused_at else now
    _save_phase(target)
    review.ready_asked_at = None  # moving on closes the ready check
    fields = ["ready_asked_at"]
    if target.phase == Phase.TIMELINE and review.accounts_revealed_at is None:
        review.accounts_revealed_at = now  # by default the accounts open with the timeline
        fields.append("accounts_revealed_at")
    _save_review(review, *fields)
    return True


@transaction.atomic
def meeting_reveal(*, review: Review, now: dt.datetime | None = None) -> None:
    review, _ = _locked(review)
    if review.accounts_revealed_at is None:
        review.accounts_revealed_at = now or timezone.now()
        _save_review(review, "accounts_revealed_at")


@transaction.atomic
def meeting_end(*, review: Review, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    review, agenda = _locked(review)
    phase = _running(review, agenda)
    _close_segment(phase, now)
    phase.ended_at = now
    _save_phase(phase)
    review.status = ReviewStatus.WRITING
    review.meeting_ended_at = now
    review.paused_at = None
    review.ready_asked_at = None
    Participant.objects.filter(review=review, hand_raised_at__isnull=False).update(
        hand_raised_at=None
    )
    _save_review(review, "status", "meeting_ended_at", "paused_at", "ready_asked_at")


@transaction.atomic
def agenda_plan(*, review: Review, minutes: dict[int, int]) -> int:
    """Set planned minutes per phase before the meeting; returns the new total."""
    review, agenda = _locked(review)
    if not review.is_before_meeting:
        raise MeetingRefused(
            "The agenda is fixed once the meeting has started; extend a phase instead."
        )
    for phase in agenda:
        value = minutes.get(phase.pk)
        if value is not None:
            if not 1 <= value <= 240:
                raise MeetingRefused(f"{phase.get_phase_display()}: between 1 and 240 minutes.")
            phase.planned_minutes = value
            phase.save(update_fields=["planned_minutes"])
    total = sum(p.planned_minutes for p in agenda)
    review.meeting_minutes = total
    _save_review(review, "meeting_minutes")
    return total


def agenda_warning(total: int) -> str:
    if total < 60 or total > 90:
        return f"The agenda adds up to {total} minutes; the method plans 60 to 90."
    return ""


# --- Capture ----------------------------------------------------------------------------------


FINDINGS: dict[str, type[Model]] = {
    "why": WhyNode,
    "causal": CausalFactor,
    "factor": ContributingFactor,
    "went_well": WentWell,
    "lesson": Lesson,
}


@transaction.atomic
def finding_add(
    *,
    review: Review,
    kind: str,
    actor: User | None,
    text: str,
    evidence: list[int] | None = None,
    **fields: Any,
) -> Model:
    manager: Any = FINDINGS[kind]._default_manager
    # The review's row is the lock: two adds at once get positions one after the other.
    Review.objects.select_for_update().filter(pk=review.pk).values_list("pk").first()
    position = manager.filter(review=review).count()
    item = manager.create(review=review, text=text, created_by=actor, position=position, **fields)
    if kind == "why" and evidence:
        item.evidence.set(TimelineEntry.objects.filter(review=review, pk__in=evidence))
    bump_review_version(review.pk)
    made: Model = item
    return made


@transaction.atomic
def finding_update(
    *, item: Any, version: int, text: str, evidence: list[int] | None = None, **fields: Any
) -> int:
    model = type(item)
    updated = model.objects.filter(pk=item.pk, version=version).update(
        text=text, version=F("version") + 1, **fields
    )
    item.refresh_from_db()
    if not updated:
        if item.text == text:
            return int(item.version)
        raise Stale(item.text, item.version)
    if isinstance(item, WhyNode) and evidence is not None:
        item.evidence.set(TimelineEntry.objects.filter(review_id=item.review_id, pk__in=evidence))
    bump_review_version(item.review_id, figures=isinstance(item, ContributingFactor | CausalFactor))
    return int(item.version)


def _snapshot(item: Model) -> str:
    """The item and everything its delete takes with it (a why's answers, an entry's evidence
    links), serialised parents first, so that putting them back restores the same rows."""
    collector = Collector(using="default")
    collector.collect([item])
    collector.sort()
    groups: list[tuple[type[Model], list[Model]]] = [
        (model, list(instances)) for model, instances in reversed(list(collector.data.items()))
    ]
    groups += [(queryset.model, list(queryset)) for queryset in collector.fast_deletes]
    gone: dict[type[Model], set[Any]] = {}
    for model, instances in groups:
        gone.setdefault(model, set()).update(obj.pk for obj in instances)
    objects: list[Model] = []
    links: list[Model] = []
    for model, instances in groups:
        owner: Any = model._meta.auto_created
        if not owner:
            objects.extend(instances)
            continue
        # A many-to-many row: one whose owner goes too comes back with the owner; one whose
        # owner stays (a why citing a deleted entry) is put back itself, after both sides.
        to_owner = next(f for f in model._meta.fields if f.is_relation and f.related_model is owner)
        owners_gone = gone.get(owner, set())
        links += [row for row in instances if getattr(row, to_owner.attname) not in owners_gone]
    return str(serializers.serialize("json", objects + links))


@transaction.atomic
def finding_delete(*, item: Any) -> None:
    """Delete a captured item; it can be put back (meeting_undo) until the next change."""
    review_id = item.review_id
    label = next(
        (str(v) for v in (getattr(item, f, "") for f in ("text", "title", "description")) if v),
        str(item),
    )[:300]
    snapshot = _snapshot(item)
    item.delete()
    version = bump_review_version(review_id)
    MeetingUndo.objects.update_or_create(
        review_id=review_id,
        defaults={"label": label, "snapshot": snapshot, "version_after": version},
    )


def undo_of(review: Review) -> MeetingUndo | None:
    """The delete that can still be undone: the last change to the review was that delete."""
    undo = MeetingUndo.objects.filter(review=review).first()
    return undo if undo is not None and undo.version_after == review.version else None


@transaction.atomic
def meeting_undo(*, review: Review) -> str:
    """Put back what the last delete removed, if nothing has changed since; returns what it
    was. Raises MeetingRefused once something else has changed (the undo has lapsed)."""
    current = Review.objects.select_for_update().get(pk=review.pk)
    undo = undo_of(current)
    if undo is None:
        raise MeetingRefused("Nothing to undo: something else has changed since the delete.")
    for restored in serializers.deserialize("json", undo.snapshot):
        restored.save()
    label: str = undo.label
    undo.delete()
    bump_review_version(review.pk)
    return label


@transaction.atomic
def entry_dispute(*, entry: TimelineEntry, note: str) -> None:
    TimelineEntry.objects.filter(pk=entry.pk).update(
        disputed=True, dispute_note=note, version=F("version") + 1
    )
    bump_review_version(entry.review_id)


@transaction.atomic
def entry_resolve(*, entry: TimelineEntry, correction: str, version: int) -> None:
    updated = TimelineEntry.objects.filter(pk=entry.pk, version=version).update(
        disputed=False, correction=correction, version=F("version") + 1
    )
    if not updated:
        entry.refresh_from_db()
        raise Stale(entry.correction or entry.description, entry.version)
    bump_review_version(entry.review_id)


@transaction.atomic
def root_cause_method_set(*, review: Review, method: str) -> None:
    Review.objects.filter(pk=review.pk).update(root_cause_method=method)
    bump_review_version(review.pk)


# --- Suggestions ------------------------------------------------------------------------------


@transaction.atomic
def suggestion_add(
    *, review: Review, author: User, kind: str, text: str, payload: dict[str, Any]
) -> Suggestion:
    if not Review.objects.filter(pk=review.pk, status=ReviewStatus.IN_MEETING).exists():
        raise MeetingRefused("Suggestions are made during the meeting.")
    suggestion = Suggestion.objects.create(
        review=review, author=author, kind=kind, text=text, payload=payload
    )
    bump_review_version(review.pk)
    return suggestion


@transaction.atomic
def suggestion_decide(
    *,
    suggestion: Suggestion,
    actor: User | None,
    accept: bool,
    kind: str | None = None,
    text: str | None = None,
    fields: dict[str, Any] | None = None,
) -> Model | None:
    """Accept (possibly edited, or filed as another kind) or decline; only a waiting
    suggestion can be decided, once. An accepted summary suggestion is added to the end of
    the review's summary."""
    claimed = Suggestion.objects.filter(pk=suggestion.pk, status=SuggestionStatus.PENDING).update(
        status=SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DECLINED,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    if not claimed:
        raise MeetingRefused("Someone has already decided on this suggestion.")
    bump_review_version(suggestion.review_id)
    if not accept:
        return None
    review = suggestion.review
    text = (text or suggestion.text).strip()
    payload = {**suggestion.payload, **(fields or {})}
    if isinstance(payload.get("occurred_at"), str):
        payload["occurred_at"] = dt.datetime.fromisoformat(payload["occurred_at"])
    kind = kind or suggestion.kind
    if kind == SuggestionKind.SUMMARY:
        current = Review.objects.select_for_update().get(pk=review.pk)
        summary_save(
            review=current,
            text=f"{current.summary.rstrip()}\n\n{text}".strip(),
            version=current.summary_version,
        )
        return current
    if kind == SuggestionKind.ENTRY:
        return timeline_entry_add(
            review=review,
            actor=suggestion.author,
            occurred_at=payload["occurred_at"],
            kind=payload.get("entry_kind") or "other",
            description=text,
            source="meeting",
            source_ref=f"Suggested by {suggestion.author.get_full_name() or suggestion.author.email}",
        )
    if kind == SuggestionKind.ACTION:
        return action_create(
            review=review,
            actor=actor,
            title=text,
            owner=payload.get("owner"),
            due_on=payload.get("due_on"),
            action_type=payload.get("action_type") or "other",
            size=payload.get("size") or "",
            definition_of_done=payload.get("definition_of_done") or "",
        )
    extra: dict[str, Any] = {}
    if kind == SuggestionKind.WHY:
        extra["parent_id"] = payload.get("parent") or None
    elif kind == SuggestionKind.CAUSAL:
        extra["factor_type"] = payload.get("factor_type") or "technical"
    elif kind == SuggestionKind.FACTOR:
        extra["category"] = payload.get("category") or "other"
    return finding_add(review=review, kind=str(kind), actor=suggestion.author, text=text, **extra)
