"""The Markdown report: the method's format to the letter, valid whatever people typed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from markdown_it import MarkdownIt

from reviews.models import ContributingFactor, WentWell, WhyNode
from reviews.report import md_block, md_inline, render_markdown_report, report_filename
from tests.factories import ActionItemFactory, ReviewFactory, TimelineEntryFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADINGS = [
    (1, "AAR: {title}"),
    (2, "Summary"),
    (2, "Impact"),
    (2, "Timeline"),
    (2, "Root cause analysis"),
    (2, "Contributing factors"),
    (2, "What went well"),
    (2, "Action items"),
    (2, "Lessons"),
]
HOSTILE = [
    "Fix | the pipe",
    "Line one\nline two",
    "Use `backticks` and ```fences",
    "<script>alert(1)</script>",
    "# heading in a title",
    "=== setext?",
    "1. not a list",
    "> not a quote",
    "---",
    "[link](javascript:alert(1))",
]


def parse(markdown: str):
    md = MarkdownIt("commonmark").enable("table")
    return md.parse(markdown)


def headings(tokens) -> list[tuple[int, str]]:
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            found.append((int(token.tag[1]), tokens[i + 1].content))
    return found


def table_rows(tokens) -> list[list[str]]:
    rows, row, in_body = [], None, False
    for i, token in enumerate(tokens):
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tr_open" and in_body:
            row = []
        elif token.type == "td_open" and row is not None:
            inline = tokens[i + 1]
            row.append(
                "".join(
                    c.content for c in inline.children or [] if c.type in ("text", "code_inline")
                )
            )
        elif token.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
    return rows


@pytest.fixture
def review(db):
    t0 = dt.datetime(2026, 11, 17, 12, 0, tzinfo=dt.UTC)
    review = ReviewFactory(
        title="Database connection pool exhaustion",
        severity="sev1",
        event_started_at=t0 - dt.timedelta(minutes=6),
        event_detected_at=t0,
        scheduled_at=dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC),
        summary="The payments API failed for 47 minutes.",
        impact_users_affected=12500,
        impact_users_segment="All card payments",
        impact_duration="47 min",
        lessons="Error paths deserve review.",
    )
    TimelineEntryFactory(
        review=review,
        occurred_at=t0,
        kind="detection",
        description="Error-rate alert",
        source="log",
    )
    root = WhyNode.objects.create(
        review=review, text="Why did payments fail? The pool was exhausted."
    )
    WhyNode.objects.create(review=review, parent=root, text="Why? A job kept its connections.")
    WhyNode.objects.create(
        review=review, parent=root, text="Why? The limit was sized for last year."
    )
    ContributingFactor.objects.create(review=review, text="No pool alert", category="monitoring")
    WentWell.objects.create(review=review, text="The alert fired within a minute")
    return review


def test_the_heading_sequence_is_the_methods(review):
    tokens = parse(render_markdown_report(review))
    expected = [(level, text.format(title=review.title)) for level, text in HEADINGS]
    assert headings(tokens) == expected


def test_the_header_lines_follow_the_title(review):
    text = render_markdown_report(review)
    lines = text.splitlines()
    assert lines[0] == "# AAR: Database connection pool exhaustion"
    assert lines[2:7] == [
        "**Date of event:** 2026-11-17",
        "**AAR date:** 2026-11-25",
        "**Severity / scope:** SEV-1",
        f"**Facilitator:** {review.facilitator.get_full_name()}",
        f"**Participants:** {review.facilitator.get_full_name()}, {review.scribe.get_full_name()}",
    ]
    assert "- Users affected: 12,500, All card payments" in text
    assert "- 2026-11-17 12:00 (T+0m) Detection: Error-rate alert" in text


def test_the_five_whys_are_nested_numbered_lists(review):
    text = render_markdown_report(review)
    assert "1. Why did payments fail? The pool was exhausted." in text
    assert "   1. Why? A job kept its connections." in text
    assert "   2. Why? The limit was sized for last year." in text


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_text_keeps_the_sections_and_one_row_per_action(review, title):
    owner = UserFactory(first_name="Pat|Pipe", last_name="`Tick`")
    ActionItemFactory(review=review, title=title, owner=owner)
    ActionItemFactory(review=review, title="Add an alert on pool saturation above 80%")
    review.summary = f"{title}\n\n## Not a section\n```\nunclosed fence"
    review.lessons = title
    review.save()
    WentWell.objects.create(review=review, text=title)
    text = render_markdown_report(review)
    tokens = parse(text)
    assert [h[0] for h in headings(tokens)] == [1, 2, 2, 2, 2, 2, 2, 2, 2]
    assert [h[1] for h in headings(tokens)][1:] == [h[1] for h in HEADINGS][1:]
    rows = table_rows(tokens)
    assert len(rows) == 2 and all(len(r) == 5 for r in rows)
    assert rows[0][0] == " ".join(title.split())  # the text reads as typed, on one line
    assert rows[0][1] == "Pat|Pipe `Tick`"
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in html and 'href="javascript:' not in html


def test_inline_escaping_round_trips_to_the_same_text():
    for text in HOSTILE:
        html = MarkdownIt("commonmark").render(md_inline(text))
        assert (
            "<h1" not in html
            and "<ol" not in html
            and "<code" not in html
            and "<blockquote" not in html
            and "<hr" not in html
        )


def test_block_text_keeps_its_lines_but_opens_no_block():
    html = MarkdownIt("commonmark").render(md_block("# title\n- item\n\n```\ncode"))
    assert "<h1" not in html and "<ul" not in html and "<pre" not in html
    assert html.count("<p>") == 2


def test_the_file_is_named_after_the_meeting_date_and_the_event(review):
    assert report_filename(review, "md") == "aar-2026-11-25-database-connection-pool-exhaustion.md"


def test_the_command_writes_inside_the_folder_whatever_the_title(review, tmp_path, capsys):
    review.title = "../../etc/passwd"
    review.save()
    call_command("export_report", review.slug, "--format", "md", "--output", str(tmp_path))
    path = capsys.readouterr().out.strip()
    assert path == str(tmp_path / "aar-2026-11-25-etcpasswd.md")
    assert (
        (tmp_path / "aar-2026-11-25-etcpasswd.md").read_text().startswith("# AAR: ../../etc/passwd")
    )


def test_the_json_export_holds_the_whole_review(review, tmp_path, capsys):
    ActionItemFactory(review=review, title="Add pool alert")
    call_command("export_report", str(review.pk), "--format", "json", "--output", str(tmp_path))
    data = json.loads(
        (tmp_path / "aar-2026-11-25-database-connection-pool-exhaustion.json").read_text()
    )
    assert data["schema"] == "aar.review/1" and data["title"] == review.title
    assert (
        data["root_cause"]["five_whys"][0]["answers"][1]["text"]
        == "Why? The limit was sized for last year."
    )
    assert data["actions"][0]["title"] == "Add pool alert"
    assert [p["phase"] for p in data["meeting"]["agenda"]][:2] == ["summary", "timeline"]


def test_the_aar_date_is_the_day_the_review_was_held_not_the_day_planned(review):
    import datetime as dt

    from reviews.models import Review

    Review.objects.filter(pk=review.pk).update(
        scheduled_at=dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC),
        meeting_started_at=dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC),
    )
    review.refresh_from_db()
    assert "**AAR date:** 2026-11-27" in render_markdown_report(review).splitlines()
