"""The room with three people in three browsers: a participant raises a hand and the
facilitator sees the queue; the facilitator asks whether everyone is ready and sees the count
before moving on; a second window of the facilitator's cannot fight the first."""

from __future__ import annotations

import pytest

from tests.browser.test_meeting import FOLLOWS, open_as, three, within  # noqa: F401 - fixture
from tests.conftest import close_quietly

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def room(page) -> str:
    return page.locator("#m-room").inner_text()


def test_a_raised_hand_and_a_ready_check_reach_every_screen(three):  # noqa: F811 - the fixture
    _review, pages = three
    facilitator, scribe, participant = pages["facilitator"], pages["scribe"], pages["participant"]
    facilitator.get_by_role("button", name="Start meeting").click()
    participant.get_by_role("button", name="Raise hand").wait_for()
    participant.get_by_role("button", name="Raise hand").click()
    participant.get_by_role("button", name="Lower my hand").wait_for()
    assert within(
        FOLLOWS, lambda: "Lower the hand of" in facilitator.locator("#m-room").inner_html()
    )
    assert within(FOLLOWS, lambda: "Queue: 1." in room(scribe))
    # The facilitator asks; the participant answers; the count reaches the facilitator.
    facilitator.get_by_role("button", name="Ask: ready to move on?").click()
    assert within(FOLLOWS, lambda: "Ready to move on?" in room(participant))
    assert "Ready: 0 of 1" in room(facilitator)
    participant.get_by_role("button", name="I'm ready").click()
    assert within(FOLLOWS, lambda: "Ready: 1 of 1" in room(facilitator))
    participant.get_by_role("button", name="Not ready after all").wait_for()
    # The facilitator lowers the hand: the participant's button says so.
    facilitator.get_by_role("button", name="Lower the hand of").click()
    assert within(
        FOLLOWS, lambda: participant.get_by_role("button", name="Raise hand").count() == 1
    )
    # Moving on closes the check everywhere.
    facilitator.get_by_role("button", name="Next phase").click()
    assert within(FOLLOWS, lambda: "Ready to move on?" not in room(participant))
    for page in pages.values():
        assert page.script_errors == [] and page.csp_violations == []


def test_the_facilitators_second_window_shows_who_runs_the_meeting(three, browser, live_server):  # noqa: F811
    review, pages = three
    laptop = pages["facilitator"]
    laptop.get_by_role("button", name="Start meeting").click()
    laptop.get_by_role("button", name="Pause").click()
    phone = open_as(browser, live_server, review.facilitator)
    try:
        phone.goto(f"/reviews/{review.slug}/meeting/")
        phone.get_by_role("button", name="Take control here").wait_for()
        assert not phone.get_by_role("button", name="Resume").is_visible()
        phone.get_by_role("button", name="Take control here").click()
        phone.get_by_role("button", name="Resume").wait_for()
        # The laptop learns it no longer runs the meeting.
        assert within(
            FOLLOWS, lambda: laptop.get_by_role("button", name="Take control here").is_visible()
        )
        assert not laptop.get_by_role("button", name="Resume").is_visible()
    finally:
        close_quietly(phone)
