"""What the live meeting shows and how screens follow it.

`meeting_context` gathers everything the page and its fragments show in a fixed number of
queries; `meeting_fragments` renders them once per review version and role (the cache is
shared by everyone with the same role, except the per-person fragments); the poll answers
"unchanged" from a signed token and one primary-key query (`current_version`).
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

from aar_project.typing import HtmxHttpRequest
from reviews.access import ReviewAccess
from reviews.display import agenda_report, format_offset
from reviews.forms import FindingForm, MeetingActionForm, SuggestionForm, SummaryForm
from reviews.models import (
    Account,
    EntryKind,
    MeetingNotes,
    Review,
    RootCauseMethod,
    SuggestionStatus,
    WhyNode,
)
from reviews.services.meeting import agenda_warning, clock_for
from reviews.services.people import people_of_review
from reviews.services.publish import publish_checklist

TEMPLATE = "reviews/meeting.html"
MEETING_ENTRIES = 200  # the latest timeline entries the meeting shows


FRAGMENTS = ("m-state", "m-phase", "m-capture", "m-suggestions", "m-accounts")


PRESENTER_FRAGMENTS = ("m-state", "m-phase")


def _why_tree(nodes: list[WhyNode]) -> list[dict[str, Any]]:
    children: dict[int | None, list[WhyNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(parent: int | None, depth: int) -> list[dict[str, Any]]:
        return [
            {"node": n, "depth": depth, "children": build(n.pk, depth + 1)}
            for n in children.get(parent, [])
        ]

    return build(None, 1)


def meeting_context(request: HtmxHttpRequest, access: ReviewAccess, **extra: Any) -> dict[str, Any]:
    """Everything the page and its fragments show, in a fixed number of queries."""
    review = access.review
    now = timezone.now()
    agenda = list(review.agenda.order_by("position"))
    clock = clock_for(review, agenda, now)
    entries_total = review.timeline_entries.count()
    # A long timeline is shown by its latest entries; the timeline page has them all, by page.
    # What one page renders stays bounded (a review with thousands of entries once took a
    # worker to 1.9 GB).
    entries = list(
        reversed(review.timeline_entries.order_by("-occurred_at", "-pk")[:MEETING_ENTRIES])
    )
    for entry in entries:
        entry.offset = format_offset(entry.occurred_at, review.t0)  # type: ignore[attr-defined]
    whys = list(review.why_nodes.prefetch_related("evidence").order_by("position", "pk"))
    suggestions = list(
        review.suggestions.filter(status=SuggestionStatus.PENDING).select_related("author")
        if access.can_edit
        else review.suggestions.filter(author_id=access.user_id)
        .select_related("author")
        .order_by("-created_at")[:20]
    )
    # The meeting shows accounts once revealed; before that, only to the facilitator and the
    # scribe (each author reads their own on the account page). So this fragment is the same
    # for everyone with the same role, and can be shared.
    revealed_or_lead = review.accounts_revealed_at is not None or access.can_read_sealed
    accounts = (
        list(Account.objects.filter(review=review).select_related("participant__user"))
        if revealed_or_lead
        else []
    )
    people_qs = people_of_review(review)
    people = list(people_qs)
    context = {
        "review": review,
        "access": access,
        "agenda": agenda,
        "report": agenda_report(agenda, now),
        "clock": clock,
        "now_ms": int(now.timestamp() * 1000),
        "current": clock.phase,
        "entries": entries,
        "entries_total": entries_total,
        "entries_hidden": entries_total - len(entries),
        "why_tree": _why_tree(whys),
        "whys": whys,
        "causal": list(review.causal_factors.all()),
        "factors": list(review.contributing_factors.all()),
        "went_well": list(review.went_well.all()),
        "actions": list(review.action_items.select_related("owner").order_by("pk")),
        "resurfaced": list(
            review.resurfaced_actions.select_related("action__owner", "action__review")
        ),
        "suggestions": suggestions,
        "accounts": accounts,
        "people": people,
        "finding_form": FindingForm(entries=entries),
        "suggestion_form": SuggestionForm(),
        "action_form": MeetingActionForm(people=people_qs),
        "summary_form": SummaryForm(
            initial={"text": review.summary, "version": review.summary_version}
        ),
        "notes": MeetingNotes.objects.filter(review=review, author_id=access.user_id).first()
        if access.is_facilitator
        else None,
        "agenda_total": sum(p.planned_minutes for p in agenda),
        "methods": RootCauseMethod.choices,
        "entry_kinds": EntryKind.choices,
        "no_history": True,
        "nav": "reviews",
        **extra,
    }
    context["agenda_warning"] = agenda_warning(context["agenda_total"])
    context["checklist"] = publish_checklist(
        review,
        entries=entries_total,
        whys=len(whys),
        causal=len(context["causal"]),
        went_well=len(context["went_well"]),
        actions=len(context["actions"]),
    )
    return context


def render_fragments(
    request: HtmxHttpRequest, context: dict[str, Any], names: tuple[str, ...] = FRAGMENTS
) -> dict[str, str]:
    return {name: render_to_string(f"{TEMPLATE}#{name}", context, request) for name in names}


_VOLATILE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _role_class(access: ReviewAccess) -> str:
    if access.is_facilitator:
        return "facilitator" if access.reads_sealed else "facilitator-unsealed"
    if access.can_edit:
        return "editor" if access.reads_sealed else "editor-unsealed"
    if access.can_contribute:
        return "contributor"
    return "viewer"


def _personal(access: ReviewAccess) -> set[str]:
    """Fragments whose content belongs to one person, never shared through the cache."""
    return set() if access.can_edit else {"m-suggestions"}  # a participant's own suggestions


def _with_csrf(request: HtmxHttpRequest, html: str) -> str:
    """Shared fragments carry the token of whoever is looking at them."""
    return _VOLATILE.sub(f'name="csrfmiddlewaretoken" value="{get_token(request)}"', html)


def meeting_fragments(
    request: HtmxHttpRequest,
    access: ReviewAccess,
    *,
    presenter: bool = False,
    context: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The fragments for this person, rendered once per review version and role.

    Everyone with the same role sees the same fragments, except the ones `_personal` names;
    those are rendered for each person from a small context.
    """
    names = PRESENTER_FRAGMENTS if presenter else FRAGMENTS
    review = access.review
    # The creation time keeps a restored or different database from meeting old entries.
    born = int(review.created_at.timestamp() * 1_000_000)
    key = f"aar:mtg:{review.pk}:{born}:{review.version}:{_role_class(access)}:{int(presenter)}"
    personal = _personal(access) & set(names)
    shared = cache.get(key)
    if shared is None:
        context = context or meeting_context(request, access, presenter=presenter)
        rendered = render_fragments(request, context, names)
        shared = {name: html for name, html in rendered.items() if name not in personal}
        cache.set(key, shared, 600)
        return {name: rendered[name] for name in names}
    out = {name: _with_csrf(request, html) for name, html in shared.items()}
    if personal:
        context = _personal_context(access, presenter=presenter)
        out.update(render_fragments(request, context, tuple(sorted(personal))))
    return {name: out[name] for name in names if name in out}


