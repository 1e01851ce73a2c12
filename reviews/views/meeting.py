"""The live meeting page, its controls, its capture forms, the poll and the presenter view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest, HtmxHttpRequest
from actions.models import ActionItem, ActionType
from actions.services import ActionRefused, action_create, action_update
from reviews import push
from reviews.access import Need, ReviewAccess, get_review_for, review_view
from reviews.display import display_name
from reviews.forms import (
    DisputeForm,
    EntryEditForm,
    FindingForm,
    MeetingActionEditForm,
    MeetingActionForm,
    ResolveForm,
    SuggestionDecisionForm,
    SuggestionForm,
    SummaryForm,
    TimelineEntryForm,
    problems,
)
from reviews.live import (
    IDLE_SECONDS,
    NO_ACCESS,
    POLL_INTERVAL_MS,
    TEMPLATE,
    idle_key,
    joined,
    meeting_context,
    own_suggestions,
    personal_fragments,
    personal_role,
    poll_token,
    read_poll_token,
    remember_role,
    render_fragments,
    rendered_once,
    review_state,
    role_class,
    role_of,
    state_of,
)
from reviews.models import (
    EntryKind,
    MeetingNotes,
    Review,
    ReviewStatus,
    RootCauseMethod,
    Suggestion,
    SuggestionKind,
    TimelineEntry,
    WhyNode,
)
from reviews.services.meeting import (
    AMBER_SECONDS,
    FINDINGS,
    MeetingRefused,
    agenda_plan,
    agenda_warning,
    entry_dispute,
    entry_resolve,
    finding_add,
    finding_delete,
    finding_update,
    meeting_end,
    meeting_extend,
    meeting_move,
    meeting_pause,
    meeting_resume,
    meeting_reveal,
    meeting_start,
    meeting_undo,
    root_cause_method_set,
    suggestion_add,
    suggestion_decide,
)
from reviews.services.people import people_of_review
from reviews.services.reviews import summary_save
from reviews.services.room import (
    controller_check,
    facilitation_hand_over,
    hand_lower,
    hand_set,
    ready_ask,
    ready_close,
    ready_set,
    window_of,
)
from reviews.services.timeline import timeline_entry_add, timeline_entry_update
from reviews.versions import Stale


def _answer(
    request: HtmxHttpRequest, access: ReviewAccess, status: int = 200, **extra: Any
) -> HttpResponse:
    """After a change: htmx gets every fragment (each swapped out of band by its id, a notice
    or a conflict for this person in them), a plain POST is redirected."""
    if not request.htmx:
        return redirect("reviews:meeting", access.review.slug)
    access.review.refresh_from_db()
    context = meeting_context(access, presenter=request.GET.get("presenter") == "1", **extra)
    fragments = render_fragments(context, request=request)
    response = HttpResponse("".join(fragments.values()), status=status)
    response["X-AAR-Version"] = str(access.review.version)
    return response


def _page(
    request: HtmxHttpRequest, access: ReviewAccess, template: str, **extra: Any
) -> HttpResponse:
    """The page renders its fragments in place, for this person; the poll and the stream then
    keep them current."""
    context = meeting_context(access, **extra)
    context["poll_url"] = (
        reverse("reviews:poll", args=[access.review.slug])
        + "?"
        + urlencode(
            {"t": poll_token(access.review, access.user_id)}
            | ({"presenter": "1"} if extra.get("presenter") else {})
        )
    )
    if push.enabled() and push.STREAMS_SERVED:
        context["stream_url"] = reverse("reviews:stream", args=[access.review.slug]) + (
            "?presenter=1" if extra.get("presenter") else ""
        )
        context["htmx_extensions"] = "hx-sse"
    if access.is_facilitator:
        context["window"] = _window(request)  # which window of theirs this page is
    context["poll_interval_ms"] = POLL_INTERVAL_MS
    context["safety_poll_ms"] = push.SAFETY_POLL_MS
    context["amber_seconds"] = AMBER_SECONDS
    return render(request, template, context)


@login_required
@require_GET
@review_view()
def meeting(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    return _page(request, access, TEMPLATE, tab="meeting")


@login_required
@require_GET
@review_view()
def presenter(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    return _page(request, access, "reviews/meeting_presenter.html", presenter=True)


# --- The poll ---------------------------------------------------------------------------------


@require_GET
def poll(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """304 from one primary-key query while nothing changed; the fragments otherwise.

    The page hands out a signed token naming the review and the person it was rendered for,
    so the "nothing changed" answer needs no session, no user and no access query. A changed
    answer is for the signed-in person the token names only. After a change, the first answer
    decides access for the whole room at once (decide_for_the_room) and the others read their
    role; anything that changes who may see a review bumps its version, so whoever lost access
    gets a 404 on the next answer. The fragments are the ones rendered once for their role at
    this version.
    """
    token = read_poll_token(request.GET.get("t", ""))
    state = review_state(token[0], slug) if token else None
    if state is not None and request.GET.get("v") == str(state.version):
        unchanged = HttpResponseNotModified()
        unchanged["Cache-Control"] = "no-store"
        return unchanged
    user = request.user
    if not user.is_authenticated:
        raise Http404("No such review")
    user_id: int = user.pk
    access: ReviewAccess | None = None
    if state is None or token is None or user_id != token[1]:
        # No usable token: the full check, as for any page (a 404 for whoever may not see it).
        access = get_review_for(user, slug)
        state = state_of(access.review)
        role = role_class(access)
        remember_role(state, user_id, role)
    else:
        state, role, access = role_of(state, user_id)
    if role == NO_ACCESS:
        raise Http404("No such review")
    presenter = request.GET.get("presenter") == "1"
    shared = rendered_once(state, role, presenter, lambda: access or get_review_for(user, slug))
    mine = own_suggestions(state.pk, [user_id])[user_id] if personal_role(role) else []
    response = HttpResponse(
        joined({**shared, **personal_fragments(role, presenter, mine)}, presenter)
    )
    response["X-AAR-Version"] = str(state.version)
    response["Cache-Control"] = "no-store"
    return response


DELETED = "Deleted. “Undo” puts it back until the next change."


# --- Controls (the facilitator) ------------------------------------------------------------------


def _control(
    request: AuthenticatedHttpRequest, access: ReviewAccess, do: Callable[[Review, int], object]
) -> HttpResponse:
    """A facilitator's control: `do(review, phase_id)` under the review's lock, then the page."""
    try:
        phase_id = int(request.POST.get("phase", "0") or 0)
    except ValueError:
        phase_id = 0
    try:
        controller_check(review=access.review, window=_window(request))
        do(access.review, phase_id)
    except MeetingRefused as exc:
        if not request.htmx:
            messages.error(request, str(exc))
        return _answer(request, access, status=409, notice=str(exc))
    return _answer(request, access)


def _control_view(do: Callable[[AuthenticatedHttpRequest, Review, int], object]) -> Any:
    """One view (and URL) per control; `do(request, review, phase_id)` is the service call."""

    @login_required
    @require_POST
    @review_view(Need.FACILITATE)
    def view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
        return _control(request, access, lambda review, phase: do(request, review, phase))

    return view


def _extended(request: AuthenticatedHttpRequest) -> int | None:
    """The extension the facilitator's screen showed: twenty presses of it extend once."""
    try:
        return int(request.POST.get("extended", ""))
    except ValueError:
        return None


