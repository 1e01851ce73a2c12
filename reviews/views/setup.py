"""The one-time setup page: the first administrator and the first team.

It answers only while no staff user exists (then 404), and only to this machine or to whoever
brings the setup token that the app logs while setup is not done.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aar_project.typing import HtmxHttpRequest
from reviews import first_run
from reviews.organisation_forms import SetupForm
from reviews.services.organisation import Refused, organisation_set_up


@require_http_methods(["GET", "POST"])
def setup(request: HtmxHttpRequest) -> HttpResponse:
    if first_run.is_set_up():
        raise Http404("Already set up")
    token = request.POST.get("token") or request.GET.get("token", "")
    allowed = first_run.from_this_machine(request) or first_run.token_matches(token)
    if not allowed:
        first_run.log_token_once()
        return render(
            request, "reviews/setup_locked.html", {"wrong_token": bool(token)}, status=403
        )
    form = SetupForm(
        request.POST or None,
        initial={"token": token, "time_zone": timezone.get_default_timezone_name()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            admin = organisation_set_up(
                email=data["email"],
                name=data["name"],
                password=data["password"],
                team_name=data["team_name"],
                time_zone=data["time_zone"],
            )
        except Refused:
            raise Http404("Already set up") from None
        login(request, admin, backend="reviews.auth.EmailBackend")
        messages.success(
            request,
            "AAR is set up. Invite your people in Organisation settings, then record the "
            "first review.",
        )
        return redirect("org:people")
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/setup.html", {"form": form}, status=status)
