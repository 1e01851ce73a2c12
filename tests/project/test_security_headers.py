"""Every HTML response carries a Content-Security-Policy without unsafe-inline or unsafe-eval,
and no page needs them: no inline scripts, no style attributes, htmx with eval off."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from reviews.models import Review
from reviews.services.meeting import meeting_start
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def pages(cast):
    """(who looks, the page): every page is checked as someone who may see it."""
    slug = cast.review.slug
    owner, facilitator, participant = cast.owner, cast.facilitator, cast.participant
    return [
        (None, "/accounts/login/"), (None, "/accounts/link/"),
        (owner, "/"), (owner, "/reviews/new/"), (owner, f"/reviews/{slug}/"),
        (owner, f"/reviews/{slug}/people/"), (owner, f"/reviews/{slug}/edit/"),
        (owner, f"/reviews/{slug}/accounts/"), (owner, f"/reviews/{slug}/timeline/"),
        (facilitator, f"/reviews/{slug}/timeline/import/"),
        (participant, f"/reviews/{slug}/account/"),
        (owner, f"/reviews/{slug}/meeting/"), (facilitator, f"/reviews/{slug}/meeting/"),
        (owner, f"/reviews/{slug}/meeting/presenter/"),
        (owner, "/actions/mine/"), (owner, "/actions/settings/"), (owner, "/dashboard/"),
        (owner, f"/actions/team/{cast.team.slug}/"), (owner, "/actions/teams/"),
        (owner, "/reports/"),
    ]  # fmt: skip


def assert_strict(response, url):
    assert response.status_code == 200, url
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {url}"
    assert not re.search(r"\sstyle=", html), f"style attribute on {url}"
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html, url


def test_every_html_page_carries_a_strict_policy(client, cast):
    meeting_start(review=cast.review)
    for who, url in pages(cast):
        client.logout()
        if who is not None:
            client.force_login(who)
        assert_strict(client.get(url), url)


def test_the_published_report_pages_carry_a_strict_policy(client, cast):
    Review.objects.filter(pk=cast.review.pk).update(
        status="published", report_version=1, published_at=timezone.now()
    )
    client.force_login(cast.participant)
    for url in (f"/reports/{cast.review.slug}/", "/reports/?q=outage"):
        assert_strict(client.get(url), url)


def test_no_template_carries_inline_script_or_style():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\sstyle=|<style", text), path
        assert "hx-on" not in text and "hx-vals='js:" not in text, path  # they need eval


def test_responses_name_their_request_and_refuse_framing(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 32


def test_a_review_pages_time_zone_ends_with_its_request(client, cast):
    cast.review.time_zone = "Pacific/Auckland"
    cast.review.save(update_fields=["time_zone"])
    client.force_login(cast.facilitator)
    assert client.get(f"/reviews/{cast.review.slug}/").status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"
