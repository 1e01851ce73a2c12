"""What the live meeting shows and how screens follow it.

`meeting_context` gathers everything the page and its fragments show in a fixed number of
queries; `shared_fragments` renders them once per review version and role (shared through the
cache by everyone with the same role; nothing in them belongs to one person, so no CSRF token
is in them), `personal_fragments` the few that belong to one person. The poll answers
"unchanged" from a signed token and one primary-key query (`review_state`); a changed answer
decides access once per person and version (`cached_role`). Open pages learn of a change
through the push stream (reviews.push) or, without it, by polling.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aar_project.cache import cache_is_down
from aar_project.db import give_back_connection
from aar_project.typing import HtmxHttpRequest
from reviews.access import ReviewAccess, accesses_for, review_zone
from reviews.display import agenda_report, display_name, format_offset
from reviews.forms import FindingForm, MeetingActionForm, SuggestionForm, SummaryForm
from reviews.models import (
    Account,
    EntryKind,
    LessonCategory,
    MeetingNotes,
    Participant,
    Review,
    Role,
    RootCauseMethod,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    WhyNode,
    suggestion_kind_for,
)
from reviews.services.meeting import agenda_warning, clock_for, undo_of
from reviews.services.people import people_of_review
from reviews.services.publish import publish_checklist

TEMPLATE = "reviews/meeting.html"
MEETING_ENTRIES = 200  # the latest timeline entries the meeting shows
POLL_INTERVAL_MS = 2000  # how often a page without a working stream asks for changes


# Each is swapped by its id; the review's status badge and the meeting tab's live dot sit
# in the page's header, outside the meeting, and follow it too.
FRAGMENTS = (
    "m-state",
    "m-room",
    "m-phase",
    "m-capture",
    "m-suggestions",
    "m-accounts",
    "m-badge",
    "m-dot",
)


PRESENTER_FRAGMENTS = ("m-state", "m-phase")

IDLE_SECONDS = 15 * 60  # how long an "idle" mark lasts without a word from the page


def idle_key(review_id: int, user_id: int) -> str:
    """Where a person's "idle" mark in a meeting is kept (the cache): set by their page."""
    return f"aar:idle:{review_id}:{user_id}"


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


def meeting_context(access: ReviewAccess, **extra: Any) -> dict[str, Any]:
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
    # The reveal never shows a draft: the meeting (often on a shared screen) shows submitted
    # accounts, and the facilitator sees whose account is still a draft, without its text.
    accounts = (
        [
            account
            for account in Account.objects.filter(review=review).select_related("participant__user")
            if account.submitted_at is not None or access.is_facilitator
        ]
        if revealed_or_lead
        else []
    )
    people_qs = people_of_review(review)
    people = list(people_qs)
    room = room_of(review, access, clock.phase)
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
        "lessons": list(review.lesson_items.all()),
        "actions": list(review.action_items.select_related("owner").order_by("pk")),
        # The last delete, while nothing else has changed since (for those who capture).
        "undo": undo_of(review) if access.can_edit else None,
        "resurfaced": list(
            review.resurfaced_actions.select_related("action__owner", "action__review")
        ),
        "suggestions": suggestions,
        "accounts": accounts,
        "people": people,
        "room": room,
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
        "lesson_categories": LessonCategory.choices,
        # What a participant's suggestion in the current phase is filed as.
        "suggestion_kind": suggestion_kind_for(clock.phase.phase, review.root_cause_method)
        if clock.phase
        else "",
        "suggestion_kinds": SuggestionKind.choices,
        "entry_kinds": EntryKind.choices,
        "no_history": True,
        "nav": "reviews",
        # Where a form outside the meeting's own (an earlier action's decision) comes back to:
        # never the URL of the request that rendered a shared fragment.
        "next_url": reverse("reviews:meeting", args=[review.slug]),
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


@dataclass
class Room:
    """Who is in the meeting's room and what they asked for: the same for everyone of a role
    (each page marks its own hand and answer from `hands` and `ready`, lists of user ids)."""

    facilitator: str
    hands: list[Participant]
    asked: bool
    expected: list[Participant]
    ready: list[Participant]
    quiet: list[Participant]
    successors: list[Participant]

    @property
    def hand_ids(self) -> str:
        return " ".join(str(p.user_id) for p in self.hands)

    @property
    def ready_ids(self) -> str:
        return " ".join(str(p.user_id) for p in self.ready)

    @property
    def waiting(self) -> list[Participant]:
        ready = {p.pk for p in self.ready}
        return [p for p in self.expected if p.pk not in ready]


