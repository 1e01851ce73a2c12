from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from reviews.models import ReportExport, Review, WhyNode
from reviews.services.publish import report_distribute, report_export_run
from tests.factories import (
    ActionItemFactory,
    ParticipantFactory,
    ReviewFactory,
    TimelineEntryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(db):
    review = ReviewFactory(
        status="writing",
        summary="Checkout was slow for 95 minutes.",
        title="Checkout latency spike",
    )
    review.team.stakeholder_emails = "leads@example.com\nsupport@example.com"
    review.team.save()
    ParticipantFactory(review=review)
    TimelineEntryFactory(review=review, description="Alert fired")
    WhyNode.objects.create(review=review, text="Why? The cache was cold.")
    ActionItemFactory(review=review, title="Alert when the cache hit rate drops below 60%")
    return review


def publish(client, review):
    client.force_login(review.facilitator)
    return client.post(f"/reviews/{review.slug}/publish/")


def test_publishing_says_what_is_missing_and_changes_nothing(client, db):
    review = ReviewFactory(status="writing")
    response = publish(client, review)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert (
        "a summary" in page
        and "a timeline" in page
        and "a root cause" in page
        and "action items" in page
    )
    review.refresh_from_db()
    assert (
        review.status == "writing"
        and review.report_version == 0
        and not ReportExport.objects.exists()
    )


def test_publishing_makes_the_three_files_once_and_emails_everyone(client, ready):
    response = publish(client, ready)
    assert response.status_code == 302 and response.url == f"/reports/{ready.slug}/"
    ready.refresh_from_db()
    assert ready.status == "published" and ready.report_version == 1 and ready.published_at
    exports = {e.file_format: e for e in ReportExport.objects.filter(review=ready)}
    assert set(exports) == {"md", "pdf", "json"} and all(
        e.status == "done" for e in exports.values()
    )
    for export in exports.values():
        content = Path(export.path).read_bytes()
        assert export.size == len(content) and export.sha256 == hashlib.sha256(content).hexdigest()
    recipients = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(
        [p.user.email for p in ready.participants.all()]
        + ["leads@example.com", "support@example.com"]
    )
    assert recipients == expected
    assert all(f"http://testserver/reports/{ready.slug}/" in m.body for m in mail.outbox)


def test_the_pdf_opens_and_holds_the_sections_and_the_actions(client, ready):
    publish(client, ready)
    export = ReportExport.objects.get(review=ready, file_format="pdf")
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(Path(export.path).read_bytes())).pages
    )
    for title in (
        "Summary",
        "Timeline",
        "Root cause analysis",
        "Contributing factors",
        "What went well",
        "Action items",
        "Lessons",
    ):
        assert title in text, title
    assert "Alert when the cache hit rate drops below 60%" in " ".join(text.split())


def test_the_export_job_run_twice_keeps_one_file_per_format_and_version(client, ready):
    publish(client, ready)
    before = {e.file_format: e.sha256 for e in ReportExport.objects.filter(review=ready)}
    assert report_export_run(review_id=ready.pk, version=1) == 0
    assert ReportExport.objects.filter(review=ready).count() == 3
    assert {e.file_format: e.sha256 for e in ReportExport.objects.filter(review=ready)} == before


def test_distribution_run_twice_sends_one_email_per_recipient(
    client, ready, django_capture_on_commit_callbacks
):
    publish(client, ready)
    count = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert report_distribute(review_id=ready.pk, version=1) == 0
    assert len(mail.outbox) == count


def test_publishing_again_makes_a_new_version(client, ready):
    publish(client, ready)
    publish(client, ready)
    assert Review.objects.get(pk=ready.pk).report_version == 2
    assert ReportExport.objects.filter(review=ready, report_version=2, status="done").count() == 3


def test_with_the_broker_down_publishing_works_and_the_sweeper_makes_the_files(
    client, ready, monkeypatch, settings
):
    from reviews import tasks

    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.export_report, "delay", broker_down)
    monkeypatch.setattr(tasks.distribute_report, "delay", broker_down)
    assert publish(client, ready).status_code == 302
    assert Review.objects.get(pk=ready.pk).status == "published"
    assert ReportExport.objects.filter(review=ready, status="pending").count() == 3
    monkeypatch.undo()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)):
        tasks.sweep_pending.delay()
    assert ReportExport.objects.filter(review=ready, status="done").count() == 3