def _end(request: AuthenticatedHttpRequest, review: Review, _phase: int) -> None:
    meeting_end(review=review)
    if not request.htmx:
        messages.success(request, "Meeting ended. Finish the report below.")


control_start = _control_view(lambda _r, review, _p: meeting_start(review=review))
control_pause = _control_view(lambda _r, review, _p: meeting_pause(review=review))
control_resume = _control_view(lambda _r, review, _p: meeting_resume(review=review))
control_extend = _control_view(
    lambda request, review, phase: meeting_extend(
        review=review, phase_id=phase, extended=_extended(request)
    )
)
control_next = _control_view(
    lambda _r, review, phase: meeting_move(review=review, phase_id=phase, step=1)
)
control_previous = _control_view(
    lambda _r, review, phase: meeting_move(review=review, phase_id=phase, step=-1)
)
control_reveal = _control_view(lambda _r, review, _p: meeting_reveal(review=review))
control_end = _control_view(_end)
control_ready_ask = _control_view(lambda _r, review, _p: ready_ask(review=review))
control_ready_close = _control_view(lambda _r, review, _p: ready_close(review=review))


def _window(request: HttpRequest) -> str:
    """This session's name as a controlling window (saved first if it is new)."""
    if not request.session.session_key:
        request.session.save()
    return window_of(request.session.session_key or "")