def room_of(review: Review, access: ReviewAccess, current: Any) -> Room:
    """The room in two queries (one more for the facilitator, in a phase): hands in the order
    they went up, the ready check against the participants expected to answer it, and for the
    facilitator who has not been heard from in this phase (no suggestion, no hand)."""
    everyone = list(Participant.objects.filter(review=review).select_related("user"))
    participants = [p for p in everyone if p.role == Role.PARTICIPANT]
    asked = review.ready_asked_at is not None and review.is_in_meeting
    ready = [
        p
        for p in everyone
        if asked and p.ready_at is not None and p.ready_at >= review.ready_asked_at  # type: ignore[operator]
    ]
    quiet: list[Participant] = []
    if access.is_facilitator and review.is_in_meeting and current and current.started_at:
        heard = set(
            review.suggestions.filter(created_at__gte=current.started_at).values_list(
                "author_id", flat=True
            )
        )
        quiet = [
            p
            for p in participants
            if p.user_id not in heard and not (p.heard_at and p.heard_at >= current.started_at)
        ]
    return Room(
        facilitator=next(
            (display_name(p.user) for p in everyone if p.role == Role.FACILITATOR), ""
        ),
        hands=sorted(
            (p for p in everyone if p.hand_raised_at is not None),
            key=lambda p: (p.hand_raised_at, p.pk),
        ),
        asked=asked,
        expected=participants,
        ready=ready,
        quiet=quiet,
        successors=participants if access.is_facilitator else [],
    )


def render_fragments(
    context: dict[str, Any],
    names: tuple[str, ...] = FRAGMENTS,
    *,
    request: HtmxHttpRequest | None = None,
) -> dict[str, str]:
    """Each fragment's HTML. Without a request it is the shared render: nothing in it belongs
    to one person (no CSRF token; htmx sends the page's own in a header)."""
    if request is None:
        context = {**context, "shared": True}
    return {name: render_to_string(f"{TEMPLATE}#{name}", context, request) for name in names}


def role_class(access: ReviewAccess) -> str:
    """People who see the same meeting fragments share a role class."""
    if access.is_facilitator:
        return "facilitator" if access.reads_sealed else "facilitator-unsealed"
    if access.can_edit:
        return "editor" if access.reads_sealed else "editor-unsealed"
    if access.can_contribute:
        return "contributor"
    return "viewer"


def _personal(role: str) -> set[str]:
    """Fragments whose content belongs to one person, never shared through the cache."""
    return set() if role.startswith(("facilitator", "editor")) else {"m-suggestions"}


def personal_role(role: str) -> bool:
    """People of this role see fragments of their own (their own suggestions)."""
    return bool(_personal(role))


@dataclass(frozen=True)
class ReviewState:
    """What the poll reads of a review in its one query."""

    pk: int
    version: int
    born: int  # the creation time: a restored or different database never meets old entries


def review_state(review_id: int, slug: str) -> ReviewState | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, created_at FROM reviews_review WHERE id = %s AND slug = %s",
            [review_id, slug],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    created = row[1]
    if isinstance(created, str):  # SQLite hands back text
        created = dt.datetime.fromisoformat(created)
    return ReviewState(review_id, int(row[0]), int(created.timestamp() * 1_000_000))


def state_of(review: Review) -> ReviewState:
    return ReviewState(review.pk, review.version, int(review.created_at.timestamp() * 1_000_000))


def _shared_key(state: ReviewState, role: str, presenter: bool) -> str:
    return f"aar:mtg:{state.pk}:{state.born}:{state.version}:{role}:{int(presenter)}"


def _access_key(state: ReviewState, user_id: int) -> str:
    return f"aar:mtg-access:{state.pk}:{state.born}:{state.version}:{user_id}"


NO_ACCESS = "-"


def cached_role(state: ReviewState, user_id: int) -> str | None:
    """The role class decided for this person at this version, if it was decided already.
    Anything that changes who may see a review bumps its version, so a decision is never
    used after such a change."""
    role = cache.get(_access_key(state, user_id))
    return role if isinstance(role, str) else None


