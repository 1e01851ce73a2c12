"""My actions, an action's page with its lifecycle, a team's actions, settings and the feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest, HtmxHttpRequest
from actions.access import can_change, get_action_for
from actions.exports import actions_calendar, actions_csv
from actions.forms import (
    ActionEditForm,
    DueForm,
    MuteForm,
    ReassignForm,
    ResurfaceForm,
    StatusForm,
    TeamActionFilter,
)
from actions.history import history
from actions.models import DUE_SOON_DAYS, ActionItem, OwnerSettings, ResurfacedAction
from actions.services import (
    ActionRefused,
    action_edit,
    action_reassign,
    action_set_due,
    action_set_status,
    calendar_token_renew,
    digests_mute,
    owner_settings,
    resurfaced_decide,
)
from reviews.access import owned_teams_for, review_access
from reviews.forms import problems
from reviews.models import ReviewKind, Team
from reviews.versions import Stale


def _with_lateness(actions: list[ActionItem], today: dt.date) -> list[ActionItem]:
    for action in actions:
        action.overdue_days = action.days_overdue(today)  # type: ignore[attr-defined]
    return actions


@login_required
@require_GET
def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    closed = request.GET.get("show") == "closed"
    mine = ActionItem.objects.owned_by(request.user).select_related("review")
    actions = (
        mine.closed().order_by("-closed_at")
        if closed
        else mine.open().order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    context = {
        "actions": _with_lateness(list(actions), today),
        "today": today,
        "closed": closed,
        "nav": "actions",
    }
    return render(request, "actions/my_actions.html", context)


def _detail_context(request: HtmxHttpRequest, action: ActionItem, **forms: Any) -> dict[str, Any]:
    version = {"version": action.version}
    return {
        "action": action,
        "history": history(action.events.select_related("actor", "review").order_by("-at", "-pk")),
        "can_change": can_change(request.user, action),
        "overdue_days": action.days_overdue(timezone.localdate()),
        "status_form": forms.get("status_form")
        or StatusForm(initial={**version, "status": action.status}),
        "due_form": forms.get("due_form") or DueForm(initial={**version, "due_on": action.due_on}),
        "reassign_form": forms.get("reassign_form")
        or ReassignForm(action=action, initial={**version, "owner": action.owner_id}),
        "edit_form": forms.get("edit_form")
        or ActionEditForm(
            initial={
                **version,
                "title": action.title,
                "description": action.description,
                "definition_of_done": action.definition_of_done,
                "action_type": action.action_type,
                "size": action.size,
                "ticket_url": action.ticket_url,
            }
        ),
        "stale": forms.get("stale"),
        "nav": "actions",
    }


@login_required
@require_GET
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = get_action_for(request.user, pk)
    return render(request, "actions/action_detail.html", _detail_context(request, action))


def _change(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[Any],
    form_name: str,
    service: Callable[..., ActionItem],
) -> HttpResponse:
    """A change to an action: the form, the service, and the answers every change shares.

    Each form's fields are its service's keyword arguments (`version` included)."""
    action = get_action_for(request.user, pk, change=True)
    kwargs = {"action": action} if form_class is ReassignForm else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: see the form below.")
        return render(
            request,
            "actions/action_detail.html",
            _detail_context(request, action, **{form_name: form}),
            status=400,
        )
    try:
        service(action=action, actor=request.user, **form.cleaned_data)
    except Stale as exc:
        # Someone else changed it first: show the newer state, keep what this person typed.
        context = _detail_context(request, exc.current, **{form_name: form})
        context["stale"] = True
        return render(request, "actions/action_detail.html", context, status=409)
    except ActionRefused as exc:
        form.add_error(None, str(exc))
        return render(
            request,
            "actions/action_detail.html",
            _detail_context(request, action, **{form_name: form}),
            status=400,
        )
    messages.success(request, "Saved.")
    return redirect("actions:detail", action.pk)


def _change_view(
    form_class: type[Any], form_name: str, service: Callable[..., ActionItem]
) -> Callable[..., HttpResponse]:
    """One view (and URL) per kind of change."""

    @login_required
    @require_POST
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        return _change(request, pk, form_class, form_name, service)

    view.__name__ = view.__qualname__ = service.__name__ + "_view"
    return view


action_status = _change_view(StatusForm, "status_form", action_set_status)
action_due = _change_view(DueForm, "due_form", action_set_due)
action_owner = _change_view(ReassignForm, "reassign_form", action_reassign)
action_edit_view = _change_view(ActionEditForm, "edit_form", action_edit)


@login_required
@require_POST
def resurfaced_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """In a later review: re-commit an earlier action with a new date, close it, or drop it."""
    item = get_object_or_404(
        ResurfacedAction.objects.select_related("review__team", "action__review__team"), pk=pk
    )
    access = review_access(request.user, item.review)
    if access is None or not (access.can_edit or access.is_delivery_owner):
        raise Http404("No such action")
    form = ResurfaceForm(request.POST)
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("reviews:detail", args=[item.review.slug])
    if not form.is_valid():
        messages.error(request, f"Nothing was changed: {problems(form)}")
        return HttpResponseRedirect(back)
    try:
        resurfaced_decide(
            item=item,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            due_on=form.cleaned_data.get("due_on"),
            note=form.cleaned_data.get("note") or "",
        )
    except (ActionRefused, Stale) as exc:
        messages.error(request, f"Nothing was changed: {exc}")
    else:
        messages.success(request, f"“{item.action.title}”: {item.get_outcome_display().lower()}.")
    return HttpResponseRedirect(back)


# --- A team's actions (delivery owners) -----------------------------------------------------


PAGE_SIZE = 100


@login_required
@require_GET
def team_actions(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _actions_list(request, *owned_teams_for(request.user, slug))


@login_required
@require_GET
def owned_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The actions of every team the user owns (a delivery owner; staff: all teams)."""
    return _actions_list(request, *owned_teams_for(request.user, request.GET.get("team", "")))