@login_required
@require_POST
@review_view(Need.FACILITATE)
def control_take(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """Run the meeting from this window; the other one shows that it no longer does."""
    controller_check(review=access.review, window=_window(request), take=True)
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.FACILITATE)
def control_hand_lower(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """Lower one hand (`participant`) or, with `participant=all`, every hand."""
    which = request.POST.get("participant", "")
    if which != "all" and not which.isdigit():
        return _answer(request, access, status=400, notice="Say whose hand to lower.")
    return _control(
        request,
        access,
        lambda review, _p: hand_lower(
            review=review, participant_id=None if which == "all" else int(which)
        ),
    )


@login_required
@require_POST
@review_view(Need.FACILITATE)
def control_hand_over(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """Hand the facilitation to a participant; this person becomes a participant."""
    to = request.POST.get("to", "")
    if not to.isdigit():
        return _answer(request, access, status=400, notice="Choose who takes over.")
    try:
        controller_check(review=access.review, window=_window(request))
        new = facilitation_hand_over(review=access.review, to_user_id=int(to), actor=request.user)
    except MeetingRefused as exc:
        return _answer(request, access, status=409, notice=str(exc))
    messages.success(request, f"{display_name(new)} facilitates the meeting now.")
    if request.htmx:
        # This page's controls are gone: load it again as a participant.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("reviews:meeting", access.review.slug)


# --- The room (everyone who takes part) ----------------------------------------------------


@login_required
@require_POST
@review_view()
def room_here(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """The page says its person went idle (`idle=1`: hidden, or no input for minutes) or came
    back (`idle=0`); the presence list on every screen follows."""
    idle = _yes(request, "idle")
    if idle is None:
        return HttpResponse("Say idle=1 or idle=0.", status=400, content_type="text/plain")
    key = idle_key(access.review.pk, access.user_id)
    was = cache.get(key) is not None
    if idle:
        cache.set(key, 1, IDLE_SECONDS)
    else:
        cache.delete(key)
    if idle != was:
        push.presence_changed(access.review.pk)
    return HttpResponse(status=204)


def _yes(request: AuthenticatedHttpRequest, name: str) -> bool | None:
    value = request.POST.get(name, "")
    return {"1": True, "0": False}.get(value)


def _own_choice_view(
    name: str, unclear: str, do: Callable[[Review, int, bool], object], doc: str
) -> Any:
    """A participant's own yes-or-no in the room (`<name>=1` or `0`): `do(review, user, yes)`,
    then the page; a refusal (the meeting not running, nothing asked) is said on it."""

    @login_required
    @require_POST
    @review_view(Need.CONTRIBUTE)
    def view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
        yes = _yes(request, name)
        if yes is None:
            return _answer(request, access, status=400, notice=unclear)
        try:
            do(access.review, access.user_id, yes)
        except MeetingRefused as exc:
            return _answer(request, access, status=409, notice=str(exc))
        return _answer(request, access)

    view.__doc__ = doc
    return view


room_hand = _own_choice_view(
    "raised",
    "Raise or lower: say which.",
    lambda review, user, yes: hand_set(review=review, user_id=user, raised=yes),
    "Raise (`raised=1`) or lower (`raised=0`) one's own hand.",
)
room_ready = _own_choice_view(
    "ready",
    "Ready or not: say which.",
    lambda review, user, yes: ready_set(review=review, user_id=user, ready=yes),
    'Answer the facilitator\'s "Ready to move on?" (`ready=1`), or take it back (`ready=0`).',
)


@login_required
@require_POST
@review_view(Need.FACILITATE)
def agenda_edit(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    minutes: dict[int, int] = {}
    for key, value in request.POST.items():
        if key.startswith("phase-"):
            try:
                minutes[int(key[6:])] = int(str(value))
            except ValueError:
                messages.error(request, "Minutes must be whole numbers; nothing was changed.")
                return redirect("reviews:meeting", access.review.slug)
    try:
        total = agenda_plan(review=access.review, minutes=minutes)
    except MeetingRefused as exc:
        messages.error(request, str(exc))
    else:
        warning = agenda_warning(total)
        if warning:
            messages.warning(request, warning)
        else:
            messages.success(request, f"Agenda saved: {total} minutes.")
    return redirect("reviews:meeting", access.review.slug)


# --- Capture (facilitator and scribe) ----------------------------------------------------------


def _capture_open(access: ReviewAccess) -> None:
    """Capture is open in the meeting and after it: the report is finished here too, and a
    published one can be amended and published again as a new version."""
    if not access.review.is_open_for_capture:
        raise Http404("The meeting is not open for capture")


def _conflict(
    request: HtmxHttpRequest,
    access: ReviewAccess,
    stale: Stale,
    *,
    kind: str,
    pk: int | None,
    mine: str,
    mine_fields: dict[str, Any] | None = None,
    **extra: Any,
) -> HttpResponse:
    """Someone saved first: show their text beside this person's own, which stays in the form
    with every other field as they set it (`mine_fields`); `extra` goes to the page."""
    conflict = {
        "kind": kind,
        "pk": pk,
        "theirs": stale.current_text,
        "mine": mine,
        "fields": mine_fields or {},
        "version": stale.version,
    }
    return _answer(request, access, status=409, conflict=conflict, **extra)


@login_required
@require_POST
@review_view(Need.EDIT)
def summary_edit(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    _capture_open(access)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, access, status=400, notice="The summary could not be saved; your text is kept."
        )
    try:
        summary_save(
            review=access.review,
            text=form.cleaned_data["text"],
            version=form.cleaned_data["version"],
        )
    except Stale as exc:
        return _conflict(
            request, access, exc, kind="summary", pk=None, mine=form.cleaned_data["text"]
        )
    return _answer(request, access)


def _finding(access: ReviewAccess, kind: str, pk: int) -> Any:
    model = FINDINGS.get(kind)
    if model is None:
        raise Http404("No such finding")
    return get_object_or_404(model, pk=pk, review=access.review)


def _finding_fields(kind: str, data: dict[str, Any], access: ReviewAccess) -> dict[str, Any]:
    if kind == "why":
        parent = data.get("parent")
        if parent and not WhyNode.objects.filter(pk=parent, review=access.review).exists():
            raise Http404("No such why")
        return {"parent_id": parent or None}
    if kind == "causal":
        return {"factor_type": data.get("factor_type") or "technical"}
    if kind == "factor":
        return {"category": data.get("category") or "other"}
    if kind == "lesson":
        return {"category": data.get("lesson_category") or "general"}
    return {}


@login_required
@require_POST
@review_view(Need.EDIT)
def finding_add_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, kind: str
) -> HttpResponse:
    _capture_open(access)
    if kind not in FINDINGS:
        raise Http404("No such finding")
    entries = list(access.review.timeline_entries.all())
    form = FindingForm(request.POST, entries=entries)
    if not form.is_valid():
        return _answer(
            request, access, status=400, notice="Write the text first; nothing was added."
        )
    finding_add(
        review=access.review,
        kind=kind,
        actor=request.user,
        text=form.cleaned_data["text"],
        evidence=form.cleaned_data.get("evidence") or [],
        **_finding_fields(kind, form.cleaned_data, access),
    )
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.EDIT)
def finding_edit_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, kind: str, pk: int
) -> HttpResponse:
    _capture_open(access)
    item = _finding(access, kind, pk)
    form = FindingForm(request.POST, entries=list(access.review.timeline_entries.all()))
    if not form.is_valid() or not form.cleaned_data.get("version"):
        return _answer(
            request, access, status=400, notice="The text cannot be empty; nothing was changed."
        )
    fields = {
        k: v
        for k, v in _finding_fields(kind, form.cleaned_data, access).items()
        if k != "parent_id"
    }
    try:
        finding_update(
            item=item,
            version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
            evidence=form.cleaned_data.get("evidence") if kind == "why" else None,
            **fields,
        )
    except Stale as exc:
        return _conflict(request, access, exc, kind=kind, pk=pk, mine=form.cleaned_data["text"])
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.EDIT)
def finding_delete_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, kind: str, pk: int
) -> HttpResponse:
    _capture_open(access)
    finding_delete(item=_finding(access, kind, pk))
    return _answer(request, access, notice=DELETED)


