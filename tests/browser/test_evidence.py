"""A why's evidence is chosen from a searchable list of the timeline's entries, with their
date and time; saving a why without opening the list keeps the evidence it had."""

from __future__ import annotations

import datetime as dt

import pytest

from reviews.models import WhyNode
from reviews.services.meeting import meeting_move, meeting_start
from tests.browser.test_meeting import open_as
from tests.conftest import close_quietly
from tests.factories import ReviewFactory, TimelineEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_scribe_finds_evidence_by_its_words_and_keeps_it_on_an_edit(browser, live_server):
    review = ReviewFactory(time_zone="UTC")
    start = dt.datetime(2017, 1, 31, 23, 0, tzinfo=dt.UTC)
    lag = TimelineEntryFactory(
        review=review, occurred_at=start, description="Replication lag alert on db2"
    )
    TimelineEntryFactory(
        review=review, occurred_at=start + dt.timedelta(minutes=27), description="rm -rf run on db1"
    )
    backup = TimelineEntryFactory(
        review=review,
        occurred_at=start + dt.timedelta(minutes=50),
        description="No usable backup found",
    )
    meeting_start(review=review)
    agenda = list(review.agenda.order_by("position"))
    meeting_move(review=review, phase_id=agenda[0].pk, step=1)
    meeting_move(review=review, phase_id=agenda[1].pk, step=1)  # root cause
    page = open_as(browser, live_server, review.scribe)
    try:
        page.goto(f"/reviews/{review.slug}/meeting/")
        form = page.locator("#m-capture form").filter(has_text="Add why")
        form.get_by_label("Why").fill("Why was no backup usable?")
        form.get_by_role("button", name="Choose timeline entries").click()
        search = form.get_by_label("Search the timeline entries")
        assert search.evaluate("el => el === document.activeElement")
        search.fill("backup")
        visible = form.locator(".pick-list label:visible")
        assert visible.count() == 1 and "31 Jan 23:50" in visible.inner_text()
        visible.get_by_role("checkbox").check()
        search.fill("23:00")
        form.locator(".pick-list label:visible").get_by_role("checkbox").check()
        search.press("Enter")  # filters, does not send
        assert WhyNode.objects.count() == 0
        form.get_by_role("button", name="Add why").click()
        page.locator("li.why", has_text="Why was no backup usable?").wait_for()
        why = WhyNode.objects.get()
        assert set(why.evidence.all()) == {lag, backup}
        # Edit only the text: the evidence stays.
        node = page.locator("li.why").first
        node.locator("summary", has_text="Edit").click()
        node.get_by_role("textbox", name="Why").fill("Why was no backup restorable?")
        node.get_by_role("button", name="Save").click()
        page.locator("li.why", has_text="Why was no backup restorable?").wait_for()
        assert WhyNode.objects.get().text == "Why was no backup restorable?"
        assert set(WhyNode.objects.get().evidence.all()) == {lag, backup}
        assert page.script_errors == [] and page.csp_violations == []
    finally:
        close_quietly(page)
