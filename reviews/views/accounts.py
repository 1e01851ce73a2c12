"""Written accounts: each participant's own editor, and the sealed overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from reviews.access import Need, ReviewAccess, review_view
from reviews.display import display_name
from reviews.forms import AccountForm, PromoteForm
from reviews.imports import time_candidates
from reviews.models import Account, EntrySource, Participant, Role
from reviews.services.accounts import account_remind, account_save, accounts_editable
from reviews.services.meeting import MeetingRefused
from reviews.services.room import account_withhold, moderated
from reviews.services.timeline import timeline_entry_add
from reviews.versions import Stale

PROMPTS = [
    ("What did you observe?", "Alerts, dashboards, messages, what users told you."),
    ("What did you know at the time?", "And when did you learn it? What did you not know yet?"),
    ("What did you do, and when?", "Times help: 'at 14:32 I restarted the worker'."),
    ("What surprised you?", "What behaved differently from what you expected?"),
]


def _my_participation(access: ReviewAccess) -> Participant:
    """The signed-in person's own writing participation; 404 for anyone who writes none."""
    participant = (
        access.review.participants.filter(user_id=access.user_id)
        .exclude(role=Role.OBSERVER)
        .select_related("user")
        .first()
    )
    if participant is None:
        raise Http404("No account to write")
    return participant


def _editor_context(
    access: ReviewAccess, participant: Participant, account: Account | None, **extra: object
) -> dict[str, object]:
    return {
        "review": access.review,
        "access": access,
        "participant": participant,
        "account": account,
        "form": AccountForm(
            initial={
                "body": account.body if account else "",
                "version": account.version if account else 1,
            }
        ),
        "editable": accounts_editable(access.review),
        # The author is told which passages the facilitator keeps out of the reveal.
        "withheld": [p.text for p in moderated(account).passages if p.withheld]
        if account and account.withheld
        else [],
        "prompts": PROMPTS,
        "no_history": True,
        "nav": "reviews",
        **extra,
    }


