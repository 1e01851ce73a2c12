"""A pull-request review whose every field carries hostile text publishes, with its three files."""

from __future__ import annotations

import pytest

from reviews.models import ExportStatus, PullRequestContext, ReportExport, Review, WhyNode
from tests.factories import ActionItemFactory, ParticipantFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db

# Stored directly (as older code could store it): PostgreSQL refuses NUL, so that one only
# arrives through forms, where the input cleaning removes it.
HOSTILE = "| # <script>alert(1)</script> `code` \n- [x] **bold** ]] \u2029 ' \" & end"
POSTED = HOSTILE + " \x00 \x01"


def test_a_pull_request_review_full_of_hostile_text_publishes(client, cast):
    review = cast.review
    Review.objects.filter(pk=review.pk).update(
        kind="pull_request", status="writing", summary=HOSTILE, lessons=HOSTILE
    )
    PullRequestContext.objects.create(
        review=review,
        number=7,
        author=HOSTILE[:100],
        reviewers=HOSTILE[:500],
        sections={"technical.backend": HOSTILE, "followup.debt": HOSTILE},
    )
    ParticipantFactory(review=review)
    TimelineEntryFactory(review=review, description=HOSTILE)
    WhyNode.objects.create(review=review, text=HOSTILE)
    ActionItemFactory(review=review, title=HOSTILE[:300])
    client.force_login(cast.facilitator)
    response = client.post(f"/reviews/{review.slug}/publish/", {"report_version": "0"})
    page = client.get(response.url).content.decode()
    assert response.url == f"/reports/{review.slug}/", page[:3000]
    exports = ReportExport.objects.filter(review=review)
    assert sorted(e.file_format for e in exports) == ["json", "md", "pdf"]
    assert all(e.status == ExportStatus.DONE for e in exports), [e.last_error for e in exports]


def test_hostile_text_saved_through_the_edit_form_after_the_meeting_still_publishes(client, cast):
    """The red-team run's failure: the edit form, opened before the meeting and saved after
    it, wrote back the old status, so publishing refused ('the meeting to be held first')."""
    from reviews.services.meeting import meeting_end, meeting_start
    from tests.reviews.test_review_edit import edit_form_data

    review = cast.review
    Review.objects.filter(pk=review.pk).update(kind="pull_request")
    review.refresh_from_db()
    client.force_login(cast.facilitator)
    stale = edit_form_data(client, review)  # opened before the meeting
    meeting_start(review=review)
    meeting_end(review=review)
    TimelineEntryFactory(review=review, description=HOSTILE)
    WhyNode.objects.create(review=review, text=HOSTILE)
    ActionItemFactory(review=review, title="Add a regression test for the pool size")
    stale.update(
        {
            "summary": POSTED,
            "lessons": POSTED,
            "pr-number": "12",
            "pr-author": POSTED[:90],
            "pr-reviewers": POSTED[:90],
            "pr-url": "",
        }
    )
    saved = client.post(f"/reviews/{review.slug}/edit/", stale)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert Review.objects.get(pk=review.pk).status == "writing"
    response = client.post(f"/reviews/{review.slug}/publish/", {"report_version": "0"})
    assert response.url == f"/reports/{review.slug}/"
    assert ReportExport.objects.filter(review=review, status=ExportStatus.DONE).count() == 3