def _actions_list(request: HtmxHttpRequest, teams: Any, team: Team | None) -> HttpResponse:
    today = timezone.localdate()
    form = TeamActionFilter(request.GET or None)
    data = form.usable() if form.is_bound else {}
    actions = (
        ActionItem.objects.filter(team__in=teams)
        .matching(data, today)
        .select_related("review", "owner", "team")
    )
    sort = data.get("sort") or "due_on"
    orders: dict[str, list[Any]] = {
        "owner": ["owner__first_name", "owner__email"],
        "status": ["status"],
        "-due_on": [F("due_on").desc(nulls_last=True)],
        "-created_at": ["-created_at"],
        "-closed_at": [F("closed_at").desc(nulls_last=True)],
    }
    actions = actions.order_by(*orders.get(sort, [F("due_on").asc(nulls_last=True)]), "pk")
    if request.GET.get("format") == "csv":
        return actions_csv(team.slug if team else "all-teams", actions, today)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    # Everyone who owns an action here (a semi-join: no DISTINCT over every action).
    people = (
        get_user_model()
        .objects.filter(pk__in=ActionItem.objects.filter(team__in=teams).values("owner_id"))
        .order_by("first_name", "email")
        .values_list("pk", "first_name", "last_name", "email")
    )
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    # Filters the form has no control for (the dashboard's links) stay as hidden fields.
    carried = [
        (name, request.GET[name])
        for name in (
            "kind", "due_soon", "late_min", "late_max", "opened_since", "opened_until",
            "closed_since", "closed_until", "on_time",
        )
        if name in data and data[name] not in (None, "", False)
    ]  # fmt: skip
    context = {
        "team": team,
        "teams": Team.objects.owned_by(request.user).order_by("name").values_list("slug", "name"),
        "form": form,
        "page": page,
        "actions": _with_lateness(list(page.object_list), today),
        "people": [
            (pk, f"{first} {last}".strip() if first else email, pk == data.get("owner"))
            for pk, first, last, email in people
        ],
        "reviews": team.reviews.order_by("-created_at").values_list("slug", "title")[:500]
        if team
        else [],
        "carried": carried,
        "described": _describe(data),
        "page_query": query.urlencode(),
        "csv_query": csv_query.urlencode(),
        "nav": "dashboard",
    }
    return render(request, "actions/team_actions.html", context)


def _describe(data: dict[str, Any]) -> list[str]:
    """The dashboard-only filters in words, for the line above the list."""
    out = []
    kind = data.get("kind")
    if kind:
        out.append(f"from {dict(ReviewKind.choices)[kind].lower()} reviews")
    if data.get("due_soon"):
        out.append(f"due in the next {DUE_SOON_DAYS} days")
    low, high = data.get("late_min"), data.get("late_max")
    if low is not None or high is not None:
        out.append(
            f"overdue by {max(low or 0, 1)}–{high} days"
            if high is not None
            else f"overdue by {max(low or 0, 1)} days or more"
        )
    for what, since, until in (
        ("opened", "opened_since", "opened_until"),
        ("closed", "closed_since", "closed_until"),
    ):
        if data.get(since) or data.get(until):
            out.append(
                f"{what} {data[since].isoformat() if data.get(since) else 'ever'}"
                f" to {data[until].isoformat() if data.get(until) else 'today'}"
            )
    if data.get("on_time"):
        out.append("closed on time" if data["on_time"] == "yes" else "closed late")
    return out


# --- Settings and the calendar feed --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    row = owner_settings(request.user)
    form = MuteForm(request.POST or None, initial={"days": 0})
    if request.method == "POST":
        if "renew_feed" in request.POST:
            calendar_token_renew(user=request.user)
            messages.success(request, "Your calendar address is new; the old one no longer works.")
            return redirect("actions:settings")
        if "revoke_feed" in request.POST:
            OwnerSettings.objects.filter(pk=row.pk).update(calendar_token=None)
            messages.success(request, "Your calendar feed is switched off.")
            return redirect("actions:settings")
        if form.is_valid():
            digests_mute(user=request.user, days=form.cleaned_data["days"])
            messages.success(request, "Saved.")
            return redirect("actions:settings")
    feed = (
        request.build_absolute_uri(reverse("actions:feed", args=[row.calendar_token]))
        if row.calendar_token
        else ""
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "actions/settings.html",
        {"form": form, "row": row, "feed": feed, "nav": "actions"},
        status=status,
    )


@require_GET
def calendar_feed(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The due dates of a person's open actions, for calendar clients. The address is the secret."""
    row = (
        OwnerSettings.objects.filter(calendar_token=token).select_related("user").first()
        if token
        else None
    )
    if row is None or not row.user.is_active:
        raise Http404("No such feed")
    actions = (
        ActionItem.objects.owned_by(row.user)
        .open()
        .filter(due_on__isnull=False)
        .select_related("review")
    )
    body = actions_calendar(actions, request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
