from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reviews.models import Account, TimelineEntry
from tests.conftest import sign_in_with_password
from tests.factories import ParticipantFactory, ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parent.parent / "data" / "timeline"


def test_a_participant_reloads_in_the_middle_of_typing_and_finds_the_text(page):
    participant = ParticipantFactory()
    sign_in_with_password(page, participant.user.email)
    page.goto(f"/reviews/{participant.review.slug}/account/")
    editor = page.get_by_label("Account (Markdown)")
    editor.click()
    page.keyboard.type("At 14:32 I saw the cache hit rate fall to 20%.")
    page.reload()  # before the debounced autosave had a chance to run
    editor = page.get_by_label("Account (Markdown)")
    assert editor.input_value() == "At 14:32 I saw the cache hit rate fall to 20%."
    page.locator("[data-saved-version]").wait_for()
    assert (
        Account.objects.get(participant=participant).body
        == "At 14:32 I saw the cache hit rate fall to 20%."
    )
    page.reload()
    assert (
        page.get_by_label("Account (Markdown)").input_value()
        == "At 14:32 I saw the cache hit rate fall to 20%."
    )
    assert not page.locator(".restored").count()
    assert page.csp_violations == []


def test_the_autosave_says_when_it_saved_and_submit_marks_it_submitted(page):
    participant = ParticipantFactory()
    sign_in_with_password(page, participant.user.email)
    page.goto(f"/reviews/{participant.review.slug}/account/")
    page.get_by_label("Account (Markdown)").fill("I was on call and acknowledged the page.")
    page.locator("[data-saved-version]").wait_for()
    page.get_by_role("button", name="Submit account").click()
    page.get_by_text("Account submitted").wait_for()
    assert Account.objects.get(participant=participant).submitted_at is not None


def test_the_facilitator_imports_a_slack_export_and_sees_offsets(page):
    t0 = dt.datetime(2025, 11, 17, 12, 0, tzinfo=dt.UTC)
    review = ReviewFactory(
        event_detected_at=t0, event_started_at=t0 - dt.timedelta(minutes=5), time_zone="UTC"
    )
    sign_in_with_password(page, review.facilitator.email)
    page.goto(f"/reviews/{review.slug}/timeline/")
    page.get_by_role("link", name="Import…").click()
    page.get_by_label("Format").select_option("slack")
    page.locator("input[name=upload]").set_input_files(str(DATA / "channel.json"))
    page.locator("input[name=users_file]").set_input_files(str(DATA / "users.json"))
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview of channel.json").wait_for()
    assert TimelineEntry.objects.count() == 0
    page.get_by_role("button", name="Import 4 entries").click()
    page.get_by_text("Imported 4 entries").wait_for()
    rows = page.locator("table.timeline tbody tr")
    assert rows.count() == 4
    assert "T+1m" in rows.nth(0).inner_text()
    assert "Pat Moreno: Checkout latency alert is firing" in rows.nth(0).inner_text()
    assert "T+1h36m" in rows.nth(3).inner_text()
    assert page.csp_violations == []
