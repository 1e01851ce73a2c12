"""Every HTML response carries a Content-Security-Policy without unsafe-inline or unsafe-eval,
and no page needs them: no inline scripts, no style attributes, htmx with eval off."""

from __future__ import annotations

import re

import pytest

from reviews.services.meeting import meeting_start
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def pages(cast):
    slug = cast.review.slug
    return [
        "/accounts/login/", "/accounts/link/", "/", "/reviews/new/", f"/reviews/{slug}/", f"/reviews/{slug}/people/",
        f"/reviews/{slug}/edit/", f"/reviews/{slug}/accounts/", f"/reviews/{slug}/timeline/", f"/reviews/{slug}/timeline/import/",
        f"/reviews/{slug}/meeting/", f"/reviews/{slug}/meeting/presenter/", "/actions/mine/", "/actions/settings/",
        "/dashboard/", f"/actions/team/{cast.team.slug}/",
    ]  # fmt: skip


def test_every_html_page_carries_a_strict_policy(client, cast):
    meeting_start(review=cast.review)
    client.force_login(cast.owner)
    for url in pages(cast):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code != 200:
            continue
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {url}"
        assert not re.search(r"\sstyle=", html), f"style attribute on {url}"
        assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html


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
    from django.utils import timezone

    cast.review.time_zone = "Pacific/Auckland"
    cast.review.save(update_fields=["time_zone"])
    client.force_login(cast.facilitator)
    assert client.get(f"/reviews/{cast.review.slug}/").status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"
