"""Before the meeting: record the event, schedule, invite people, follow the preparation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.dates import day_start
from aar_project.typing import AuthenticatedHttpRequest
from actions.models import ActionItem
from reviews.access import Need, ReviewAccess, review_view
from reviews.forms import ParticipantAddForm, ParticipantRoleForm, PullRequestForm, ReviewForm
from reviews.hints import Hint, review_health_of
from reviews.models import (
    CausalFactor,
    CausalFactorType,
    ContributingFactor,
    ExportStatus,
    FactorCategory,
    Participant,
    Review,
    ReviewKind,
    ReviewStatus,
    Role,
    Team,
    pull_request_of,
    review_conditions,
    writes_account,
)
from reviews.services.hints import visible_hints
from reviews.services.invitations import invitations_send
from reviews.services.organisation import team_next_facilitator
from reviews.services.people import (
    lead_allow_sealed,
    participant_add,
    participant_remove,
    participant_set,
    review_set_leads,
)
from reviews.services.reviews import review_cancel, review_create, review_update
from reviews.versions import Stale

STATE_LABELS = {
    "current": "not cancelled",
    "waiting": "waiting for their meeting",
    "waiting_late": "waiting over two weeks since the event",
    "unpublished": "report not published five days after the meeting",
}


def _state_label(filters: dict[str, str]) -> str:
    words = [STATE_LABELS.get(filters["state"], "")]
    if filters.get("factor"):
        words.append(
            f"with a contributing factor in {dict(FactorCategory.choices)[filters['factor']].lower()}"
        )
    if filters.get("cause"):
        words.append(
            f"with a {dict(CausalFactorType.choices)[filters['cause']].lower()} causal factor"
        )
    return ", ".join(w for w in words if w)


@login_required
@require_GET
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = Team.objects.visible_to(request.user)
    reviews = Review.objects.visible_to(request.user).select_related("team", "facilitator")
    filters = {
        "team": request.GET.get("team", ""),
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "state": request.GET.get("state", ""),
    }
    if filters["team"]:
        reviews = reviews.filter(team__slug=filters["team"])
    if filters["status"] in ReviewStatus.values:
        reviews = reviews.filter(status=filters["status"])
    if filters["kind"] in ReviewKind.values:
        reviews = reviews.filter(kind=filters["kind"])
    # The dashboard's "what keeps recurring": reviews with a factor of a category or type.
    if request.GET.get("factor") in FactorCategory.values:
        filters["factor"] = request.GET["factor"]
        reviews = reviews.filter(
            pk__in=ContributingFactor.objects.filter(category=filters["factor"]).values("review")
        )
    if request.GET.get("cause") in CausalFactorType.values:
        filters["cause"] = request.GET["cause"]
        reviews = reviews.filter(
            pk__in=CausalFactor.objects.filter(factor_type=filters["cause"]).values("review")
        )
    conditions = review_conditions(timezone.localdate(), Team.objects.review_required())
    if filters["state"] in conditions:
        reviews = reviews.filter(conditions[filters["state"]])
    # The dashboard's "reviews in the period": created from one day to another.
    created = {}
    for name in ("created_since", "created_until"):
        raw = request.GET.get(name, "")
        if raw:
            try:
                created[name] = dt.date.fromisoformat(raw)
            except ValueError:
                messages.error(request, f"“{raw}” is not a date (YYYY-MM-DD); it was left out.")
    if created.get("created_since"):
        reviews = reviews.filter(created_at__gte=day_start(created["created_since"]))
    if created.get("created_until"):
        reviews = reviews.filter(
            created_at__lt=day_start(created["created_until"] + dt.timedelta(days=1))
        )
    reviews = reviews.annotate(
        people=Count("participants", distinct=True),
        submitted=Count("accounts", filter=Q(accounts__submitted_at__isnull=False), distinct=True),
    ).order_by(F("scheduled_at").desc(nulls_first=True), "-created_at", "pk")
    page = Paginator(reviews, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filters.update({k: v.isoformat() for k, v in created.items()})
    context = {
        "reviews": page.object_list,
        "page": page,
        "page_query": query.urlencode(),
        "state_label": _state_label(filters),
        "teams": teams,
        "filters": filters,
        "statuses": ReviewStatus.choices,
        "kinds": ReviewKind.choices,
        "can_create": request.user.is_staff or teams.exists(),
        "nav": "reviews",
    }
    template = "reviews/review_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = Team.objects.visible_to(request.user)
    if not teams.exists():
        raise Http404("No team to create a review for")
    chosen = teams.active().filter(slug=request.GET.get("team", "")).first() or (
        teams.first() if teams.count() == 1 else None
    )
    initial: dict[str, object] = {"team": chosen}
    if chosen is not None:
        # The team's rota suggests who facilitates, so the load is shared.
        initial["facilitator"] = team_next_facilitator(chosen)
    pull_request = PullRequestForm(request.POST or None, request.FILES or None, prefix="pr")
    form = ReviewForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=initial,
        pull_request=pull_request,
    )
    is_change = request.POST.get("kind") == ReviewKind.PULL_REQUEST
    if request.method == "POST" and (pull_request.is_valid() or not is_change) and form.is_valid():
        data = form.cleaned_data
        review = review_create(
            team=data["team"],
            title=data["title"],
            kind=data["kind"],
            created_by=request.user,
            facilitator=data.get("facilitator"),
            scribe=data.get("scribe"),
            pull_request=pull_request.columns() if is_change else None,
            **form.other_fields(),
        )
        for warning in form.warnings():
            messages.warning(request, warning)
        if is_change and pull_request.lacks():
            messages.info(request, pull_request.lacks())
        messages.success(
            request, "Review created. Add the people who were involved, then invite them."
        )
        return redirect("reviews:people", review.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "pr_form": pull_request, "nav": "reviews"},
        status=status,
    )


def _next_step(review: Review, counts: dict[str, int], access: ReviewAccess) -> str:
    if review.status == ReviewStatus.CANCELLED:
        return "This review was cancelled."
    if review.status == ReviewStatus.DRAFT:
        if counts["writers"] <= 2:
            return "Add the people who were involved, then send the invitations."
        return "Send the invitations: each person gets a sign-in link and the meeting invitation."
    if review.status == ReviewStatus.PREPARING:
        missing = counts["writers"] - counts["submitted"]
        parts = []
        if missing:
            parts.append(f"{missing} account{'s' if missing != 1 else ''} still to come")
        if counts["entries"] == 0:
            parts.append("the timeline is empty")
        if not parts:
            return "Everything is ready for the meeting."
        return "Before the meeting: " + ", ".join(parts) + "."
    if review.status == ReviewStatus.IN_MEETING:
        return "The meeting is running."
    if review.status == ReviewStatus.WRITING:
        return "The meeting is over: finish the report and publish it."
    return "The report is published."


def _health(review: Review, counts: dict[str, int], participants: list[Participant]) -> list[Hint]:
    today = timezone.localdate()
    return review_health_of(
        review,
        today=today,
        went_well=review.went_well.count(),
        participants=len(participants),
        accounts=counts["submitted"],
        timeline=counts["entries"],
        root_cause=review.why_nodes.count() + review.causal_factors.count(),
        actions_without_owner_or_date=review.action_items.filter(
            Q(owner__isnull=True) | Q(due_on__isnull=True)
        ).count(),
        earlier_open_past_due=ActionItem.objects.overdue(today)
        .filter(team_id=review.team_id)
        .exclude(review=review)
        .count(),
    )


@login_required
@require_GET
@review_view()
def review_detail(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    participants = list(
        review.participants.select_related("user").annotate(
            submitted=Count("accounts", filter=Q(accounts__submitted_at__isnull=False)),
            drafted=Count("accounts"),
        )
    )
    writers = [p for p in participants if writes_account(p.role)]
    counts = {
        "writers": len(writers),
        "submitted": sum(1 for p in writers if p.submitted),  # type: ignore[attr-defined, misc]
        "entries": review.timeline_entries.count(),
        "actions": review.action_items.count(),
    }
    me = next((p for p in participants if p.user_id == request.user.pk), None)
    event = review.event_started_at or review.event_detected_at
    late_days = (review.scheduled_at - event).days if review.scheduled_at and event else None
    exports = (
        list(review.exports.filter(report_version=review.report_version).order_by("file_format"))
        if review.report_version
        else []
    )
    context = {
        "review": review,
        "access": access,
        "participants": participants,
        "counts": counts,
        "me": me,
        "next_step": _next_step(review, counts, access),
        "late_days": late_days,
        "health": visible_hints(
            request.user, f"review:{review.pk}", _health(review, counts, participants)
        ),
        "health_item": f"review:{review.pk}",
        "resurfaced": review.resurfaced_actions.select_related("action__owner", "action__review"),
        "can_decide": access.can_edit or access.is_delivery_owner,
        "exports": exports,
        "exports_failed": any(e.status == ExportStatus.FAILED for e in exports),
        "nav": "reviews",
    }
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.MANAGE)
def review_edit(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    if review.status == ReviewStatus.CANCELLED:
        messages.error(request, "A cancelled review cannot be edited.")
        return redirect("reviews:detail", review.slug)
    old_leads = review.facilitator_id, review.scribe_id
    pull_request = PullRequestForm(
        request.POST or None,
        request.FILES or None,
        prefix="pr",
        instance=pull_request_of(review),
    )
    form = ReviewForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        instance=review,
        pull_request=pull_request,
    )
    is_change = review.is_pull_request
    if request.method == "POST" and (pull_request.is_valid() or not is_change) and form.is_valid():
        leads = form.cleaned_data.get("facilitator"), form.cleaned_data.get("scribe")
        changed = set(form.changed_data) | form.seeded
        pr_changed = (
            {
                name: pull_request.cleaned_data[name]
                for name in {*pull_request.changed_data, *pull_request.filled}
            }
            if is_change
            else {}
        )
        pr_changed.pop("json", None)
        review = form.save(commit=False)
        # The leads change through review_set_leads, which also moves their participant rows.
        review.facilitator_id, review.scribe_id = old_leads
        try:
            review_update(
                review=review,
                changed=changed,
                summary_version=form.cleaned_data.get("summary_version"),
                pull_request=pr_changed,
            )
        except Stale as stale:
            # The summary changed in the meeting since this page was opened: both texts are
            # shown, this person's whole edit stays in the form, and a save goes against the
            # newer version.
            data = request.POST.copy()
            data["summary_version"] = str(stale.version)
            form = ReviewForm(
                data, user=request.user, instance=Review.objects.get(pk=access.review.pk)
            )
            return render(
                request,
                "reviews/review_form.html",
                {
                    "form": form,
                    "pr_form": pull_request,
                    "review": access.review,
                    "nav": "reviews",
                    "conflict": {"theirs": stale.current_text},
                },
                status=409,
            )
        if {"facilitator", "scribe"} & changed:
            review_set_leads(
                review=review, facilitator=leads[0], scribe=leads[1], actor=request.user
            )
        for warning in form.warnings():
            messages.warning(request, warning)
        if is_change and pull_request.lacks():
            messages.info(request, pull_request.lacks())
        if {"scheduled_at", "meeting_minutes"} & changed and review.invitations_sent_at:
            messages.success(
                request, "Saved. Everyone invited gets the updated meeting invitation."
            )
        else:
            messages.success(request, "Saved.")
        return redirect("reviews:detail", review.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "pr_form": pull_request, "review": review, "nav": "reviews"},
        status=status,
    )


@login_required
@require_POST
@review_view(Need.MANAGE)
def review_cancel_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    if access.review.is_closed:
        messages.error(request, "This review can no longer be cancelled.")
    else:
        review_cancel(review=access.review)
        messages.success(
            request, "Review cancelled. Everyone invited gets a calendar cancellation."
        )
    return redirect("reviews:detail", access.review.slug)


# --- People -----------------------------------------------------------------------------


@login_required
@require_POST
@review_view(Need.FACILITATE)
def lead_allow_sealed_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    """The facilitator lets a lead named later read the sealed accounts before the reveal."""
    participant = _participant(access, pk)
    try:
        lead_allow_sealed(review=access.review, participant=participant, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{participant.user.get_full_name() or participant.user.email} can read the sealed accounts.",
        )
    return redirect("reviews:people", access.review.slug)


def _people_context(
    review: Review, access: ReviewAccess, form: ParticipantAddForm | None = None
) -> dict[str, object]:
    participants = review.participants.select_related("user").annotate(
        submitted=Count("accounts", filter=Q(accounts__submitted_at__isnull=False))
    )
    return {
        "review": review,
        "access": access,
        "participants": participants,
        "form": form or ParticipantAddForm(),
        "uninvited": sum(1 for p in participants if p.invited_at is None),
        "nav": "reviews",
    }


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.MANAGE)
def review_people(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    form = ParticipantAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if review.is_closed:
            form.add_error(None, "People cannot be added to a published or cancelled review.")
            status = 400
        elif form.is_valid():
            participant = participant_add(
                review=review,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
            messages.success(request, f"Added {participant.user.email}.")
            if not request.htmx:
                return redirect("reviews:people", review.slug)
            form = ParticipantAddForm()
        else:
            status = 400
    template = "reviews/review_people.html"
    if request.htmx:
        template += "#people"
    return render(request, template, _people_context(review, access, form), status=status)


def _participant(access: ReviewAccess, pk: int) -> Participant:
    return get_object_or_404(
        Participant.objects.select_related("user"), pk=pk, review=access.review
    )


@login_required
@require_POST
@review_view(Need.MANAGE)
def participant_role(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    participant = _participant(access, pk)
    form = ParticipantRoleForm(request.POST)
    if participant.role in (Role.FACILITATOR, Role.SCRIBE):
        messages.error(request, "Change the facilitator or scribe in the review's details.")
    elif form.is_valid():
        participant_set(review=access.review, user=participant.user, role=form.cleaned_data["role"])
        messages.success(request, f"{participant.user.email} is now {form.cleaned_data['role']}.")
    else:
        messages.error(request, "Choose participant or observer.")
    return redirect("reviews:people", access.review.slug)


@login_required
@require_POST
@review_view(Need.MANAGE)
def participant_remove_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    participant = _participant(access, pk)
    try:
        participant_remove(review=access.review, participant=participant)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Removed {participant.user.email}.")
    return redirect("reviews:people", access.review.slug)


@login_required
@require_POST
@review_view(Need.MANAGE)
def invitations_send_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    if not review.is_before_meeting:
        messages.error(request, "Invitations go out before the meeting only.")
    elif review.scheduled_at is None:
        messages.error(request, "Set the meeting date and time first: the invitation carries it.")
    elif review.scheduled_at < timezone.now():
        messages.error(request, "The meeting time is in the past. Reschedule it first.")
    else:
        sent = invitations_send(review=review)
        if sent:
            messages.success(
                request, f"Invitations sent to {sent} {'person' if sent == 1 else 'people'}."
            )
        else:
            messages.info(request, "Everyone is already invited.")
    return redirect(reverse("reviews:people", args=[review.slug]))
