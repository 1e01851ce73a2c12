"""At 390 px (a phone) the pages do not scroll sideways: the top bar wraps with "Sign out"
on it, and the meeting's wide tables scroll inside their own box."""

from __future__ import annotations

import pytest

from reviews.services.meeting import meeting_move, meeting_start
from reviews.services.publish import review_publish
from tests.browser.test_axe import pages_for
from tests.browser.test_meeting import open_as
from tests.conftest import close_quietly
from tests.factories import ReviewFactory, TimelineEntryFactory
from tests.faults.test_exports import ready_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def meeting_in_its_timeline(entries: int):
    """A review whose meeting is in its Timeline phase, with that many entries."""
    review = ReviewFactory(title="GitLab.com database outage")
    for n in range(entries):
        TimelineEntryFactory(review=review, description=f"Replication lag alert {n} on db2")
    meeting_start(review=review)
    meeting_move(review=review, phase_id=review.agenda.get(position=0).pk, step=1)
    return review


def test_the_review_and_its_meeting_fit_a_phone(browser, live_server):
    review = meeting_in_its_timeline(3)
    page = open_as(browser, live_server, review.facilitator)
    try:
        page.set_viewport_size({"width": 390, "height": 900})
        for url in (
            f"/reviews/{review.slug}/",
            f"/reviews/{review.slug}/meeting/",
            f"/reviews/{review.slug}/people/",
            f"/reviews/{review.slug}/accounts/",
            f"/reviews/{review.slug}/timeline/",
        ):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
            sign_out = page.get_by_role("button", name="Sign out").bounding_box()
            assert sign_out and sign_out["x"] + sign_out["width"] <= 390, url
    finally:
        close_quietly(page)


@pytest.mark.parametrize("width", [320, 683, 768])  # phone; 1366 px at 200 % zoom; tablet
def test_no_main_page_scrolls_sideways_at_320_px(
    browser,
    live_server,
    review_with_everything,
    width,
):
    """WCAG 1.4.10 reflow: every main page, as each of its people, at 320 CSS pixels (and
    at 683, which is what 200 % zoom leaves of a laptop's screen)."""
    review, participant = review_with_everything
    people = {
        "facilitator": review.facilitator,
        "participant": participant.user,
        "delivery_owner": review.team.delivery_owner,
    }
    wide: dict[str, int] = {}
    for persona, urls in pages_for(review, participant).items():
        page = open_as(browser, live_server, people[persona])
        try:
            page.set_viewport_size({"width": width, "height": 800})
            for url in urls:
                page.goto(url)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    wide[f"{persona} {url}"] = scroll
        finally:
            close_quietly(page)
    # The publish preview and the published report (their tables scroll in their box).
    published = ready_review(entries=3, text="A long line about the replication lag on db2")
    page = open_as(browser, live_server, published.facilitator)
    try:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/reviews/{published.slug}/publish/")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide["publisher preview"] = scroll
        review_publish(review=published)
        page.goto(f"/reports/{published.slug}/")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide["publisher report"] = scroll
    finally:
        close_quietly(page)
    assert wide == {}


def test_the_meeting_header_never_covers_more_than_a_quarter_of_a_phone(browser, live_server):
    review = meeting_in_its_timeline(30)
    page = open_as(browser, live_server, review.facilitator)
    try:
        for width, height, share in ((390, 844, 0.25), (1366, 900, 0.4), (683, 450, 0.25)):
            # 683 x 450: a 1366 x 900 screen at 200 % zoom.
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"/reviews/{review.slug}/meeting/")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_timeout(100)
            box = page.locator(".meeting-top").bounding_box()
            covered = max(0, min(box["y"] + box["height"], height) - max(box["y"], 0))
            assert covered <= share * height, (width, height, covered)
    finally:
        close_quietly(page)


def test_on_a_phone_the_top_bar_folds_its_links_behind_a_menu(browser, live_server):
    review = ReviewFactory()
    page = open_as(browser, live_server, review.facilitator)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/")
        menu = page.get_by_role("button", name="Menu")
        assert menu.get_attribute("aria-expanded") == "false"
        assert not page.get_by_role("link", name="My actions").is_visible()
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        page.get_by_role("link", name="My actions").click()
        page.wait_for_url("**/actions/mine/")
        bar = page.locator(".topbar").bounding_box()
        assert bar["height"] < 0.15 * 844  # folded again on the next page
        page.set_viewport_size({"width": 1366, "height": 900})
        assert not page.get_by_role("button", name="Menu").is_visible()
        assert page.get_by_role("link", name="Reports").is_visible()
    finally:
        close_quietly(page)