@login_required
@require_GET
@review_view(Need.CONTRIBUTE)
def account_edit(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    participant = _my_participation(access)
    account = Account.objects.filter(participant=participant).first()
    return render(
        request, "reviews/account_edit.html", _editor_context(access, participant, account)
    )


@login_required
@require_POST
@review_view(Need.CONTRIBUTE)
def account_save_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """Autosave (htmx, debounced) and the explicit Save/Submit buttons."""
    participant = _my_participation(access)
    form = AccountForm(request.POST)
    submit = "submit" in request.POST
    template = "reviews/account_edit.html"
    if not accounts_editable(access.review):
        context = _editor_context(
            access, participant, Account.objects.filter(participant=participant).first()
        )
        context["error"] = (
            "The meeting has started: accounts can no longer be changed. Your text is below."
        )
        context["form"] = AccountForm(request.POST)
        return render(
            request, template + ("#save-state" if request.htmx else ""), context, status=409
        )
    if not form.is_valid():
        context = _editor_context(
            access, participant, None, error="The text could not be saved; it is kept below."
        )
        context["form"] = form
        return render(
            request, template + ("#save-state" if request.htmx else ""), context, status=400
        )
    try:
        account = account_save(
            participant=participant,
            body=form.cleaned_data["body"],
            version=form.cleaned_data["version"],
            submit=submit,
        )
    except Stale as stale:
        # Someone (another tab) saved first: show their text beside this one, lose neither.
        context = _editor_context(access, participant, stale.current)
        context["conflict"] = {"theirs": stale.current_text, "mine": form.cleaned_data["body"]}
        context["form"] = AccountForm(
            initial={"body": form.cleaned_data["body"], "version": stale.version}
        )
        return render(
            request, template + ("#save-state" if request.htmx else ""), context, status=409
        )
    context = _editor_context(access, participant, account)
    if request.htmx:
        return render(request, template + "#save-state", context)
    messages.success(request, "Account submitted. Thank you." if submit else "Saved.")
    return redirect("reviews:account", access.review.slug)


def _readable_accounts(access: ReviewAccess) -> list[Account]:
    accounts = Account.objects.filter(review=access.review).select_related(
        "participant__user", "review"
    )
    return [a for a in accounts if access.can_read_account(a)]


@login_required
@require_GET
@review_view()
def account_list(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    participants = list(review.participants.writers().select_related("user"))
    accounts = {a.participant_id: a for a in Account.objects.filter(review=review)}
    rows = [{"participant": p, "account": accounts.get(p.pk)} for p in participants]
    context = {
        "review": review,
        "access": access,
        "rows": rows,
        "readable": _readable_accounts(access),
        "sees_status": access.can_edit or access.can_manage,
        "no_history": True,
        "nav": "reviews",
    }
    return render(request, "reviews/account_list.html", context)


def _readable_account(access: ReviewAccess, pk: int) -> Account:
    account = get_object_or_404(
        Account.objects.select_related("participant__user", "review"),
        participant_id=pk,
        review=access.review,
    )
    if not access.can_read_account(account):
        raise Http404("No such account")
    return account


@login_required
@require_GET
@review_view()
def account_detail(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    account = _readable_account(access, pk)
    candidates = time_candidates(access.review, account.body) if access.can_edit else []
    forms = [
        PromoteForm(
            initial={"occurred_at": c.occurred_at, "description": c.passage},
            auto_id=f"id_time{n}_%s",  # one form per time found: ids of their own
        )
        for n, c in enumerate(candidates)
    ]
    context = {
        "review": access.review,
        "access": access,
        "account": account,
        "author": display_name(account.participant.user),
        "candidates": list(zip(candidates, forms, strict=True)),
        # The facilitator reads a submitted account before the reveal and may keep passages
        # out of it.
        "moderate": moderated(account)
        if access.is_facilitator
        and account.submitted_at is not None
        and access.review.accounts_revealed_at is None
        else None,
        "promote_form": PromoteForm(),
        "no_history": True,
        "nav": "reviews",
    }
    return render(request, "reviews/account_detail.html", context)


@login_required
@require_POST
@review_view(Need.FACILITATE)
def account_withhold_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    """Keep a passage of a submitted account out of the reveal (withhold=1), or let it back."""
    account = _readable_account(access, pk)
    withhold = request.POST.get("withhold")
    if account.submitted_at is None or withhold not in ("0", "1"):
        messages.error(
            request, "Only a submitted account's passages can be kept out of the reveal."
        )
        return redirect("reviews:account_detail", access.review.slug, pk)
    try:
        account_withhold(
            account=account, digest=request.POST.get("passage", ""), withhold=withhold == "1"
        )
    except MeetingRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Kept out of the reveal; the author is told."
            if withhold == "1"
            else "The passage is in the reveal again.",
        )
    return redirect("reviews:account_detail", access.review.slug, pk)


@login_required
@require_POST
@review_view(Need.EDIT)
def account_promote(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    """A passage of an account becomes a timeline entry (source: account, linked back)."""
    account = _readable_account(access, pk)
    form = PromoteForm(request.POST)
    if form.is_valid():
        timeline_entry_add(
            review=access.review,
            actor=request.user,
            occurred_at=form.cleaned_data["occurred_at"],
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            source=EntrySource.ACCOUNT,
            source_ref=f"Account of {display_name(account.participant.user)}",
            account=account,
        )
        messages.success(request, "Added to the timeline.")
        return redirect("reviews:account_detail", access.review.slug, pk)
    context = {
        "review": access.review,
        "access": access,
        "account": account,
        "author": display_name(account.participant.user),
        "candidates": [],
        "promote_form": form,
        "no_history": True,
    }
    return render(request, "reviews/account_detail.html", context, status=400)


@login_required
@require_http_methods(["POST"])
@review_view(Need.EDIT)
def account_remind_view(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    participant = get_object_or_404(
        Participant.objects.writers().select_related("user"), pk=pk, review=access.review
    )
    if Account.objects.filter(participant=participant, submitted_at__isnull=False).exists():
        messages.info(request, f"{display_name(participant.user)} has already submitted.")
    elif not accounts_editable(access.review):
        messages.error(request, "The meeting has started; accounts are closed.")
    elif account_remind(review=access.review, participant=participant):
        messages.success(request, f"Reminder sent to {display_name(participant.user)}.")
    else:
        messages.info(
            request, f"{display_name(participant.user)} was reminded within the last hour."
        )
    return redirect("reviews:accounts", access.review.slug)
