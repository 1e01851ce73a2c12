"""Anything captured can be fixed in place in the meeting: an entry edited (its form fetched
when "Edit" is opened), deleted, and put back with "Undo"."""

from __future__ import annotations

import os

import pytest

from reviews.models import TimelineEntry
from reviews.services.meeting import meeting_move, meeting_start
from tests.browser.test_meeting import open_as
from tests.conftest import close_quietly
from tests.factories import ReviewFactory, TimelineEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("AAR_SHOTS")  # a directory: screenshots of the controls, to look at


@pytest.fixture
def pages():
    """The pages a test opens, closed after it (an open page keeps polling the server)."""
    opened = []
    yield opened
    for page in opened:
        close_quietly(page)


def editing(browser, live_server, pages, review, width, text):
    """The scribe's meeting at this width, with "Edit" opened on the row that shows `text`."""
    page = open_as(browser, live_server, review.scribe)
    pages.append(page)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/reviews/{review.slug}/meeting/")
    row = page.locator("#m-phase tr", has_text=text)
    row.get_by_text("Edit", exact=True).click()
    return page, row


@pytest.mark.parametrize("width", [1366, 390])
def test_an_entry_is_edited_deleted_and_put_back_in_the_meeting(browser, live_server, pages, width):
    review = ReviewFactory(title="GitLab.com database outage")
    entry = TimelineEntryFactory(review=review, description="Replication lag alert", kind="other")
    meeting_start(review=review)
    meeting_move(review=review, phase_id=review.agenda.get(position=0).pk, step=1)
    page, row = editing(browser, live_server, pages, review, width, "Replication lag alert")
    description = row.locator("textarea[name=description]")
    description.wait_for()
    if SHOTS:
        row.screenshot(path=f"{SHOTS}/entry_edit_{width}.png")
    description.fill("Replication lag alert fired on db2")
    row.locator("select[name=kind]").select_option("detection")
    row.get_by_role("button", name="Save").click()
    page.locator("#m-phase", has_text="fired on db2").wait_for()
    entry.refresh_from_db()
    assert entry.kind == "detection"
    page.locator("#m-phase tr", has_text="fired on db2").get_by_role(
        "button", name="Delete"
    ).click()
    undo = page.get_by_role("button", name="Undo")
    undo.wait_for()
    if SHOTS:
        page.locator("#m-phase").screenshot(path=f"{SHOTS}/entry_undo_{width}.png")
    assert not TimelineEntry.objects.filter(pk=entry.pk).exists()
    undo.click()
    page.locator("#m-phase tr", has_text="fired on db2").wait_for()
    assert (
        TimelineEntry.objects.get(pk=entry.pk).description == "Replication lag alert fired on db2"
    )
    assert page.script_errors == [] and page.csp_violations == []


@pytest.mark.parametrize("width", [1366, 390])
def test_an_action_is_changed_in_one_form(browser, live_server, pages, width):
    from actions.models import ActionItem
    from tests.factories import ParticipantFactory

    review = ReviewFactory(title="GitLab.com database outage")
    owner = ParticipantFactory(review=review).user
    meeting_start(review=review)
    for _ in range(5):
        phase = review.agenda.get(started_at__isnull=False, ended_at__isnull=True)
        meeting_move(review=review, phase_id=phase.pk, step=1)
    action = ActionItem.objects.create(review=review, title="Test the backups")
    page, row = editing(browser, live_server, pages, review, width, "Test the backups")
    title = row.locator("input[name=title]")
    title.wait_for()
    title.fill("Restore a backup to staging every week")
    row.locator("select[name=owner]").select_option(str(owner.pk))
    row.locator("input[name=due_on]").fill("2027-01-15")
    row.locator("select[name=size]").select_option("hours")
    if SHOTS:
        row.screenshot(path=f"{SHOTS}/action_edit_{width}.png")
    row.get_by_role("button", name="Save").click()
    page.locator("#m-phase", has_text="Restore a backup to staging every week").wait_for()
    action.refresh_from_db()
    assert action.owner == owner and str(action.due_on) == "2027-01-15" and action.size == "hours"
    assert page.script_errors == [] and page.csp_violations == []
