"""Three people in three browsers run a meeting: facilitator, scribe and participant."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone

from actions.models import ActionItem
from reviews.models import Review, WentWell
from tests.conftest import close_quietly, sign_in_with_password
from tests.factories import AccountFactory, ParticipantFactory, ReviewFactory, TimelineEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_as(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1300, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text),
    )
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    sign_in_with_password(page, user.email)
    page.wait_for_url(re.compile(r".*/$"))
    return page


@pytest.fixture
def three(browser, live_server):
    review = ReviewFactory(title="Checkout latency spike")
    TimelineEntryFactory(
        review=review, occurred_at=review.event_detected_at, description="Latency alert fires"
    )
    participant = ParticipantFactory(review=review)
    AccountFactory(
        participant=participant,
        body="I saw the cache hit rate collapse.",
        submitted_at=timezone.now(),
    )
    pages = {
        "facilitator": open_as(browser, live_server, review.facilitator),
        "scribe": open_as(browser, live_server, review.scribe),
        "participant": open_as(browser, live_server, participant.user),
    }
    for page in pages.values():
        page.goto(f"/reviews/{review.slug}/meeting/")
    yield review, pages
    for page in pages.values():
        close_quietly(page)


def phase_name(page):
    return page.locator("#m-state .phase-name").inner_text()


# How long a page may take to follow a change before the test calls it lost. The
# speed itself is a target of the benchmarks (python -m tests.benchmarks poll|push),
# never of a test: a loaded machine must not fail a page that does follow.
FOLLOWS = 10


def within(seconds, predicate):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_every_screen_follows_the_facilitator(three):
    _review, pages = three
    facilitator, participant = pages["facilitator"], pages["participant"]
    facilitator.get_by_role("button", name="Start meeting").click()
    facilitator.get_by_role("button", name="Next phase").wait_for()
    assert within(FOLLOWS, lambda: phase_name(participant) == "Summary")
    facilitator.get_by_role("button", name="Next phase").click()
    assert within(FOLLOWS, lambda: phase_name(participant) == "Timeline"), phase_name(participant)
    # The timeline phase opens the accounts for everyone.
    assert within(
        FOLLOWS,
        lambda: (
            "I saw the cache hit rate collapse." in participant.locator("#m-accounts").inner_text()
        ),
    )
    assert re.match(r"^\d+:\d\d left$", participant.locator("#m-state .clock").inner_text())
    assert facilitator.csp_violations == [] and participant.csp_violations == []
    assert facilitator.script_errors == [] and participant.script_errors == []


def test_reveal_accounts_shows_them_to_the_participant(browser, live_server):
    review = ReviewFactory()
    writer, other = ParticipantFactory(review=review), ParticipantFactory(review=review)
    AccountFactory(
        participant=other,
        body="The other person wrote this sealed account.",
        submitted_at=timezone.now(),  # the reveal shows submitted accounts, never drafts
    )
    facilitator = open_as(browser, live_server, review.facilitator)
    participant = open_as(browser, live_server, writer.user)
    facilitator.goto(f"/reviews/{review.slug}/meeting/")
    participant.goto(f"/reviews/{review.slug}/meeting/")
    facilitator.get_by_role("button", name="Start meeting").click()
    facilitator.once("dialog", lambda dialog: dialog.accept())  # R asks first, like X
    facilitator.get_by_role("button", name="Reveal accounts").click()
    ok = within(
        FOLLOWS,
        lambda: "wrote this sealed account" in participant.locator("#m-accounts").inner_html(),
    )
    assert ok, (
        participant.locator("#m-accounts").inner_html(),
        Review.objects.get(pk=review.pk).accounts_revealed_at,
    )
    close_quietly(facilitator)
    close_quietly(participant)


def test_a_suggestion_accepted_by_the_scribe_appears_for_the_facilitator(three):
    review, pages = three
    facilitator, scribe, participant = pages["facilitator"], pages["scribe"], pages["participant"]
    facilitator.get_by_role("button", name="Start meeting").click()
    for _ in range(4):  # to "What went well"
        facilitator.get_by_role("button", name="Next phase").click()
        time.sleep(0.3)
    assert within(FOLLOWS, lambda: phase_name(participant) == "What went well")
    participant.get_by_label("Your suggestion").fill("The latency alert fired within a minute")
    participant.get_by_role("button", name="Suggest").click()
    assert within(
        3,
        lambda: (
            "The latency alert fired within a minute"
            in scribe.locator("#m-suggestions").inner_html()
        ),
    )
    scribe.locator("#m-suggestions").get_by_role("button", name="Accept").click()
    assert within(
        FOLLOWS,
        lambda: (
            "The latency alert fired within a minute"
            in facilitator.locator("#m-phase").inner_text()
        ),
    )
    assert WentWell.objects.filter(review=review).count() == 1


def test_two_people_editing_the_same_item_see_the_conflict_and_lose_nothing(three):
    review, pages = three
    facilitator, scribe = pages["facilitator"], pages["scribe"]
    facilitator.get_by_role("button", name="Start meeting").click()
    for page in (facilitator, scribe):
        page.locator("#m-phase summary", has_text="Amend the summary").click()
    facilitator.get_by_label("Summary").fill("The facilitator's version of the summary.")
    scribe.get_by_label("Summary").fill("The scribe's version of the summary.")
    facilitator.get_by_role("button", name="Save summary").click()
    facilitator.locator("#m-phase .markdown", has_text="The facilitator's version").wait_for()
    scribe.get_by_role("button", name="Save summary").click()
    conflict = scribe.locator("#m-phase .conflict")
    conflict.wait_for()
    assert "The facilitator's version of the summary." in conflict.inner_text()
    assert scribe.get_by_label("Summary").input_value() == "The scribe's version of the summary."
    assert Review.objects.get(pk=review.pk).summary == "The facilitator's version of the summary."


def test_a_whole_meeting_from_start_to_end(three):
    review, pages = three
    facilitator, scribe, participant = pages["facilitator"], pages["scribe"], pages["participant"]
    facilitator.get_by_role("button", name="Start meeting").click()
    facilitator.get_by_role("button", name="Next phase").click()  # timeline
    assert within(FOLLOWS, lambda: phase_name(scribe) == "Timeline")
    scribe.locator("#m-capture input[name=occurred_at]").fill(
        (timezone.localtime(review.event_detected_at) + dt.timedelta(minutes=9)).strftime(
            "%Y-%m-%dT%H:%M"
        )
    )
    scribe.locator("#m-capture textarea[name=description]").fill("Cache warm-up run by hand")
    scribe.get_by_role("button", name="Add entry").click()
    scribe.locator("#m-phase", has_text="Cache warm-up run by hand").wait_for()
    facilitator.keyboard.press("n")  # the shortcut for "Next phase": root cause
    assert within(FOLLOWS, lambda: phase_name(scribe) == "Root cause")
    scribe.locator("#m-capture textarea[name=text]").fill(
        "Why was checkout slow? The cache was cold after the node swap."
    )
    scribe.get_by_role("button", name="Add why").click()
    scribe.locator("#m-phase", has_text="The cache was cold").wait_for()
    facilitator.get_by_role("button", name="Next phase").click()  # contributing factors
    assert within(FOLLOWS, lambda: phase_name(scribe) == "Contributing factors")
    scribe.locator("#m-capture select[name=category]").select_option("monitoring")
    scribe.locator("#m-capture textarea[name=text]").fill("No alert on cache hit rate")
    scribe.get_by_role("button", name="Add factor").click()
    scribe.locator("#m-phase", has_text="No alert on cache hit rate").wait_for()
    facilitator.get_by_role("button", name="Next phase").click()  # went well
    facilitator.get_by_role("button", name="Next phase").click()  # action items
    assert within(FOLLOWS, lambda: phase_name(scribe) == "Action items")
    scribe.locator("#m-capture input[name=title]").fill(
        "Alert when the cache hit rate drops below 60%"
    )
    scribe.locator("#m-capture select[name=owner]").select_option(str(review.facilitator.pk))
    scribe.locator("#m-capture input[name=due_on]").fill(
        (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    scribe.locator("#m-capture select[name=size]").select_option("hours")
    scribe.get_by_role("button", name="Add action").click()
    assert within(
        FOLLOWS,
        lambda: (
            "Alert when the cache hit rate drops below 60%"
            in participant.locator("#m-phase").inner_text()
        ),
    )
    facilitator.once("dialog", lambda dialog: dialog.accept())
    facilitator.get_by_role("button", name="End meeting").click()
    facilitator.get_by_role("heading", name="Planned against actual").wait_for()
    assert within(FOLLOWS, lambda: "Meeting ended" in participant.locator("#m-state").inner_text())
    review.refresh_from_db()
    assert review.status == "writing"
    assert (
        review.timeline_entries.count() == 2
        and review.why_nodes.count() == 1
        and review.contributing_factors.count() == 1
    )
    action = ActionItem.objects.get(review=review)
    assert action.owner == review.facilitator and action.size == "hours"
    assert all(p.csp_violations == [] for p in pages.values())


def test_the_status_region_announces_a_phase_change_with_its_place_and_time(three):
    _review, pages = three
    facilitator, participant = pages["facilitator"], pages["participant"]
    facilitator.get_by_role("button", name="Start meeting").click()
    assert within(FOLLOWS, lambda: phase_name(participant) == "Summary")
    facilitator.get_by_role("button", name="Next phase").click()
    assert within(
        FOLLOWS,
        lambda: (
            participant.locator("#m-status").inner_text()
            == "Phase 2 of 6: Timeline, 25 minutes. The accounts are revealed."
        ),
    )


def test_shortcuts_can_be_turned_off_and_reveal_asks_first(three):
    _review, pages = three
    facilitator = pages["facilitator"]
    assert (
        facilitator.get_by_role("button", name="Start meeting").get_attribute("aria-keyshortcuts")
        == "S"
    )
    facilitator.get_by_label("Single-key shortcuts").uncheck()
    blur = "document.activeElement && document.activeElement.blur()"
    facilitator.evaluate(blur)  # a key pressed in a field is typing, not a shortcut
    facilitator.keyboard.press("s")
    facilitator.wait_for_timeout(500)
    assert phase_name(facilitator) == "Not started"
    facilitator.get_by_label("Single-key shortcuts").check()
    facilitator.evaluate(blur)
    facilitator.keyboard.press("s")
    assert within(FOLLOWS, lambda: phase_name(facilitator) == "Summary")
    # R asks before revealing; saying no reveals nothing.
    asked: list[str] = []
    facilitator.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    facilitator.keyboard.press("r")
    facilitator.wait_for_timeout(500)
    assert asked == ["Reveal the accounts to everyone in the meeting now?"]
    assert facilitator.get_by_role("button", name="Reveal accounts").is_visible()
    # The choice is kept for the next page.
    facilitator.get_by_label("Single-key shortcuts").uncheck()
    facilitator.reload()
    assert not facilitator.get_by_label("Single-key shortcuts").is_checked()
