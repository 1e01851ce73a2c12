"""The PDF keeps every timeline row whole: a row never starts on one page and ends on the
next (the table's header repeats instead)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from reviews.report import report_data
from tests.faults.test_exports import ready_review

pytestmark = pytest.mark.django_db


def rows_on_pages(document) -> dict[int, set[int]]:
    """For each body row of the report's tables (by its element), the pages it is drawn on."""
    pages: dict[int, set[int]] = {}

    def walk(box, page, parent_tag):
        if box.element_tag == "tr" and parent_tag == "tbody":
            pages.setdefault(id(box.element), set()).add(page)
        for child in getattr(box, "children", []):
            walk(child, page, box.element_tag)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number, None)
    return pages


def test_no_timeline_row_is_cut_across_two_pages():
    from weasyprint import HTML

    review = ready_review(entries=0)
    from reviews.models import TimelineEntry

    start = review.event_started_at or dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    long = " ".join(["the replica on db2 fell behind while the backups were failing"] * 6)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=review, occurred_at=start + dt.timedelta(minutes=i), description=f"{i}: {long}"
        )
        for i in range(60)
    )
    html = render_to_string("reviews/report_print.html", {**report_data(review), "print": True})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    assert len(document.pages) > 3
    spread = rows_on_pages(document)
    assert len(spread) >= 60
    cut = [pages for pages in spread.values() if len(pages) > 1]
    assert cut == []
