"""GET /api/v1/me/: the person behind the token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from api.auth import read_token
from api.models import ApiToken
from api.schemas import ERRORS, MeOut
from reviews.display import display_name
from reviews.models import Team

router = Router(tags=["me"])


@router.get("/me/", response={200: MeOut, **ERRORS}, auth=read_token, url_name="me")
def me(request: HttpRequest) -> dict[str, object]:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    user = token.user
    teams = Team.objects.visible_to(user).order_by("name")
    member_of = set(user.teams.values_list("pk", flat=True))

    def role(team: Team) -> str:
        if team.delivery_owner_id == user.pk:
            return "delivery_owner"
        return "member" if team.pk in member_of else "staff"

    return {
        "email": user.email,
        "name": display_name(user),
        "is_staff": user.is_staff,
        "teams": [{"slug": t.slug, "name": t.name, "role": role(t)} for t in teams],
        "token": {"name": token.name, "scope": token.scope, "expires_at": token.expires_at},
    }
