"""The import as a facilitator does it in Chromium: a real Slack export's zip uploaded, rows
ticked with the page's "tick every row" box and given a kind, imported; the pages fit a phone."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from reviews.models import TimelineEntry
from tests.browser.test_meeting import open_as
from tests.conftest import close_quietly
from tests.factories import ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXPORT = Path(__file__).resolve().parent.parent / "data/real/imports/slack/zulip-slack-importer"


def export_zip(tmp_path: Path) -> Path:
    path = tmp_path / "export.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(EXPORT.rglob("*.json")):
            archive.write(file, str(file.relative_to(EXPORT)))
    path.write_bytes(buffer.getvalue())
    return path


def test_a_facilitator_imports_a_slack_export_and_sets_kinds(browser, live_server, tmp_path):
    review = ReviewFactory(time_zone="UTC")
    page = open_as(browser, live_server, review.facilitator)
    try:
        page.goto(f"/reviews/{review.slug}/timeline/import/")
        page.get_by_label("Format").select_option("slack")
        page.get_by_label("File", exact=True).set_input_files(str(export_zip(tmp_path)))
        page.get_by_role("button", name="Preview").click()
        page.get_by_text("9 new").wait_for()
        assert "4 joins and leaves" in page.content()
        page.get_by_label("Tick every row on this page").check()
        assert page.locator('input[name="selected"]:checked').count() == 9
        page.get_by_label("Kind for the rows ticked").select_option("communication")
        page.get_by_role("button", name="Set kind").click()
        page.get_by_text("Kinds saved").wait_for()
        page.get_by_label("Kind of row 1", exact=True).select_option("detection")
        page.get_by_role("button", name="Import 9 entries").click()
        page.get_by_text("Imported 9 entries").wait_for()
        kinds = list(
            TimelineEntry.objects.order_by("occurred_at", "pk").values_list("kind", flat=True)
        )
        assert kinds == ["detection"] + ["communication"] * 8
        assert page.script_errors == [] and page.csp_violations == []
    finally:
        close_quietly(page)


def test_the_import_pages_fit_a_phone(browser, live_server, tmp_path):
    review = ReviewFactory(time_zone="UTC")
    page = open_as(browser, live_server, review.facilitator)
    try:
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(f"/reviews/{review.slug}/timeline/import/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Format").select_option("slack")
        page.get_by_label("File", exact=True).set_input_files(str(export_zip(tmp_path)))
        page.get_by_role("button", name="Preview").click()
        page.get_by_text("9 new").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        close_quietly(page)
