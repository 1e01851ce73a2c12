"""Organisation settings, for staff: people (invite, deactivate and what they leave open),
teams (create, rename, archive) and the organisation's defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from actions.models import ActionItem
from actions.services import action_reassign
from reviews.access import get_person_for, require_staff
from reviews.models import Organisation, Team
from reviews.organisation_forms import (
    InviteForm,
    OrganisationForm,
    TeamCreateForm,
    TeamRenameForm,
)
from reviews.services.organisation import (
    Refused,
    organisation_update,
    person_deactivate,
    person_invite,
    person_reactivate,
    person_set_staff,
    team_archive,
    team_create,
    team_rename,
)
from reviews.versions import Stale

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@login_required
@require_http_methods(["GET", "POST"])
def people(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = person_invite(
                email=data["email"], name=data["name"], team=data["team"], invited_by=request.user
            )
        except Refused as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation with a sign-in link sent to {person.email}.")
            return redirect("org:people")
    open_counts = dict(
        ActionItem.objects.open()
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    rows = [
        (someone, open_counts.get(someone.pk, 0))
        for someone in get_user_model()._default_manager.order_by("-is_active", "email")
    ]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reviews/org_people.html",
        {"form": form, "people": rows, "nav": "organisation", "section": "people"},
        status=status,
    )


def _open_actions_of(person: User) -> list[ActionItem]:
    return list(
        ActionItem.objects.open()
        .filter(owner=person)
        .select_related("review", "team")
        .order_by("due_on", "pk")
    )


@login_required
@require_http_methods(["GET"])
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    someone = get_person_for(request.user, pk)
    candidates = (
        get_user_model()
        ._default_manager.filter(is_active=True)
        .exclude(pk=someone.pk)
        .order_by("email")
    )
    return render(
        request,
        "reviews/org_person.html",
        {
            "person": someone,
            "actions": _open_actions_of(someone),
            "candidates": candidates,
            "teams": Team.objects.filter(Q(members=someone) | Q(delivery_owner=someone)).distinct(),
            "nav": "organisation",
            "section": "people",
        },
    )


def _refusal(request: AuthenticatedHttpRequest, pk: int, exc: Refused) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect("org:person", pk=pk)


@login_required
@require_POST
def person_deactivate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    someone = get_person_for(request.user, pk)
    try:
        person_deactivate(person=someone, by=request.user)
    except Refused as exc:
        return _refusal(request, pk, exc)
    messages.success(
        request,
        f"{someone.email} is deactivated: signed out everywhere, their links no longer work. "
        "Reassign their open actions below.",
    )
    return redirect("org:person", pk=pk)


@login_required
@require_POST
def person_reactivate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    someone = get_person_for(request.user, pk)
    person_reactivate(person=someone)
    messages.success(request, f"{someone.email} can sign in again.")
    return redirect("org:person", pk=pk)


@login_required
@require_POST
def person_staff_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    someone = get_person_for(request.user, pk)
    try:
        person_set_staff(person=someone, is_staff=request.POST.get("staff") == "1", by=request.user)
    except Refused as exc:
        return _refusal(request, pk, exc)
    messages.success(request, "Saved.")
    return redirect("org:person", pk=pk)


def _posted_id(request: AuthenticatedHttpRequest, name: str) -> int:
    """A posted row id, or 0 (which names no row) for anything else."""
    raw = str(request.POST.get(name, ""))
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 18 else 0


@login_required
@require_POST
def person_reassign_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give one of this person's open actions (or all of them) to someone active."""
    someone = get_person_for(request.user, pk)
    users = get_user_model()._default_manager
    owner = users.filter(is_active=True, pk=_posted_id(request, "owner")).first()
    if owner is None or owner.pk == someone.pk:
        messages.error(
            request, "Choose an active person to take the actions over; nothing changed."
        )
        return redirect("org:person", pk=pk)
    actions = ActionItem.objects.open().filter(owner=someone)
    if request.POST.get("action") != "all":
        actions = actions.filter(pk=_posted_id(request, "action"))
        if not actions.exists():
            raise Http404("No such action")
    moved = 0
    for action in actions.select_related("owner", "review"):
        try:
            action_reassign(
                action=action,
                actor=request.user,
                version=action.version,
                owner=owner,
                reason=f"{someone.email} was deactivated",
            )
        except Stale:
            continue
        moved += 1
    messages.success(
        request, f"{moved} action{'s' if moved != 1 else ''} now owned by {owner.email}."
    )
    return redirect("org:person", pk=pk)


# --- Teams -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = team_create(
            name=form.cleaned_data["name"], delivery_owner=form.cleaned_data["delivery_owner"]
        )
        messages.success(request, f"Team {team.name} created.")
        return redirect("teams:settings", slug=team.slug)
    rows = (
        Team.objects.select_related("delivery_owner")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("archived_at", "name")
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reviews/org_teams.html",
        {"form": form, "teams": rows, "nav": "organisation", "section": "teams"},
        status=status,
    )


def _staff_team(request: AuthenticatedHttpRequest, slug: str) -> Team:
    require_staff(request.user)
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise Http404("No such team")
    return team


@login_required
@require_POST
def team_rename_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = _staff_team(request, slug)
    form = TeamRenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the team a name (at most 120 characters); nothing changed.")
    else:
        team_rename(team=team, name=form.cleaned_data["name"])
        messages.success(request, f"Renamed to {team.name}.")
    return redirect("org:teams")


@login_required
@require_POST
def team_archive_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = _staff_team(request, slug)
    archived = request.POST.get("archived", "1") == "1"
    team_archive(team=team, archived=archived)
    messages.success(
        request,
        f"{team.name} is archived: its reviews and actions stay, no new reviews."
        if archived
        else f"{team.name} is back.",
    )
    return redirect("org:teams")


# --- Defaults ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def defaults(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_staff(request.user)
    organisation = Organisation.objects.current()
    form = OrganisationForm(
        request.POST or None,
        agenda=organisation.agenda_minutes,
        initial={"time_zone": organisation.time_zone, "reminder_hour": organisation.reminder_hour},
    )
    if request.method == "POST" and form.is_valid():
        organisation_update(
            time_zone=form.cleaned_data["time_zone"],
            agenda_minutes=form.agenda_minutes(),
            reminder_hour=form.cleaned_data["reminder_hour"],
        )
        messages.success(request, "The organisation's defaults are saved.")
        return redirect("org:defaults")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reviews/org_defaults.html",
        {"form": form, "nav": "organisation", "section": "defaults"},
        status=status,
    )
