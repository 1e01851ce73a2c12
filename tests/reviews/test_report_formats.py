from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from markdown_it import MarkdownIt

from reviews.models import Lesson, PullRequestContext, Review, WentWell, WhyNode, pull_request_of
from reviews.report import external_data, render_markdown_report
from reviews.services.publish import review_publish
from tests.factories import (
    AccountFactory,
    ActionItemFactory,
    ParticipantFactory,
    ReviewFactory,
    TimelineEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden" / "demo-published-review.md"
PR_HEADINGS = [
    "Executive Summary", "Context", "Timeline", "Technical Changes", "Key Components Modified",
    "Architectural Decisions", "What Worked Well", "Areas for Improvement", "Testing Approach",
    "Action Items", "Lessons Learned", "Technical Learnings", "Process Learnings",
    "Knowledge Sharing", "Follow-up Work",
]  # fmt: skip


def test_the_demo_review_renders_exactly_the_golden_file():
    with time_machine.travel(dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        review = Review.objects.get(title="Database connection pool exhaustion")
        text = render_markdown_report(review)
    assert GOLDEN.exists(), f"the golden file {GOLDEN} is missing"
    assert text == GOLDEN.read_text()


@pytest.fixture
def pull_request(db):
    review = ReviewFactory(
        kind="pull_request",
        title="Move the reconciliation job to its own pool",
        summary="Gave the job its own pool of ten connections.",
        next_review_on=dt.date(2027, 2, 1),
    )
    PullRequestContext.objects.create(
        review=review,
        number=4182,
        pr_type="infrastructure",
        priority="high",
        files_changed=9,
        lines_added=212,
        lines_removed=48,
        author="omar",
        reviewers="priya, lee",
        opened_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        merged_at=dt.datetime(2026, 11, 4, 16, tzinfo=dt.UTC),
        sections={
            "technical.backend": "New pool in the job runner",
            "testing.unit": "12 new tests",
        },
    )
    WentWell.objects.create(review=review, text="Review turnaround under a day")
    Lesson.objects.create(review=review, text="Pools are per process", category="technical")
    ActionItemFactory(
        review=review,
        title="Document the pool sizes",
        owner=UserFactory(first_name="Lee", last_name="Chen"),
        due_on=dt.date(2026, 12, 1),
    )
    return review


def test_a_pull_request_review_exports_the_templates_sections_with_no_placeholder(pull_request):
    with time_machine.travel(dt.datetime(2026, 11, 21, 10, 30, tzinfo=dt.UTC), tick=False):
        text = render_markdown_report(pull_request)
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert (
        headings[0] == "After Actions Report: Move the reconciliation job to its own pool (#4182)"
    )
    assert headings[1:] == PR_HEADINGS
    assert "- **Lines Added/Removed**: +212 -48" in text
    assert "- **Duration**: 2026-11-02 to 2026-11-04 (2 days)" in text
    assert "- **Reviewers**: @priya, @lee" in text
    assert "- **Backend Changes**: New pool in the job runner" in text
    assert "- **Frontend Changes**: None recorded." in text
    assert "- [ ] Document the pool sizes (@Lee Chen, due: 2026-12-01)" in text
    assert (
        "**AAR Generated**: 2026-11-21 10:30 UTC" in text and "**Next Review**: 2027-02-01" in text
    )
    assert "<!--" not in text and not re.search(r"\[(PR|Added|Files|Author|owner|Timestamp)", text)


def test_the_pull_request_sections_are_written_on_the_review_page(client, pull_request):
    client.force_login(pull_request.scribe)
    response = client.post(
        f"/reviews/{pull_request.slug}/pull-request/", {"followup.debt": "Remove the shared pool"}
    )
    assert response.status_code == 302
    pull_request = Review.objects.get(pk=pull_request.pk)
    assert pull_request_of(pull_request).sections == {"followup.debt": "Remove the shared pool"}
    assert "- **Technical Debt**: Remove the shared pool" in render_markdown_report(pull_request)


def test_the_external_summary_replaces_names_by_roles(client, db):
    pat = UserFactory(first_name="Pat", last_name="Moreno")
    review = ReviewFactory(
        kind="incident",
        severity="sev1",
        status="writing",
        summary="Pat Moreno restarted the worker; Pat then paged the team.",
    )
    ParticipantFactory(review=review, user=pat)
    AccountFactory(participant=review.participants.get(user=pat), body="SECRET ACCOUNT TEXT")
    TimelineEntryFactory(review=review, description="Pat acknowledged the page")
    WhyNode.objects.create(review=review, text="Why? A cold cache.")
    ActionItemFactory(review=review, owner=pat, title="Warm the cache after node swaps")
    review_publish(review=review)
    data = external_data(Review.objects.get(pk=review.pk))
    text = render_markdown_report(data["review"], data)
    assert "Pat" not in text and "Moreno" not in text
    assert "\\[Participant\\] restarted the worker" in text
    assert "| Warm the cache after node swaps | Participant |" in text
    assert "SECRET ACCOUNT TEXT" not in text
    client.force_login(review.facilitator)
    page = client.get(f"/reports/{review.slug}/external/").content.decode()
    assert "Pat" not in page.split('<main id="main"')[1]


def test_there_is_no_external_summary_below_sev2(client, db):
    review = ReviewFactory(severity="sev3", status="published", report_version=1)
    client.force_login(review.facilitator)
    assert client.get(f"/reports/{review.slug}/external/").status_code == 404


# --- The archive -----------------------------------------------------------------------------------


def published(team=None, **fields):
    review = ReviewFactory(
        status="writing",
        summary=fields.pop("summary", "A summary."),
        **({"team": team} if team else {}),
        **fields,
    )
    TimelineEntryFactory(
        review=review,
        description=fields.get("title", "") + " connection pool saturation alert fired",
    )
    WhyNode.objects.create(review=review, text="Why? The pool was too small.")
    ActionItemFactory(review=review, title="Alert on reconciliation lag above five minutes")
    review_publish(review=review)
    return Review.objects.get(pk=review.pk)


def test_search_finds_reports_by_timeline_findings_and_actions(client, cast):
    mine = published(team=cast.team, title="Payments outage")
    client.force_login(cast.member)
    for words in ("saturation", "reconciliation lag", "pool"):
        page = client.get("/reports/", {"q": words}).content.decode()
        assert "Payments outage" in page, words
        assert "<mark>" in page
    assert "Payments outage" not in client.get("/reports/", {"q": "kubernetes"}).content.decode()
    assert mine.search_text


def test_search_finds_every_word_in_any_order_on_both_databases(client, cast):
    """On SQLite "backup restore" found nothing though both words were in the report."""
    published(
        team=cast.team,
        title="Backups gone",
        summary="The restore took eighteen hours because the only backup was six hours old.",
    )
    client.force_login(cast.member)
    for words in ("backup restore", "restore backup", "Restore   BACKUP", '"backup" restore'):
        page = client.get("/reports/", {"q": words}).content.decode()
        assert "Backups gone" in page, words
    assert (
        "Backups gone" not in client.get("/reports/", {"q": "backup kubernetes"}).content.decode()
    )


def test_snippets_are_cut_at_word_boundaries(client, cast):
    long = (
        " ".join(f"word{n}" for n in range(200))
        + " the replication lag alarm "
        + " ".join(f"tail{n}" for n in range(200))
    )
    published(team=cast.team, title="Lag", summary=long)
    client.force_login(cast.member)
    page = client.get("/reports/", {"q": "replication"}).content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)
    assert "<mark>replication</mark>" in snippet
    text = " ".join(re.sub(r"</?mark>|…", " ", snippet).split())
    # Cut at word boundaries: what is shown is a run of whole words of the report.
    assert f" {text} " in f" {long} " and len(text) > 100, text


def test_the_seeded_published_report_is_found(client, db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    user = Review.objects.get(title="Database connection pool exhaustion").facilitator
    client.force_login(user)
    page = client.get("/reports/", {"q": "reconciliation pool"}).content.decode()
    assert "Database connection pool exhaustion" in page


def test_search_never_shows_another_teams_report_or_a_sealed_account(client, cast):
    published(title="Another team's outage")
    AccountFactory(
        participant=ParticipantFactory(review=cast.review), body="zebracorn in the sealed account"
    )
    published(team=cast.team, title="Our outage")
    client.force_login(cast.outsider)
    assert (
        "outage"
        not in client.get("/reports/", {"q": "saturation"})
        .content.decode()
        .split('<main id="main"')[1]
    )
    client.force_login(cast.member)
    page = client.get("/reports/", {"q": "saturation"}).content.decode()
    assert "Our outage" in page and "Another team" not in page
    assert "Our outage" not in client.get("/reports/", {"q": "zebracorn"}).content.decode()


def test_search_snippets_escape_what_people_typed(client, cast):
    published(team=cast.team, title="Injection", summary="<script>alert(1)</script> saturation")
    client.force_login(cast.member)
    page = client.get("/reports/", {"q": "saturation"}).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_the_archive_filters_by_team_kind_and_severity(client, cast):
    published(team=cast.team, title="A launch", kind="launch")
    published(team=cast.team, title="An incident", kind="incident", severity="sev2")
    client.force_login(cast.member)
    page = client.get("/reports/", {"kind": "launch"}).content.decode()
    assert "A launch" in page and "An incident" not in page
    page = client.get("/reports/", {"severity": "sev2"}).content.decode()
    assert "An incident" in page and "A launch" not in page


@pytest.mark.postgres
def test_postgres_search_ranks_the_better_match_first(client, cast):
    published(team=cast.team, title="Minor", summary="saturation mentioned once")
    published(
        team=cast.team,
        title="Major",
        summary="saturation saturation saturation of the saturated pool",
    )
    client.force_login(cast.member)
    page = client.get("/reports/", {"q": "saturation"}).content.decode()
    assert page.index("Major") < page.index("Minor")
    assert connection.vendor == "postgresql"


def test_export_command_writes_html_and_pdf(tmp_path, capsys, db):
    review = published(title="Exportable")
    call_command("export_report", review.slug, "--format", "pdf", "--output", str(tmp_path))
    pdf = Path(capsys.readouterr().out.strip())
    assert pdf.read_bytes().startswith(b"%PDF")
    call_command("export_report", review.slug, "--format", "html", "--output", str(tmp_path))
    html = Path(capsys.readouterr().out.strip()).read_text()
    assert "<h1>AAR: Exportable</h1>" in html
