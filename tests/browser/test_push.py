"""Three browsers on a real ASGI web process: the meeting follows through the push stream,
falls back to polling when Redis stops, and goes back to the stream when it returns."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from reviews.services.meeting import meeting_start
from tests.browser.test_meeting import phase_name, within
from tests.conftest import close_quietly
from tests.factories import AccountFactory, ParticipantFactory, ReviewFactory
from tests.private_redis import PrivateRedis
from tests.reviews.test_push import cookies_for

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def open_as(browser, server, user, polls: list[str] | None = None):
    context = browser.new_context(base_url=server.url, viewport={"width": 1300, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    if polls is not None:
        page.on("request", lambda r: "/meeting/poll/" in r.url and polls.append(r.url))
    # Signed in by session cookie: the server process keeps the real password hashers, and
    # the tests' fast one is not among them.
    context.add_cookies(
        [
            {"name": name, "value": value, "url": server.url}
            for name, value in cookies_for(user).items()
        ]
    )
    return page


def live_mode(page) -> str:
    return page.locator("#meeting").get_attribute("data-live") or ""


def on_the_stream(browser, server, review):
    """The meeting started, its facilitator and a participant on it, both on the stream."""
    meeting_start(review=review)
    pages = [
        open_as(browser, server, review.facilitator),
        open_as(browser, server, review.participants.get(role="participant").user),
    ]
    for page in pages:
        page.goto(f"/reviews/{review.slug}/meeting/")
        assert within(10, lambda p=page: live_mode(p) == "push")
    return pages


@pytest.fixture
def review(transactional_db):
    made = ReviewFactory(title="Checkout latency spike")
    AccountFactory(
        participant=ParticipantFactory(review=made),
        body="I saw the cache hit rate collapse.",
        submitted_at=timezone.now(),
    )
    return made


def test_a_change_reaches_the_others_through_the_stream(browser, web_server, review):
    participant_user = review.participants.get(role="participant").user
    polls: list[str] = []
    pages = {
        "facilitator": open_as(browser, web_server, review.facilitator),
        "scribe": open_as(browser, web_server, review.scribe),
        "participant": open_as(browser, web_server, participant_user, polls),
    }
    try:
        for page in pages.values():
            page.goto(f"/reviews/{review.slug}/meeting/")
        for page in pages.values():
            assert within(10, lambda p=page: live_mode(p) == "push")
        participant = pages["participant"]
        # Everyone has it open, and the header says so.
        assert within(10, lambda: "3 here" in participant.locator("#m-presence").inner_text())
        time.sleep(3)
        assert polls == []  # with the stream open, the page does not poll
        pages["facilitator"].get_by_role("button", name="Start meeting").click()
        assert within(5, lambda: phase_name(participant) == "Summary")
        assert within(5, lambda: phase_name(pages["scribe"]) == "Summary")
        assert polls == []  # the change came with its fragments, in the stream
        pages["facilitator"].get_by_role("button", name="Next phase").click()
        assert within(5, lambda: phase_name(participant) == "Timeline")
        assert within(
            5, lambda: "cache hit rate" in participant.locator("#m-accounts").inner_text()
        )
        # The change was announced in the status region that stays on the page.
        assert within(
            3,
            lambda: (
                participant.locator("#m-status").inner_text()
                == "Phase 2 of 6: Timeline, 25 minutes. The accounts are revealed."
            ),
        )
        for page in pages.values():
            assert page.script_errors == []
    finally:
        for page in pages.values():
            close_quietly(page)


def test_the_page_polls_while_redis_is_down_and_goes_back_to_the_stream(
    browser, start_web, review, tmp_path
):
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    pages = []
    try:
        facilitator, participant = pages = on_the_stream(
            browser, start_web(redis_server.url), review
        )
        redis_server.stop()
        assert within(8, lambda: live_mode(participant) == "poll")
        # Saves still work, and the other screen follows by polling.
        facilitator.get_by_role("button", name="Next phase").click()
        assert within(5, lambda: phase_name(participant) == "Timeline")
        redis_server.start()
        assert within(40, lambda: live_mode(participant) == "push")
        facilitator.get_by_role("button", name="Next phase").click()
        assert within(5, lambda: phase_name(participant) == "Root cause")
        assert participant.script_errors == [] and facilitator.script_errors == []
    finally:
        for page in pages:
            close_quietly(page)
        redis_server.stop()


def test_a_web_process_killed_and_restarted_drops_the_streams_and_they_reconnect(
    browser, web_server, review
):
    facilitator, participant = on_the_stream(browser, web_server, review)
    try:
        web_server.restart()
        # Back on a stream of the new process (after polling in between), and following it.
        assert within(30, lambda: live_mode(participant) == "push")
        facilitator.get_by_role("button", name="Next phase").click()
        assert within(5, lambda: phase_name(participant) == "Timeline")
        # The facilitator's focus stays on the control they used, across the swap (their own
        # page's swap may land a moment after the participant's on a busy machine).
        assert within(5, lambda: facilitator.evaluate("document.activeElement.dataset.key") == "n")
        assert participant.script_errors == [] and facilitator.script_errors == []
    finally:
        close_quietly(facilitator)
        close_quietly(participant)
