"""Exports recover: a failure says so with a retry; a killed worker's file is made again."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.utils import timezone

from reviews.models import ExportStatus, ReportExport, Review, TimelineEntry, WhyNode
from reviews.services.publish import exports_waiting, report_export_run, review_publish
from reviews.tasks import sweep_pending
from tests.factories import ActionItemFactory, ParticipantFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def ready_review(entries: int = 1, text: str = "Alert fired") -> Review:
    review = ReviewFactory(status="writing", summary="Checkout was slow.", title="Checkout")
    ParticipantFactory(review=review)
    start = timezone.now() - dt.timedelta(days=2)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=review, occurred_at=start + dt.timedelta(minutes=i), description=f"{text} {i}"
        )
        for i in range(entries)
    )
    WhyNode.objects.create(review=review, text="Why? The cache was cold.")
    ActionItemFactory(review=review, title="Alert when the cache hit rate drops below 60%")
    return review


def test_a_report_with_paragraph_separators_stored_long_ago_still_makes_its_pdf(
    django_capture_on_commit_callbacks,
):
    review = ready_review(text="before \u2029 after")  # stored directly, as older code could
    Review.objects.filter(pk=review.pk).update(summary="Slow \u2029 checkout")
    with django_capture_on_commit_callbacks(execute=True):
        review_publish(review=review)
    pdf = ReportExport.objects.get(review=review, file_format="pdf")
    assert pdf.status == ExportStatus.DONE, pdf.last_error
    assert Path(pdf.path).read_bytes().startswith(b"%PDF")


def test_a_file_that_keeps_failing_is_marked_failed_and_can_be_made_again(client, monkeypatch):
    review = ready_review()
    with monkeypatch.context() as patched:
        patched.setattr(
            "reviews.services.publish.render_pdf",
            lambda *a: (_ for _ in ()).throw(OSError("disk")),
        )
        review_publish(review=review)
        for _ in range(3):
            ReportExport.objects.filter(review=review).update(claimed_until=None)
            report_export_run(review_id=review.pk, version=1)
    pdf = ReportExport.objects.get(review=review, file_format="pdf")
    assert pdf.status == ExportStatus.FAILED and "disk" in pdf.last_error
    client.force_login(review.facilitator)
    page = client.get(f"/reviews/{review.slug}/").content.decode()
    assert "PDF: could not be made" in page and "Make the files again" in page
    assert f"/reports/{review.slug}/download/pdf/" not in page  # never a dead link

    response = client.post(f"/reviews/{review.slug}/exports/retry/")
    assert response.status_code == 302
    pdf.refresh_from_db()
    assert pdf.status == ExportStatus.DONE
    assert (
        f"/reports/{review.slug}/download/pdf/"
        in client.get(f"/reviews/{review.slug}/").content.decode()
    )


def test_the_sweeper_finds_a_file_whose_workers_claim_ran_out():
    review = ready_review()
    review_publish(review=review)
    ReportExport.objects.filter(review=review).update(
        status=ExportStatus.PENDING, claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert exports_waiting(older_than=dt.timedelta(seconds=15)) == [(review.pk, 1)]
    ReportExport.objects.filter(review=review).update(
        claimed_until=timezone.now() + dt.timedelta(seconds=30)
    )
    assert exports_waiting(older_than=dt.timedelta(seconds=15)) == []  # someone is making it


@pytest.mark.worker
def test_a_worker_killed_mid_export_leaves_a_file_made_within_a_minute(celery_worker):
    """kill -9 while the PDF is being made; the next worker makes it once the claim runs out
    and the sweeper (beat runs it every EXPORT_SWEEP_SECONDS) sends the job again."""
    celery_worker.env["EXPORT_CLAIM_SECONDS"] = "5"
    celery_worker.start()
    review = ready_review(entries=1500)
    review_publish(review=review)
    pdf = ReportExport.objects.filter(review=review, file_format="pdf")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = pdf.values("status", "claimed_until").get()
        if row["claimed_until"] is not None and row["status"] == ExportStatus.PENDING:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the worker never claimed the PDF:\n" + celery_worker.log.read_text()[-2000:])
    celery_worker.kill()
    killed = time.monotonic()
    assert pdf.get().status == ExportStatus.PENDING
    celery_worker.start()
    while time.monotonic() < killed + 60:
        sweep_pending()
        if pdf.get().status == ExportStatus.DONE:
            break
        time.sleep(1)
    assert pdf.get().status == ExportStatus.DONE, celery_worker.log.read_text()[-3000:]
    assert ReportExport.objects.filter(review=review).count() == 3  # one file each, still
    print(f"PDF made {time.monotonic() - killed:.1f} s after the kill")