def remember_role(state: ReviewState, user_id: int, role: str) -> None:
    cache.set(_access_key(state, user_id), role, 600)


T = TypeVar("T")

WAIT_FOR_OTHERS = 1.0  # how long an answer waits for another's work on the same version


def _once(lock: str, ready: Callable[[], T | None], make: Callable[[], T]) -> T:
    """What `ready()` finds, or else what `make()` makes, made by one answer at a time: after
    a change the room's pages ask within moments of each other, and the others wait for the
    first one's work instead of doing the same thing side by side. Without a working cache
    (or after the wait) each answer makes its own."""
    found = ready()
    if found is not None:
        return found
    if cache.add(lock, 1, 10):
        try:
            return make()
        finally:
            cache.delete(lock)
    if not cache_is_down():
        deadline = time.monotonic() + WAIT_FOR_OTHERS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            found = ready()
            if found is not None:
                return found
    return make()


def decide_for_the_room(review_id: int, user_id: int) -> tuple[ReviewState, ReviewAccess | None]:
    """This person's access to the review now and, in the same four queries, that of every
    participant (the people whose pages follow it), each remembered at the review's version:
    after a change the first answer decides for the room and the others read their role,
    instead of fifty access checks for fifty pages. Raises Http404 when the review is gone."""
    people = set(Participant.objects.filter(review_id=review_id).values_list("user_id", flat=True))
    review, accesses = accesses_for(review_id, sorted(people | {user_id}))
    if review is None:
        raise Http404("No such review")
    state = state_of(review)
    cache.set_many(
        {
            _access_key(state, person): role_class(accesses[person])
            if person in accesses
            else NO_ACCESS
            for person in people | {user_id}
        },
        600,
    )
    return state, accesses.get(user_id)


def role_of(state: ReviewState, user_id: int) -> tuple[ReviewState, str, ReviewAccess | None]:
    """This person's role class at this version (NO_ACCESS for none), decided for the room by
    the first answer after a change; with the access when this answer decided it."""

    def decided() -> tuple[ReviewState, str, ReviewAccess | None] | None:
        role = cached_role(state, user_id)
        return None if role is None else (state, role, None)

    def decide() -> tuple[ReviewState, str, ReviewAccess | None]:
        now, access = decide_for_the_room(state.pk, user_id)
        return now, role_class(access) if access else NO_ACCESS, access

    return _once(f"aar:mtg-room:{state.pk}:{state.born}:{state.version}", decided, decide)


def shared_fragments(state: ReviewState, role: str, presenter: bool) -> dict[str, str] | None:
    """The role's fragments at this version, if they were rendered already."""
    shared = cache.get(_shared_key(state, role, presenter))
    return shared if isinstance(shared, dict) else None


def rendered_once(
    state: ReviewState, role: str, presenter: bool, access: Callable[[], ReviewAccess]
) -> dict[str, str]:
    """The role's fragments at this version: from the cache, or rendered by one answer (as
    `access()`, someone of the role) while the others of the role wait for it."""
    return _once(
        _shared_key(state, role, presenter) + ":rendering",
        lambda: shared_fragments(state, role, presenter),
        lambda: render_shared(state, role, presenter, access()),
    )


def render_shared(
    state: ReviewState, role: str, presenter: bool, access: ReviewAccess
) -> dict[str, str]:
    """Render the role's fragments at this version (as `access`, someone of that role) and
    keep them for everyone else of the role."""
    names = PRESENTER_FRAGMENTS if presenter else FRAGMENTS
    with timezone.override(review_zone(access.review)):
        rendered = render_fragments(meeting_context(access, presenter=presenter), names)
    shared = {name: html for name, html in rendered.items() if name not in _personal(role)}
    cache.set(_shared_key(state, role, presenter), shared, 600)
    return shared


def personal_fragments(role: str, presenter: bool, suggestions: list[Suggestion]) -> dict[str, str]:
    """The fragments that belong to one person (a participant's own suggestions, the latest
    twenty); none for the roles that see everyone's."""
    names = _personal(role) & set(PRESENTER_FRAGMENTS if presenter else FRAGMENTS)
    if not names:
        return {}
    return render_fragments({"presenter": presenter, "suggestions": suggestions}, tuple(names))


