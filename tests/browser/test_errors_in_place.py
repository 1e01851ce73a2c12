"""Errors appear beside the field and the person's text stays, in every mode: under DEBUG
(`make run`) django-htmx's debug script used to replace the whole page with a 400 answer."""

from __future__ import annotations

import pytest

from reviews.services.meeting import meeting_move, meeting_start
from tests.conftest import sign_in_with_password
from tests.factories import ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_a_malformed_address_is_shown_beside_the_field_and_the_page_stays(page, debug):
    review = ReviewFactory()
    sign_in_with_password(page, review.facilitator.email)
    page.goto(f"/reviews/{review.slug}/people/")
    if debug:  # the debug script is on the page, as under make run
        assert page.locator("script[src*='django-htmx']").count() == 1
    page.get_by_label("Email").fill("omar.haddad@@example")
    page.get_by_label("Name", exact=True).fill("Omar Haddad")
    page.get_by_role("button", name="Add").click()
    error = page.locator("#people .has-error .error").first
    error.wait_for()
    assert "email" in error.inner_text().lower()
    # The page is still the product's page, with the typed text kept.
    assert page.locator("nav").count() >= 1 and page.locator("link[rel=stylesheet]").count()
    assert page.get_by_label("Email").input_value() == "omar.haddad@@example"
    assert page.get_by_label("Name", exact=True).input_value() == "Omar Haddad"


def test_an_entry_without_a_description_is_refused_in_place_in_the_meeting(page, debug):
    review = ReviewFactory()
    meeting_start(review=review)
    meeting_move(review=review, phase_id=review.agenda.get(position=0).pk, step=1)  # timeline
    sign_in_with_password(page, review.scribe.email)
    page.goto(f"/reviews/{review.slug}/meeting/")
    capture = page.locator("#m-capture")
    capture.locator("input[name=occurred_at]").fill("2017-01-31T23:00")
    capture.locator("textarea[name=description]").fill("   ")  # passes the browser's check
    capture.get_by_role("button", name="Add entry").click()
    page.get_by_text("An entry needs its time and what happened.").wait_for()
    assert page.locator("#meeting").count() == 1 and page.locator("link[rel=stylesheet]").count()
    assert capture.locator("input[name=occurred_at]").input_value() == "2017-01-31T23:00"


def test_after_a_failed_submit_the_focus_is_on_the_list_of_problems(page):
    from tests.factories import TeamFactory

    team = TeamFactory()
    sign_in_with_password(page, team.delivery_owner.email)
    page.wait_for_url("**/")
    page.goto("/reviews/new/")
    page.get_by_role("button", name="Create review").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.evaluate("el => el === document.activeElement")
    # Its link takes the keyboard to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
