from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _owns_a_team(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return user.is_staff or user.owned_teams.exists()


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_URL": settings.SITE_URL,
        # django-htmx's {% htmx_script %} reads this name for its nonce.
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "shows_dashboard": SimpleLazyObject(lambda: _owns_a_team(request)),
    }