def test_the_report_page_escapes_what_people_typed_and_shows_planned_against_actual(client, ready):
    ready.summary = "<script>alert(1)</script> **bold**"
    ready.save()
    ActionItemFactory(review=ready, title="<img src=x onerror=alert(1)>")
    publish(client, ready)
    page = client.get(f"/reports/{ready.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<strong>bold</strong>" in page
    assert "Planned against actual" in page


def test_the_downloads_serve_the_files_and_an_outsider_gets_404(client, ready):
    publish(client, ready)
    response = client.get(f"/reports/{ready.slug}/download/md/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"# AAR: Checkout latency spike")
    assert 'filename="aar-' in response["Content-Disposition"]
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(f"/reports/{ready.slug}/").status_code == 404
    assert client.get(f"/reports/{ready.slug}/download/md/").status_code == 404


def test_an_unpublished_review_has_no_report_page(client, ready):
    client.force_login(ready.facilitator)
    assert client.get(f"/reports/{ready.slug}/").status_code == 404


def test_after_the_meeting_the_findings_are_finished_and_a_published_report_amended(client, ready):
    client.force_login(ready.scribe)
    page = client.get(f"/reviews/{ready.slug}/meeting/").content.decode()
    assert "Finish the findings" in page and "Add what went well" in page
    assert (
        client.post(
            f"/reviews/{ready.slug}/meeting/findings/went_well/",
            {"text": "Rollback took two minutes"},
        ).status_code
        == 302
    )
    publish(client, ready)
    client.force_login(ready.scribe)
    client.post(
        f"/reviews/{ready.slug}/meeting/findings/went_well/", {"text": "The runbook was right"}
    )
    publish(client, ready)
    ready.refresh_from_db()
    assert ready.report_version == 2
    md = ReportExport.objects.get(review=ready, report_version=2, file_format="md")
    assert "The runbook was right" in Path(md.path).read_text()
    page = client.get(f"/reviews/{ready.slug}/").content.decode()
    assert "Report version 2" in page and f"/reports/{ready.slug}/download/pdf/" in page


# --- The preview and the confirmation (#15) ---------------------------------------------------


def test_the_preview_lists_exactly_who_will_be_emailed_and_changes_nothing(client, ready):
    client.force_login(ready.facilitator)
    detail = client.get(f"/reviews/{ready.slug}/").content.decode()
    assert f'href="/reviews/{ready.slug}/publish/"' in detail  # a link to the preview, not a POST
    page = client.get(f"/reviews/{ready.slug}/publish/").content.decode()
    people = [p.user.email for p in ready.participants.select_related("user")]
    for email in [*people, "leads@example.com", "support@example.com"]:
        assert f"{email}" in page, email
    total = len(set(people)) + 2
    assert f"Publish and email {total} addresses" in page
    assert "Publish without emailing" in page
    assert "Checkout was slow for 95 minutes." in page  # the report as it will read
    ready.refresh_from_db()
    assert ready.status == "writing" and ready.report_version == 0 and mail.outbox == []


def test_publishing_without_emailing_emails_nobody(
    client, ready, django_capture_on_commit_callbacks
):
    client.force_login(ready.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reviews/{ready.slug}/publish/",
            {"report_version": "0", "emails": "none"},
            follow=True,
        )
    ready.refresh_from_db()
    assert ready.status == "published" and ready.report_version == 1
    assert "nobody was emailed" in response.content.decode()
    assert not [m for m in mail.outbox if "published" in m.subject.lower()]


def test_publishing_with_the_emails_sends_them_to_the_listed_addresses(
    client, ready, django_capture_on_commit_callbacks
):
    client.force_login(ready.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/{ready.slug}/publish/", {"report_version": "0", "emails": "all"})
    sent = {m.to[0] for m in mail.outbox}
    assert {"leads@example.com", "support@example.com"} <= sent


def test_the_preview_is_for_the_facilitator_and_the_delivery_owner_only(client, ready):
    client.force_login(ready.scribe)
    assert client.get(f"/reviews/{ready.slug}/publish/").status_code == 404
    client.force_login(ready.team.delivery_owner)
    assert client.get(f"/reviews/{ready.slug}/publish/").status_code == 200
