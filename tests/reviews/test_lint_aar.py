from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviews.models import WentWell, WhyNode
from reviews.report import render_markdown_report
from tests.factories import ActionItemFactory, ReviewFactory, TimelineEntryFactory, UserFactory

pytestmark = pytest.mark.django_db


def lint(capsys, *paths) -> tuple[int, str]:
    try:
        call_command("lint_aar", *[str(p) for p in paths])
    except SystemExit as exit_:
        return int(exit_.code), capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_a_report_exported_by_aar_with_good_content_is_clean(tmp_path, capsys):
    review = ReviewFactory(summary="Checkout was slow for 95 minutes.", title="Checkout latency")
    TimelineEntryFactory(review=review, description="Latency alert fired")
    WhyNode.objects.create(review=review, text="Why? The cache was cold after the node swap.")
    WentWell.objects.create(review=review, text="The alert fired in a minute")
    ActionItemFactory(
        review=review,
        title="Add an alert when the cache hit rate is below 60% for 5 minutes",
        owner=UserFactory(first_name="Pat", last_name="Moreno"),
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    path = tmp_path / "aar.md"
    path.write_text(render_markdown_report(review))
    code, out = lint(capsys, path)
    assert (code, out) == (0, "")


BAD = """# AAR: Payments outage

**Date of event:** 2026-11-01
**AAR date:** 2026-11-05
**Severity / scope:** SEV-2
**Facilitator:** Farah

## Summary

It broke.

## Timeline

- 10:00 alert

## Impact

- Users affected: many

## Root cause analysis

Pat should have checked the logs. It was human error.

## Contributing factors

None.

## Action items

| Action | Owner | Due |
|---|---|---|
| Improve monitoring | the team | soon |

## Lessons

Be more careful.
"""


def test_a_bad_document_gets_a_line_per_finding_and_exit_1(tmp_path, capsys):
    path = tmp_path / "bad.md"
    path.write_text(BAD)
    code, out = lint(capsys, path)
    assert code == 1
    lines = out.strip().splitlines()
    assert all(line.startswith(f"{path}:") for line in lines)
    text = "\n".join(lines)
    assert "missing the header line “**Participants:** …”" in text
    assert "missing the section “## What went well”" in text
    assert "out of order" in text
    assert "exactly the columns Action | Owner | Due | Type | Status" in text
    assert f"{path}:22: “should have” judges what happened with hindsight." in text


def test_an_action_row_without_owner_or_date_is_found(tmp_path, capsys):
    review = ReviewFactory(summary="s")
    ActionItemFactory(
        review=review, title="Add an index on orders(customer_id)", owner=None, due_on=None
    )
    path = tmp_path / "aar.md"
    path.write_text(render_markdown_report(review))
    code, out = lint(capsys, path)
    assert code == 1
    assert "has no owner" in out and "has no due date" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02\x03", "not a text file"),
        (b"\xff\xfe\xfa", "not UTF-8 text"),
        (b"just some notes\n", "must start with the title"),
    ],
)
def test_malformed_files_are_findings_not_crashes(tmp_path, capsys, content, message):
    path = tmp_path / "x.md"
    path.write_bytes(content)
    code, out = lint(capsys, path)
    assert code == 1 and message in out


def test_a_missing_file_is_reported(tmp_path, capsys):
    code, out = lint(capsys, tmp_path / "nope.md")
    assert code == 1 and "cannot read the file" in out