def _personal_context(access: ReviewAccess, *, presenter: bool) -> dict[str, Any]:
    """What the per-person fragment (a participant's own suggestions) needs: one query."""
    review = access.review
    mine = review.suggestions.filter(author_id=access.user_id).order_by("-created_at")
    return {
        "review": review,
        "access": access,
        "presenter": presenter,
        "suggestions": list(mine[:20]),
    }


def digest(html: str) -> str:
    """A short fingerprint of a fragment; CSRF tokens (masked anew each render) are ignored."""
    return hashlib.blake2s(_VOLATILE.sub("", html).encode(), digest_size=6).hexdigest()


POLL_SALT = "aar.meeting.poll"


POLL_TOKEN_AGE = 12 * 3600


def poll_token(review: Review, user_id: int) -> str:
    """A signed (review, user) pair: lets the poll answer "unchanged" without a session or user."""
    return signing.dumps([review.pk, user_id], salt=POLL_SALT, compress=False)


def token_review_id(token: str) -> int | None:
    try:
        review_id, _user_id = signing.loads(token, salt=POLL_SALT, max_age=POLL_TOKEN_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(review_id)


# Each process remembers a review's version for a quarter of a second, so that a thousand
# viewers polling the same meeting share one query per process per quarter second. A change
# reaches a screen at most that much later than without it.
VERSION_MEMO_SECONDS = 0.25


_versions: dict[tuple[int, str], tuple[float, int | None]] = {}


def current_version(review_id: int, slug: str) -> int | None:
    key = (review_id, slug)
    now = time.monotonic()
    memo = _versions.get(key)
    if memo is not None and now - memo[0] < VERSION_MEMO_SECONDS:
        return memo[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version FROM reviews_review WHERE id = %s AND slug = %s", [review_id, slug]
        )
        row = cursor.fetchone()
    version = int(row[0]) if row else None
    if len(_versions) > 10_000:
        _versions.clear()
    _versions[key] = (now, version)
    return version
