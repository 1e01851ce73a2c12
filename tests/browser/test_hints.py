from __future__ import annotations

import pytest

from reviews.services.meeting import meeting_move, meeting_start
from tests.conftest import sign_in_with_password
from tests.factories import ParticipantFactory, ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_vague_action_shows_why_and_how_to_make_it_specific(page):
    review = ReviewFactory()
    meeting_start(review=review)
    for _ in range(5):
        meeting_move(
            review=review,
            phase_id=review.agenda.get(started_at__isnull=False, ended_at__isnull=True).pk,
            step=1,
        )
    sign_in_with_password(page, review.facilitator.email)
    page.goto(f"/reviews/{review.slug}/meeting/")
    page.locator("#m-capture input[name=title]").type("improve monitoring of checkout", delay=20)
    hints = page.locator("#m-capture .hints")
    hints.wait_for()
    text = hints.inner_text()
    assert "“improve” has no target, so nobody can tell when it is done" in text
    assert "Add an alert when the pool is above 80%" in text  # what to write instead
    assert "no owner" in text
    page.locator("#m-capture input[name=title]").fill(
        "Add an alert when checkout p95 is above 2 s for 5 minutes"
    )
    page.locator("#m-capture select[name=size]").select_option("hours")
    page.wait_for_function(
        "!document.querySelector('#m-capture .hints') || !document.querySelector('#m-capture .hints').innerText.includes('nobody can tell')"
    )
    assert page.csp_violations == []


def test_blame_in_an_account_is_pointed_out_as_the_person_writes(page):
    participant = ParticipantFactory()
    sign_in_with_password(page, participant.user.email)
    page.goto(f"/reviews/{participant.review.slug}/account/")
    page.get_by_label("Account (Markdown)").type(
        "The on-call engineer should have checked the logs.", delay=5
    )
    page.locator("#account-hints .hints").wait_for()
    assert "hindsight" in page.locator("#account-hints").inner_text()
