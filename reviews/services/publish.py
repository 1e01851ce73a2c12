"""Publishing a report: what must be there, the exports made once per version, distribution."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from aar_project.tasks import enqueue_on_commit
from aar_project.text import clean_text
from reviews.events import Event, announce
from reviews.models import (
    ExportFormat,
    ExportStatus,
    NotificationKind,
    ReportExport,
    Review,
    ReviewStatus,
    Role,
)
from reviews.notify import notification_queue
from reviews.report import (
    ReportData,
    render_json_report,
    render_markdown_report,
    report_data,
    report_filename,
    search_document,
)
from reviews.versions import bump_review_version

logger = logging.getLogger(__name__)
# A worker holds an export file this long; each file is made well within it (a PDF of 300
# entries takes about a second). A claim whose worker died runs out, and the sweeper, which
# runs every EXPORT_SWEEP_SECONDS, sends the job again: a killed export is retried within a
# minute. A file that fails MAX_EXPORT_ATTEMPTS times is marked failed, with a retry button.
CLAIM_FOR = dt.timedelta(seconds=settings.EXPORT_CLAIM_SECONDS)
MAX_EXPORT_ATTEMPTS = 3


class PublishRefused(Exception):
    """The report is not ready; `missing` says what it still needs."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("The report still needs: " + "; ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    required: bool  # publishing is refused without it
    missing: str  # how the refusal names it


def publish_checklist(
    review: Review, *, entries: int, whys: int, causal: int, went_well: int, actions: int
) -> list[ChecklistItem]:
    """What a report needs before it is published, from counts the caller already has."""
    return [
        ChecklistItem("A summary", bool(review.summary.strip()), True, "a summary"),
        ChecklistItem(f"A timeline ({entries} entries)", entries > 0, True, "a timeline"),
        ChecklistItem(
            f"A root cause ({whys} whys, {causal} causal factors)",
            whys + causal > 0,
            True,
            "a root cause (five whys or a causal chain)",
        ),
        ChecklistItem(f"What went well ({went_well})", went_well > 0, False, ""),
        ChecklistItem(
            f"Action items ({actions})" + ("" if actions else ", or an explicit “no actions”"),
            actions > 0 or review.no_actions,
            True,
            "action items, or an explicit “no actions”",
        ),
    ]


class AlreadyPublished(Exception):
    """Someone published first; `version` is the report version now."""

    def __init__(self, version: int) -> None:
        super().__init__(f"Version {version} of the report is already published.")
        self.version = version


def missing_for_publish(review: Review) -> list[str]:
    checklist = publish_checklist(
        review,
        entries=review.timeline_entries.count(),
        whys=review.why_nodes.count(),
        causal=review.causal_factors.count(),
        went_well=review.went_well.count(),
        actions=review.action_items.count(),
    )
    return [item.missing for item in checklist if item.required and not item.done]


def index_for_search(review: Review) -> None:
    """What the report archive searches for this review (its text, and on PostgreSQL its
    vector): every published report is indexed, however it was published."""
    review.search_text = search_document(review)
    Review.objects.filter(pk=review.pk).update(search_text=review.search_text)
    if connection.vendor == "postgresql":
        search = SearchVector("search_text", config="english")
        Review.objects.filter(pk=review.pk).update(search_vector=search)


