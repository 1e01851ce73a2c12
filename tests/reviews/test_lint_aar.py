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


def lint_one(capsys, path) -> tuple[int, str, list[str]]:
    """Lint one file: the exit code, the output and its findings as "LINE: message"."""
    code, out = lint(capsys, path)
    return code, out, out.replace(f"{path}:", "").strip().splitlines()


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
    assert lint(capsys, path) == (0, "")
    assert lint(capsys, "--strict", path) == (0, "")


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


def test_strict_mode_checks_the_exact_format_line_by_line(tmp_path, capsys):
    path = tmp_path / "bad.md"
    path.write_text(BAD)
    code, out = lint(capsys, "--strict", path)
    assert code == 1
    lines = out.strip().splitlines()
    assert all(line.startswith(f"{path}:") for line in lines)
    text = "\n".join(lines)
    assert "missing the header line “**Participants:** …”" in text
    assert "missing the section “## What went well”" in text
    assert "out of order" in text
    assert "exactly the columns Action | Owner | Due | Type | Status" in text
    assert f"{path}:22: “should have checked” judges what happened with hindsight." in text


def test_by_default_a_document_in_another_format_gets_one_note_and_content_findings(
    tmp_path, capsys
):
    path = tmp_path / "bad.md"
    path.write_text(BAD)
    code, out = lint(capsys, path)
    assert code == 1
    text = out.replace(f"{path}:", "")
    assert text.count("not in the method's report format") == 1
    assert "missing the section" not in text and "header line" not in text
    assert "22: “should have checked” judges what happened with hindsight." in text
    assert "22: “human error” stops at a person's slip." in text
    assert "32: action “Improve monitoring”: The title is too short to act on." in text
    assert "name the alert, its threshold and who it pages" in text.lower()
    assert "is owned by “the team”, not a person" in text
    assert "36: “Be more careful” puts the weight on a person." in text


REAL_STYLE = """# Incident report: search outage (2024-03-02)

## Summary

Search was down for 40 minutes after a config push. The change was overlooked in review.
The load balancer failed to notice the unhealthy pool. Each repository should have clear rules.

## Things that could have gone better

Things that could have gone better.

## Follow-ups

- [ ] Add an alert when search p95 is above 2 s for 5 minutes (@pat, due: 2020-01-10)
- [x] Roll back the config push (@sam, due: 2020-01-03)
- [ ] Look into monitoring the v2 API (@platform-team, due: 2030-01-01)

| Action Item | Owner | Due date |
| --- | --- | --- |
| Consider separate prioritisation of SRE tasks | SRE | |

Action point: make the importer more robust.

```
the script should have failed here   <- code, not prose
```

> The reviewer should have caught it. (a quotation)
"""


def test_real_documents_are_read_by_meaning_wherever_the_actions_are(tmp_path, capsys):
    path = tmp_path / "incident.md"
    path.write_text(REAL_STYLE)
    code, out, found = lint_one(capsys, path)
    assert code == 1
    assert "5: “was overlooked” hides a judgement in the passive." in out
    assert not any(
        "failed to" in f or "should have clear" in f or "gone better" in f for f in found
    )
    assert not any(f.startswith(("24:", "25:", "26:", "28:")) for f in found)  # code, quotes
    # the pull-request template's form: owner and date are read from it
    assert any(f.startswith("14: action “Add an alert") and "past its due date" in f for f in found)
    assert not any(f.startswith("15:") for f in found)  # done, so not past due
    assert any(f.startswith("16:") and "“Look into” does not say" in f for f in found)
    assert any(f.startswith("16:") and "owned by “@platform-team”" in f for f in found)
    assert any(f.startswith("20:") and "“Consider”" in f for f in found)
    assert any(f.startswith("20:") and "owned by “SRE”" in f for f in found)
    assert any(f.startswith("22:") and "“more robust” has no target" in f for f in found)
    assert any("14: of 4 open actions, 1 without an owner and 2 without a due" in f for f in found)