@login_required
@require_POST
@review_view(Need.EDIT)
def undo_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """Put back what the last delete removed (until the next change)."""
    try:
        label = meeting_undo(review=access.review)
    except MeetingRefused as exc:
        return _answer(request, access, status=409, notice=str(exc))
    return _answer(request, access, notice=f"Put back: “{label}”.")


@login_required
@require_POST
@review_view(Need.FACILITATE)
def method_set(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    method = request.POST.get("method", "")
    if method in RootCauseMethod.values:
        root_cause_method_set(review=access.review, method=method)
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.CONTRIBUTE)
def entry_dispute_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    if access.review.status != ReviewStatus.IN_MEETING:
        raise Http404("The meeting is not running")
    entry = get_object_or_404(TimelineEntry, pk=pk, review=access.review)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return _answer(request, access, status=400, notice="Say what is wrong with the entry.")
    entry_dispute(entry=entry, note=form.cleaned_data["note"])
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.EDIT)
def entry_resolve_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    _capture_open(access)
    entry = get_object_or_404(TimelineEntry, pk=pk, review=access.review)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _answer(request, access, status=400, notice="Write the correction.")
    try:
        entry_resolve(
            entry=entry,
            correction=form.cleaned_data["correction"],
            version=form.cleaned_data["version"],
        )
    except Stale as exc:
        return _conflict(
            request, access, exc, kind="entry", pk=pk, mine=form.cleaned_data["correction"]
        )
    return _answer(request, access)


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def entry_edit_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    """An entry's time, kind and text, corrected in place (a stale edit shows both texts).
    GET: its form, fetched when someone opens "Edit"."""
    _capture_open(access)
    entry = get_object_or_404(TimelineEntry, pk=pk, review=access.review)
    if request.method == "GET":
        context = {"review": access.review, "entry": entry, "entry_kinds": EntryKind.choices}
        return render(request, "reviews/partials/_entry_edit_form.html", context)
    form = EntryEditForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            access,
            status=400,
            notice="An entry needs its time and what happened; nothing was changed.",
        )
    data = form.cleaned_data
    try:
        timeline_entry_update(
            entry=entry,
            version=data["version"],
            occurred_at=data["occurred_at"],
            kind=data["kind"],
            description=data["description"].strip(),
        )
    except Stale as exc:
        return _conflict(
            request,
            access,
            exc,
            kind="entry-edit",
            pk=pk,
            mine=data["description"],
            mine_fields={"occurred_at": data["occurred_at"], "kind": data["kind"]},
        )
    return _answer(request, access)