@transaction.atomic
def review_publish(
    *, review: Review, over_version: int | None = None, send_emails: bool = True
) -> int:
    """Publish (or publish again): a new report version, its exports and its emails, once each.

    `over_version` is the report version the person saw when they pressed Publish: a second
    press (a double click, twenty tabs) names a version that is no longer the latest and
    publishes nothing (AlreadyPublished). Scripts that leave it out publish the next version.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if over_version is not None and review.report_version != over_version:
        raise AlreadyPublished(review.report_version)
    if review.status not in (ReviewStatus.WRITING, ReviewStatus.PUBLISHED):
        raise PublishRefused(["the meeting to be held first"])
    missing = missing_for_publish(review)
    if missing:
        raise PublishRefused(missing)
    review.report_version += 1
    review.status = ReviewStatus.PUBLISHED
    review.published_at = review.published_at or timezone.now()
    review.save(update_fields=["report_version", "status", "published_at", "updated_at"])
    index_for_search(review)
    bump_review_version(review.pk)
    ReportExport.objects.bulk_create(
        [
            ReportExport(review=review, report_version=review.report_version, file_format=f)
            for f in ExportFormat.values
        ],
        ignore_conflicts=True,
    )
    enqueue_on_commit("reviews.tasks.export_report", review.pk, review.report_version)
    event = Event.REVIEW_PUBLISHED
    announce(
        event,
        team_id=review.team_id,
        key=f"{event}:{review.pk}:{review.report_version}",
        subject=review,
    )
    if send_emails:  # "publish without emailing" leaves the participants and stakeholders be
        enqueue_on_commit("reviews.tasks.distribute_report", review.pk, review.report_version)
    return review.report_version


# --- The export job ---------------------------------------------------------------------------


def export_dir(review: Review, version: int) -> Path:
    """A path the server makes from ids only: nothing people typed reaches it."""
    return Path(settings.EXPORT_ROOT) / str(review.pk) / str(version)


def render_pdf(review: Review, data: ReportData) -> bytes:
    from weasyprint import HTML  # heavy (fonts, Pango): loaded by the export job alone

    html = clean_text(render_to_string("reviews/report_print.html", {**data, "print": True}))
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf


def _render(review: Review, file_format: str, data: ReportData) -> bytes:
    if file_format == ExportFormat.MARKDOWN:
        return render_markdown_report(review, data).encode()
    if file_format == ExportFormat.JSON:
        return render_json_report(review, data).encode()
    return render_pdf(review, data)


def report_export_run(*, review_id: int, version: int) -> int:
    """Make every pending file of this version that nobody else is making. Returns how many."""
    review = Review.objects.select_related("team", "facilitator", "scribe").get(pk=review_id)
    data: ReportData | None = None
    made = 0
    for export in ReportExport.objects.filter(
        review_id=review_id, report_version=version
    ).pending():
        now = timezone.now()
        claimed = (
            ReportExport.objects.filter(pk=export.pk, status=ExportStatus.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1)
        )
        if not claimed:
            continue
        data = data or report_data(review)
        folder = export_dir(review, version)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / report_filename(review, export.file_format)
        try:
            content = _render(review, export.file_format, data)
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(content)
            os.replace(temporary, path)  # a reader never sees half a file
        except Exception as exc:
            logger.exception("export %s failed", export.pk)
            failed = export.attempts + 1 >= MAX_EXPORT_ATTEMPTS
            ReportExport.objects.filter(pk=export.pk).update(
                claimed_until=None,
                last_error=str(exc)[:2000],
                status=ExportStatus.FAILED if failed else ExportStatus.PENDING,
            )
            if failed:
                bump_review_version(review_id)
            continue
        ReportExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE,
            path=str(path),
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            done_at=timezone.now(),
            claimed_until=None,
            last_error="",
        )
        made += 1
    if made:
        bump_review_version(review_id)  # the review page shows the downloads as they arrive
    return made


def exports_retry(*, review: Review) -> int:
    """Make the failed (or stuck) files of the current version again. Returns how many."""
    again = ReportExport.objects.filter(
        review=review, report_version=review.report_version
    ).exclude(status=ExportStatus.DONE)
    count = again.update(status=ExportStatus.PENDING, attempts=0, claimed_until=None)
    if count:
        enqueue_on_commit("reviews.tasks.export_report", review.pk, review.report_version)
        bump_review_version(review.pk)
    return count


def exports_waiting(*, older_than: dt.timedelta) -> list[tuple[int, int]]:
    """(review, version) pairs with a file nobody is making: never claimed for a while, or
    claimed by a worker whose claim ran out (it died, or its message was lost)."""
    now = timezone.now()
    never_claimed = Q(claimed_until__isnull=True, created_at__lt=now - older_than)
    return list(
        ReportExport.objects.pending()
        .filter(never_claimed | Q(claimed_until__lt=now))
        .order_by()
        .values_list("review_id", "report_version")
        .distinct()
    )


# --- Distribution -----------------------------------------------------------------------------


def report_recipients(review: Review) -> list[tuple[str, Any]]:
    """Participants and the team's stakeholders (its communication plan), each address once."""
    seen: dict[str, Any] = {}
    for participant in review.participants.select_related("user").exclude(role=Role.OBSERVER):
        seen.setdefault(participant.user.email.lower(), participant.user)
    for participant in review.participants.select_related("user").filter(role=Role.OBSERVER):
        seen.setdefault(participant.user.email.lower(), participant.user)
    for email in review.team.stakeholder_email_list():
        seen.setdefault(email.lower(), None)
    return list(seen.items())


def report_distribute(*, review_id: int, version: int) -> int:
    review = Review.objects.select_related("team").get(pk=review_id)
    queued = 0
    for email, user in report_recipients(review):
        made = notification_queue(
            key=f"report:{review.pk}:{version}:{email}",
            kind=NotificationKind.REPORT_PUBLISHED,
            email=email,
            recipient=user,
            review=review,
            payload={"version": version},
        )
        queued += made is not None
    return queued