def own_suggestions(review_id: int, user_ids: list[int]) -> dict[int, list[Suggestion]]:
    """Each person's latest twenty suggestions in the review, in one query."""
    own: dict[int, list[Suggestion]] = {user_id: [] for user_id in user_ids}
    rows = Suggestion.objects.filter(review_id=review_id, author_id__in=user_ids)
    for suggestion in rows.order_by("author_id", "-created_at"):
        if len(own[suggestion.author_id]) < 20:
            own[suggestion.author_id].append(suggestion)
    return own


def joined(fragments: dict[str, str], presenter: bool) -> str:
    """The fragments of one answer, in page order (each is swapped by its id)."""
    order = PRESENTER_FRAGMENTS if presenter else FRAGMENTS
    return "".join(fragments[name] for name in order if name in fragments)


def stream_fragments(
    review_id: int, viewers: list[tuple[int, bool]]
) -> tuple[int, dict[tuple[int, bool], str]]:
    """What the push stream sends each open page after a change: every fragment, swapped by
    id, for each (person, presenter view) with a stream open, at the review's current version.

    Access is decided for all of them at once (accesses_for: four queries), the shared
    fragments come once per role from the cache (rendered on a miss), and participants' own
    suggestions come from one query: the cost does not grow with the number of streams.
    Whoever may no longer see the review is left out (the hub ends their stream).
    """
    review, accesses = accesses_for(review_id, sorted({user for user, _ in viewers}))
    if review is None:
        return 0, {}
    state = state_of(review)
    roles = {user: role_class(access) for user, access in accesses.items()}
    own = own_suggestions(review_id, [user for user, role in roles.items() if personal_role(role)])
    shared: dict[tuple[str, bool], dict[str, str]] = {}
    nobody: dict[tuple[str, bool], dict[str, str]] = {}
    out: dict[tuple[int, bool], str] = {}
    with timezone.override(review_zone(review)):
        for user, presenter in viewers:
            if user not in roles:
                continue
            role = roles[user]
            key = (role, presenter)
            if key not in shared:
                shared[key] = rendered_once(
                    state, role, presenter, functools.partial(accesses.__getitem__, user)
                )
            if own.get(user):
                personal = personal_fragments(role, presenter, own[user])
            else:  # no suggestions of their own: the same for everyone of the role
                if key not in nobody:
                    nobody[key] = personal_fragments(role, presenter, [])
                personal = nobody[key]
            out[(user, presenter)] = joined({**shared[key], **personal}, presenter)
    return state.version, out


POLL_SALT = "aar.meeting.poll"


POLL_TOKEN_AGE = 12 * 3600


def poll_token(review: Review, user_id: int) -> str:
    """A signed (review, user) pair: lets the poll answer "unchanged" without a session or user."""
    return signing.dumps([review.pk, user_id], salt=POLL_SALT, compress=False)


def read_poll_token(token: str) -> tuple[int, int] | None:
    try:
        review_id, user_id = signing.loads(token, salt=POLL_SALT, max_age=POLL_TOKEN_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(review_id), int(user_id)


_POLL_PATH = re.compile(r"^/reviews/(?P<slug>[-\w]+)/meeting/poll/$")


def _unchanged(review_id: int, slug: str, version: str) -> bool:
    try:
        state = review_state(review_id, slug)
    finally:
        give_back_connection()
    return state is not None and version == str(state.version)


# Two threads of their own: enough for thousands of answers a second, and never more than two
# of the process's pooled connections, so the pages' threads do not wait behind the polls.
UNCHANGED_THREADS = 2
_unchanged_async = sync_to_async(
    _unchanged,
    thread_sensitive=False,
    executor=ThreadPoolExecutor(UNCHANGED_THREADS, thread_name_prefix="aar-poll"),
)


async def unchanged_poll(scope: dict[str, Any]) -> bool:
    """True when an ASGI request is a meeting poll whose review has not moved: the same
    decision as the poll view's first lines (a valid token for this review and the current
    version), made before Django's handler, so the 304 costs one query and no thread of its
    own. Anything else is the view's to answer."""
    if scope.get("method") != "GET":
        return False
    match = _POLL_PATH.match(scope.get("path", ""))
    if match is None:
        return False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = read_poll_token(query.get("t", [""])[0])
    version = query.get("v", [""])[0]
    if token is None or not version.isdigit():
        return False
    return bool(await _unchanged_async(token[0], match["slug"], version))