def _meeting_action(access: ReviewAccess, pk: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.select_related("owner"), pk=pk, review=access.review
    )


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def action_edit_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    """An action's title, owner, due date, type, size and definition of done, in one form
    (GET: the form, fetched when "Edit" is opened)."""
    _capture_open(access)
    action = _meeting_action(access, pk)
    people = people_of_review(access.review)
    if request.method == "GET":
        form = MeetingActionEditForm(
            people=people,
            initial={
                "title": action.title,
                "owner": action.owner_id,
                "due_on": action.due_on,
                "action_type": action.action_type,
                "size": action.size,
                "definition_of_done": action.definition_of_done,
                "version": action.version,
            },
        )
        context = {"review": access.review, "action": action, "form": form}
        return render(request, "reviews/partials/_action_edit_form.html", context)
    form = MeetingActionEditForm(request.POST, people=people)
    if not form.is_valid():
        return _answer(request, access, status=400, notice=f"Nothing was changed: {problems(form)}")
    data = form.cleaned_data
    try:
        action_update(
            action=action,
            actor=request.user,
            version=data["version"],
            owner=data.get("owner"),
            due_on=data.get("due_on"),
            reason=data.get("reason") or "",
            review=access.review,
            title=data["title"].strip(),
            action_type=data["action_type"],
            size=data.get("size") or "",
            definition_of_done=data.get("definition_of_done") or "",
        )
    except ActionRefused as exc:
        return _answer(request, access, status=400, notice=f"Nothing was changed: {exc}")
    except Stale as exc:
        # Their action beside this person's form, which keeps everything they chose.
        mine = MeetingActionEditForm(request.POST, people=people)
        return _conflict(
            request, access, exc, kind="action-edit", pk=pk, mine=data["title"], conflict_form=mine
        )
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.EDIT)
def action_delete_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    _capture_open(access)
    finding_delete(item=_meeting_action(access, pk))
    return _answer(request, access, notice=DELETED)


@login_required
@require_POST
@review_view(Need.EDIT)
def entry_delete_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    _capture_open(access)
    finding_delete(item=get_object_or_404(TimelineEntry, pk=pk, review=access.review))
    return _answer(request, access, notice=DELETED)


@login_required
@require_POST
@review_view(Need.EDIT)
def entry_add_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    _capture_open(access)
    form = TimelineEntryForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, access, status=400, notice="An entry needs its time and what happened."
        )
    timeline_entry_add(review=access.review, actor=request.user, **form.cleaned_data)
    return _answer(request, access)


