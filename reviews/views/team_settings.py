"""A team's settings, for its delivery owner and staff: members and their team role, the
communication plan (with a test email), when reviews are required, the facilitator rota and
the default agenda. Anyone else, a delivery owner of another team too, gets 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from reviews.access import get_team_for
from reviews.models import FacilitatorRota, Organisation, Team
from reviews.organisation_forms import RotaForm, TeamMemberForm, TeamPlanForm, TeamRoleForm
from reviews.services.organisation import (
    stakeholders_test_email,
    team_member_remove,
    team_member_set,
    team_next_facilitator,
    team_plan_update,
    team_rota_set,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@login_required
@require_GET
def team_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = Team.objects.owned_by(request.user).select_related("delivery_owner")
    if not teams.exists():
        raise Http404("No team")
    return render(request, "reviews/team_list.html", {"teams": teams, "nav": "teams"})


def _members(team: Team) -> list[User]:
    return list(team.members.order_by("first_name", "email"))


def _page(
    request: AuthenticatedHttpRequest,
    team: Team,
    *,
    plan: TeamPlanForm | None = None,
    member_form: TeamMemberForm | None = None,
    rota_form: RotaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    members = _members(team)
    rota = list(FacilitatorRota.objects.filter(team=team).values_list("user_id", flat=True))
    organisation = Organisation.objects.current()
    return render(
        request,
        "reviews/team_settings.html",
        {
            "team": team,
            "members": members,
            "plan": plan
            or TeamPlanForm(
                agenda=team.agenda_minutes,
                fallback=organisation.agenda_minutes,
                initial={
                    "stakeholder_emails": team.stakeholder_emails,
                    "review_triggers": team.review_triggers,
                    "trigger_kinds": team.trigger_kinds,
                    "trigger_severities": team.trigger_severities,
                },
            ),
            "member_form": member_form or TeamMemberForm(),
            "rota_form": rota_form or RotaForm(members=members, current=rota),
            "next_facilitator": team_next_facilitator(team),
            "nav": "teams",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for(request.user, slug)
    if request.method == "GET":
        return _page(request, team)
    plan = TeamPlanForm(
        request.POST,
        agenda=team.agenda_minutes,
        fallback=Organisation.objects.current().agenda_minutes,
    )
    if not plan.is_valid():
        return _page(request, team, plan=plan, status=400)
    data = plan.cleaned_data
    team_plan_update(
        team=team,
        stakeholder_emails=data["stakeholder_emails"],
        review_triggers=data["review_triggers"],
        trigger_kinds=data["trigger_kinds"],
        trigger_severities=data["trigger_severities"],
        agenda_minutes=plan.agenda_minutes(),
    )
    messages.success(request, "The team's settings are saved.")
    return redirect("teams:settings", slug=team.slug)


@login_required
@require_POST
def member_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for(request.user, slug)
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        return _page(request, team, member_form=form, status=400)
    team_member_set(team=team, person=form.cleaned_data["email"], role=form.cleaned_data["role"])
    messages.success(request, f"{form.cleaned_data['email'].email} is in {team.name}.")
    return redirect("teams:settings", slug=team.slug)


def _member(team: Team, pk: int) -> User:
    person = team.members.filter(pk=pk).first()
    if person is None and team.delivery_owner_id == pk:
        person = get_user_model()._default_manager.get(pk=pk)
    if person is None:
        raise Http404("No such member")
    return person


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_team_for(request.user, slug)
    person = _member(team, pk)
    form = TeamRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose member or delivery owner; nothing changed.")
    else:
        team_member_set(team=team, person=person, role=form.cleaned_data["role"])
        messages.success(request, "Saved.")
    return redirect("teams:settings", slug=team.slug)


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_team_for(request.user, slug)
    person = _member(team, pk)
    team_member_remove(team=team, person=person)
    messages.success(request, f"{person.email} is no longer in {team.name}.")
    if not Team.objects.owned_by(request.user).filter(pk=team.pk).exists():
        return redirect("reviews:list")  # they removed themselves as the delivery owner
    return redirect("teams:settings", slug=team.slug)


@login_required
@require_POST
def stakeholders_test(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for(request.user, slug)
    sent = stakeholders_test_email(team=team, by=request.user)
    if sent:
        messages.success(
            request, f"A test email is on its way to {sent} address{'es' if sent != 1 else ''}."
        )
    else:
        messages.error(request, "The communication plan has no addresses yet; nothing was sent.")
    return redirect("teams:settings", slug=team.slug)


@login_required
@require_POST
def rota(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for(request.user, slug)
    members = _members(team)
    form = RotaForm(request.POST, members=members, current=[])
    if not form.is_valid():
        return _page(request, team, rota_form=form, status=400)
    team_rota_set(team=team, user_ids=form.user_ids())
    messages.success(request, "The facilitator rota is saved.")
    return redirect("teams:settings", slug=team.slug)