def test_a_directory_is_searched_for_markdown_files(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.md").write_text(BAD)
    (tmp_path / "two.md").write_text(REAL_STYLE)
    (tmp_path / "notes.txt").write_text("Pat should have known.")
    code, out = lint(capsys, tmp_path)
    assert code == 1
    assert f"{tmp_path / 'a' / 'one.md'}:" in out and f"{tmp_path / 'two.md'}:" in out
    assert "notes.txt" not in out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert lint(capsys, empty) == (2, f"{empty}:0: no *.md files in this directory\n")


def test_an_action_row_without_owner_or_date_is_found(tmp_path, capsys):
    review = ReviewFactory(summary="s")
    ActionItemFactory(
        review=review, title="Add an index on orders(customer_id)", owner=None, due_on=None
    )
    path = tmp_path / "aar.md"
    path.write_text(render_markdown_report(review))
    code, out = lint(capsys, "--strict", path)
    assert code == 1
    assert "has no owner" in out and "has no due date" in out
    code, out = lint(capsys, path)
    assert code == 1 and "of 1 open action, 1 without an owner and 1 without a due date" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.md", b"", "the file is empty"),
        ("x.md", b"  \n\n", "the file is empty"),
        ("x.md", b"\x00\x01\x02\x03", "not a text file"),
        ("x.md", b"# Title\n\xff\xfe\xfa", "not UTF-8 text (byte 8 cannot be read)"),
        ("x.md", b"%PDF-1.7\n...", "not a Markdown document: this is a PDF"),
        ("x.md", b"\x89PNG\r\n\x1a\n", "this is a PNG image"),
        ("x.md", b"<!DOCTYPE html><html></html>", "this is HTML or XML"),
        ("x.json", b'{"title": "an export"}', "this looks like JSON"),
        ("x.md", b"# AAR\n" + b"word " * (2 * 1024 * 1024), "too large to be a review (10.0 MB"),
    ],
)
def test_files_that_are_not_markdown_texts_get_one_line_and_exit_2(
    tmp_path, capsys, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    code, out = lint(capsys, path)
    assert code == 2
    assert out.count("\n") == 1 and out.startswith(f"{path}:0: ") and message in out


def test_a_missing_file_is_reported_and_the_others_still_linted(tmp_path, capsys):
    good = tmp_path / "two.md"
    good.write_text(REAL_STYLE)
    code, out = lint(capsys, tmp_path / "nope.md", good)
    assert code == 2 and "nope.md:0: cannot read the file" in out and f"{good}:5:" in out


def test_many_files_are_linted_in_parallel_with_the_same_findings(tmp_path, capsys):
    for i in range(60):
        (tmp_path / f"{i:02}.md").write_text(REAL_STYLE)
    _, serial = lint(capsys, "--jobs", "1", tmp_path)
    _, parallel = lint(capsys, "--jobs", "2", tmp_path)
    assert parallel == serial and serial.count("was overlooked") == 60


def test_a_heading_that_names_remediations_holds_actions_and_a_todo_note_is_not_one(
    tmp_path, capsys
):
    path = tmp_path / "incident.md"
    path.write_text(
        "# Testnet incident\n\n## Summary\n\nBlocks were empty for four hours.\n\n"
        "TODO: credit the reporter?\n\n"
        "### Root Cause Remediations\n\n"
        "- Make the log parser more resilient\n"
        "- Add a test that replays the block with the bad deposit log\n"
    )
    code, out, found = lint_one(capsys, path)
    assert code == 1
    assert any(f.startswith("11: action “Make the log parser") for f in found)
    assert not any(f.startswith("12: action") for f in found)  # a specific action
    assert not any(f.startswith("7:") for f in found)  # the editor's note
    assert "no action items found" not in out


def test_a_commitment_that_restates_an_action_item_is_not_counted_twice(tmp_path, capsys):
    path = tmp_path / "incident.md"
    path.write_text(
        "# Inotify watches exhausted\n\n## Lessons Learned\n\n"
        "We should look into monitoring the file watches usage on the nodes.\n\n"
        "We will try to page the database team sooner.\n\n"
        "## Action Items\n\n- Set up an alert on file watches usage above 90% of the limit\n"
    )
    code, _out, found = lint_one(capsys, path)
    assert code == 1
    assert not any(f.startswith("5:") for f in found)  # the action item says it better
    assert any(f.startswith("7: action “We will try to page") for f in found)  # its own


def test_a_table_whose_first_column_describes_the_action_is_read(tmp_path, capsys):
    path = tmp_path / "release.md"
    path.write_text(
        "# Release postmortem\n\n## Action Items\n\n"
        "| Action item description | Status |\n| --- | --- |\n"
        "| Improve the release tooling | TODO |\n"
    )
    code, out = lint(capsys, path)
    assert code == 1
    assert "7: action “Improve the release tooling”: “Improve” has no target" in out
    assert "no action items found" not in out


def test_a_list_announced_as_actions_holds_actions_but_not_its_nested_details(tmp_path, capsys):
    path = tmp_path / "security.md"
    path.write_text(
        "# Session cookies in error reports\n\n## What happened\n\n"
        "Out of caution, we have taken these actions today:\n\n"
        "1. We redacted all cookie values from error events.\n"
        "2. We will improve our logging.\n\n"
        "Action items\n\n"
        "- Consider a second region\n"
        "  - think about the costs first\n"
    )
    code, out, found = lint_one(capsys, path)
    assert code == 1
    assert any(f.startswith("8: action “We will improve our logging.”") for f in found)
    assert any(f.startswith("12: action “Consider a second region”") for f in found)
    assert not any(f.startswith("13:") for f in found)  # a detail of the item above
    assert "no action items found" not in out


def test_chat_logs_and_appendices_are_not_read_for_blame_or_commitments(tmp_path, capsys):
    path = tmp_path / "outage.md"
    path.write_text(
        "# Prow outage\n\n## Summary\n\nNobody noticed the failing job for a day.\n\n"
        "## Appendix\n\n### #testing-ops chat log\n\n"
        "alice: we should have caught this in review\n\n"
        "bob: we will look into it tomorrow\n\n"
        "## Chat transcript\n\nThe reviewer missed the change.\n"
    )
    code, _out, found = lint_one(capsys, path)
    assert code == 1
    assert any(f.startswith("5:") for f in found)  # the writers' own summary is read
    assert not any(f.split(":")[0] in ("11", "13", "17") for f in found), found


def test_a_place_for_actions_that_says_there_are_none_holds_no_action(tmp_path, capsys):
    path = tmp_path / "migration.md"
    path.write_text(
        "# Repository deletion broken\n\n"
        "We want to give you some insight into what happened.\n\n"
        "## Action Items\n\nNo immediate action items.\n\n"
        "| Action | Owner |\n| --- | --- |\n| N/A | |\n\n"
        "## Future plan\n\n- Consider a second database replica\n"
    )
    code, out, found = lint_one(capsys, path)
    assert code == 1
    assert not any(f.split(":")[0] in ("3", "7", "11") for f in found), found
    assert any(f.startswith("15: action “Consider a second database replica”") for f in found)
    assert "of 1 open action" in out  # the one real action, counted once


def test_an_imperative_lesson_is_an_action_and_an_observation_is_not(tmp_path, capsys):
    path = tmp_path / "jam.md"
    path.write_text(
        "# Game jam retrospective\n\n## What went well\n\nShorter workdays.\n\n"
        "## Conclusions\n\n"
        "- Build a playable game as soon as possible\n"
        "- Test coverage was low\n"
        "- Look for alternative solutions\n"
        "  1. consider the art pipeline first\n\n"
        "We’re working on incorporating this into the engine.\n"
    )
    code, out, found = lint_one(capsys, path)
    assert code == 1
    assert any(f.startswith("9: action “Build a playable game") for f in found)
    assert any(f.startswith("11: action “Look for alternative") for f in found)
    assert not any(f.split(":")[0] in ("10", "12", "14") for f in found), found
    assert "of 3 open actions" in out  # two lessons and the commitment
    assert "no action items found" not in out


def test_changes_introduced_by_a_colon_are_actions_and_notes_about_the_list_are_not(
    tmp_path, capsys
):
    path = tmp_path / "outage.md"
    path.write_text(
        "## Certificate outage\n\nThe certificate expired.\n\n"
        "To prevent similar issues in the future, we've made a few changes:\n\n"
        "1. Add more monitoring\n\n"
        "## Action items\n\nAction items fall under three types.\n\nTypes:\n\n"
        "| Action | Status |\n| --- | --- |\n| Improve the renewal job | TODO |\n"
    )
    code, _out, found = lint_one(capsys, path)
    assert code == 1
    assert any(f.startswith("7: action “Add more monitoring”") for f in found)
    assert not any(f.split(":")[0] in ("11", "13") for f in found), found
    assert any(f.startswith("17: action “Improve the renewal job”") for f in found)


def test_a_bullet_that_labels_its_nested_list_as_actions_holds_them(tmp_path, capsys):
    path = tmp_path / "dns.md"
    path.write_text(
        "# Some DNS records got deleted\n\n"
        "- **Time to repair**: 2h 2m\n"
        "- **Review actions**:\n"
        "    - Look into the DNS sync\n"
        "    - Change the ErrorsInExternalDNS alarm to high priority\n"
    )
    code, out = lint(capsys, path)
    assert code == 1
    assert "5: action “Look into the DNS sync”" in out
    assert "of 2 open actions" in out
    assert "no action items found" not in out


def test_ongoing_work_and_an_appositive_we_are_commitments_and_asides_are_not(tmp_path, capsys):
    path = tmp_path / "galaxy.md"
    path.write_text(
        "# Database outage\n\n## Resolution\n\n"
        "The team jumped into action and we carved up the workload:\n\n"
        "- Mike watched the server\n\n"
        "We are investigating the possibility of keeping Galaxy online but read-only.\n\n"
        "However, we, as the community, should seek means to get more eyes on the code.\n\n"
        "Now, I must say here, our host is the best.\n"
    )
    code, out, found = lint_one(capsys, path)
    assert code == 1
    assert any(f.startswith("9: action “We are investigating") for f in found)
    assert "of 2 open actions" in out  # the two commitments, not Mike's step or the aside
    assert not any(f.split(":")[0] in ("5", "7", "13") for f in found), found