@login_required
@require_POST
@review_view(Need.EDIT)
def action_add_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    _capture_open(access)
    form = MeetingActionForm(request.POST, people=people_of_review(access.review))
    if not form.is_valid():
        return _answer(
            request,
            access,
            status=400,
            notice="The action needs a title; nothing was added.",
            action_form=form,
        )
    action_create(review=access.review, actor=request.user, **form.cleaned_data)
    return _answer(request, access)


# --- Suggestions ------------------------------------------------------------------------------


@login_required
@require_POST
@review_view(Need.CONTRIBUTE)
def suggestion_add_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            access,
            status=400,
            notice="Your suggestion needs its text (and a time, for an entry).",
        )
    data = form.cleaned_data
    payload: dict[str, Any] = {}
    if data["kind"] == SuggestionKind.ENTRY:
        payload["occurred_at"] = data["occurred_at"].isoformat()
        payload["entry_kind"] = data.get("entry_kind") or "other"
    if data["kind"] == SuggestionKind.WHY and data.get("parent"):
        if not WhyNode.objects.filter(pk=data["parent"], review=access.review).exists():
            raise Http404("No such why")
        payload["parent"] = data["parent"]
    if data["kind"] == SuggestionKind.CAUSAL:
        payload["factor_type"] = data.get("factor_type") or "technical"
    if data["kind"] == SuggestionKind.FACTOR:
        payload["category"] = data.get("category") or "other"
    try:
        suggestion_add(
            review=access.review,
            author=request.user,
            kind=data["kind"],
            text=data["text"],
            payload=payload,
        )
    except MeetingRefused as exc:
        return _answer(request, access, status=409, notice=str(exc))
    return _answer(request, access, notice="Suggestion sent to the scribe.")


@login_required
@require_POST
@review_view(Need.EDIT)
def suggestion_decide_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    _capture_open(access)
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("author", "review"), pk=pk, review=access.review
    )
    accept = request.POST.get("decision") == "accept"
    fields: dict[str, Any] = {}
    kind = str(suggestion.kind)
    text = suggestion.text
    if accept:
        # What the scribe made of it: the kind it is filed as, its text, an entry's time and
        # kind, an action's owner, date, type and size.
        posted = request.POST.copy()
        posted.setdefault("kind", kind)
        posted.setdefault("text", posted.get("title") or suggestion.text)
        form = SuggestionDecisionForm(posted)
        if not form.is_valid():
            return _answer(
                request,
                access,
                status=400,
                notice=f"Nothing was filed: {problems(form)}",
            )
        kind, text = form.cleaned_data["kind"], form.cleaned_data["text"].strip()
        if kind == SuggestionKind.ENTRY:
            fields = {
                "occurred_at": form.cleaned_data["occurred_at"],
                "entry_kind": form.cleaned_data.get("entry_kind") or "other",
            }
        elif kind == SuggestionKind.ACTION:
            posted.setdefault("title", text)
            posted.setdefault("action_type", ActionType.OTHER)  # filed as an action here
            action = MeetingActionForm(posted, people=people_of_review(access.review))
            if not action.is_valid():
                return _answer(
                    request,
                    access,
                    status=400,
                    notice=f"Nothing was filed: {problems(action)}",
                )
            fields = {k: v for k, v in action.cleaned_data.items() if k != "title"}
            text = action.cleaned_data["title"]
    try:
        suggestion_decide(
            suggestion=suggestion,
            actor=request.user,
            accept=accept,
            kind=kind,
            text=text,
            fields=fields,
        )
    except MeetingRefused as exc:
        return _answer(request, access, status=409, notice=str(exc))
    return _answer(request, access)


# --- Private notes ------------------------------------------------------------------------------


@login_required
@require_http_methods(["POST"])
@review_view(Need.FACILITATE)
def notes_save(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    body = request.POST.get("body", "")
    notes, _ = MeetingNotes.objects.get_or_create(review=access.review, author=request.user)
    MeetingNotes.objects.filter(pk=notes.pk).update(body=body, updated_at=timezone.now())
    if request.htmx:
        return HttpResponse(
            f'<p id="notes-state" class="saved-state">Saved {timezone.localtime():%H:%M:%S}.</p>'
        )
    return redirect("reviews:meeting", access.review.slug)
