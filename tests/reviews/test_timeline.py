from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from reviews.display import format_offset
from reviews.imports import (
    MAX_ROWS,
    ImportRefused,
    parse_timeline,
    time_candidates,
    timeline_import_apply,
)
from reviews.models import TimelineEntry
from tests.factories import AccountFactory, ReviewFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "timeline"
T0 = dt.datetime(2026, 11, 17, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(0), "T+0m"),
        (dt.timedelta(minutes=65), "T+1h05m"),
        (dt.timedelta(minutes=-10), "T-10m"),
        (dt.timedelta(days=2, hours=3), "T+2d03h00m"),
        (dt.timedelta(seconds=59), "T+0m"),
    ],
)
def test_offsets_read_from_t0(delta, text):
    assert format_offset(T0 + delta, T0) == text


@pytest.fixture
def review(db):
    return ReviewFactory(
        event_detected_at=T0,
        event_started_at=T0 - dt.timedelta(minutes=10),
        time_zone="Europe/Berlin",
    )


# --- Editing -----------------------------------------------------------------------------


def test_the_facilitator_adds_an_entry_and_sees_its_offset(client, review):
    client.force_login(review.facilitator)
    response = client.post(
        f"/reviews/{review.slug}/timeline/add/",
        {
            "occurred_at": "2026-11-17T14:05",
            "kind": "mitigation",
            "description": "Rolled back",
            "source": "chat",
            "source_ref": "#inc-42",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    entry = TimelineEntry.objects.get()
    # Read in the review's zone: 14:05 in Berlin is 13:05 UTC, an hour and five minutes after T-0.
    assert entry.occurred_at == dt.datetime(2026, 11, 17, 13, 5, tzinfo=dt.UTC)
    assert b"T+1h05m" in response.content and b"<html" not in response.content


def test_an_entry_without_a_description_is_refused_with_the_reason(client, review):
    client.force_login(review.facilitator)
    response = client.post(
        f"/reviews/{review.slug}/timeline/add/",
        {"occurred_at": "2026-11-17T14:05", "kind": "other", "description": ""},
    )
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not TimelineEntry.objects.exists()


def test_an_edit_against_a_stale_version_is_refused_and_shows_both(client, review):
    entry = TimelineEntryFactory(review=review, occurred_at=T0, description="Alert fires")
    client.force_login(review.facilitator)
    url = f"/reviews/{review.slug}/timeline/{entry.pk}/edit/"
    form = {
        "occurred_at": "2026-11-17T13:00",
        "kind": "detection",
        "source": "log",
        "source_ref": "",
    }
    assert (
        client.post(
            url, {**form, "description": "Alert fires (p95 > 2 s)", "version": 1}
        ).status_code
        == 302
    )
    response = client.post(
        url, {**form, "description": "Alert fired at noon", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert (
        b"Alert fires (p95 &gt; 2 s)" in response.content
        and b"Alert fired at noon" in response.content
    )
    entry.refresh_from_db()
    assert entry.description == "Alert fires (p95 > 2 s)" and entry.version == 2


def test_deleting_an_entry(client, review):
    entry = TimelineEntryFactory(review=review)
    client.force_login(review.scribe)
    assert client.post(f"/reviews/{review.slug}/timeline/{entry.pk}/delete/").status_code == 302
    assert not TimelineEntry.objects.exists()


def test_an_entry_that_looks_like_a_duplicate_is_pointed_out(client, review):
    TimelineEntryFactory(review=review, occurred_at=T0, description="Checkout latency alert fires")
    TimelineEntryFactory(
        review=review,
        occurred_at=T0 + dt.timedelta(minutes=1),
        description="Latency alert for checkout fires",
    )
    TimelineEntryFactory(
        review=review,
        occurred_at=T0 + dt.timedelta(minutes=30),
        description="Rolled back the deploy",
    )
    client.force_login(review.facilitator)
    page = client.get(f"/reviews/{review.slug}/timeline/").content.decode()
    assert page.count("Looks like a duplicate") == 1


# --- Parsing -----------------------------------------------------------------------------

CSV = b"time,description,kind,source,source_ref\n2026-11-17 13:02,Alert fires,detection,log,pagerduty#1\n2026-11-17T12:05:00Z,Acked,acknowledgment,chat,\n"


def test_csv_rows_without_a_zone_are_read_in_the_reviews_zone(review):
    result = parse_timeline(review, "csv", CSV)
    assert result.ok
    assert result.rows[0].occurred_at == dt.datetime(2026, 11, 17, 12, 2, tzinfo=dt.UTC)
    assert result.rows[1].occurred_at == dt.datetime(2026, 11, 17, 12, 5, tzinfo=dt.UTC)
    assert result.rows[0].kind == "detection" and result.rows[0].source_ref == "pagerduty#1"


def test_jsonl_rows(review):
    raw = b'{"time": "2026-11-17T12:00:00+00:00", "description": "Alert"}\n\n{"time": "2026-11-17T12:10:00+00:00", "description": "Rollback", "kind": "mitigation"}\n'
    result = parse_timeline(review, "jsonl", raw)
    assert [r.description for r in result.rows] == ["Alert", "Rollback"]


def test_a_slack_export_skips_joins_and_names_people(review):
    result = parse_timeline(
        review, "slack", (DATA / "channel.json").read_bytes(), (DATA / "users.json").read_bytes()
    )
    assert result.ok
    assert len(result.rows) == 4
    assert result.rows[0].description == "Pat Moreno: Checkout latency alert is firing, looking"
    assert (
        result.rows[1].description
        == "Priya Raman: Cache hit rate dropped to 20% after the node swap, cc @Pat Moreno"
    )
    assert result.rows[0].occurred_at == dt.datetime.fromtimestamp(1763380860.0002, tz=dt.UTC)
    assert all(r.source == "chat" for r in result.rows)


@pytest.mark.parametrize(
    ("fmt", "raw", "message"),
    [
        ("slack", b"[{broken", "is not valid JSON"),
        ("slack", b'{"messages": []}', "is not a list of messages"),
        ("csv", b"when_it_was,blurb\n1,2\n", "missing: time, description"),
        ("csv", "time,description\n2026-11-17 12:00,caf\u00e9\n".encode("latin-1"), "not UTF-8"),
        ("csv", b"\x00\x01\x02binary", "binary"),
        ("jsonl", b"x" * (5 * 1024 * 1024 + 1), "limit is 5 MB"),
    ],
)
def test_a_malformed_file_is_refused_whole(review, fmt, raw, message):
    with pytest.raises(ImportRefused, match=message):
        parse_timeline(review, fmt, raw)


def test_too_many_rows_are_refused_with_the_limit_named(review):
    raw = b"time,description\n" + b"".join(
        f"2026-11-17 12:{i % 60:02d},row {i}\n".encode() for i in range(MAX_ROWS + 1)
    )
    with pytest.raises(ImportRefused, match="limit is 50,000"):
        parse_timeline(review, "csv", raw)


def test_rows_with_bad_dates_or_kinds_are_errors_with_their_line(review):
    raw = b"time,description,kind\n2026-11-17 12:00,ok,other\nyesterday,bad date,other\n2026-11-17 12:01,,other\n2026-11-17 12:02,bad kind,explosion\n"
    result = parse_timeline(review, "csv", raw)
    assert [line for line, _ in result.errors] == [3, 4, 5]
    assert "is not a date and time" in result.errors[0][1]
    assert "description is missing" in result.errors[1][1]
    assert "unknown kind 'explosion'" in result.errors[2][1]
    with pytest.raises(ImportRefused):
        timeline_import_apply(review=review, result=result, actor=None)
    assert not TimelineEntry.objects.exists()


def test_importing_the_same_file_twice_adds_nothing_the_second_time(review):
    first = timeline_import_apply(
        review=review, result=parse_timeline(review, "csv", CSV), actor=None
    )
    second = timeline_import_apply(
        review=review, result=parse_timeline(review, "csv", CSV), actor=None
    )
    assert (first.added, second.added, second.skipped) == (2, 0, 2)
    assert TimelineEntry.objects.count() == 2


# --- Through the browser's forms ---------------------------------------------------------


def test_an_upload_shows_a_preview_and_saves_only_on_confirmation(client, review):
    client.force_login(review.facilitator)
    upload = SimpleUploadedFile("timeline.csv", CSV, "text/csv")
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/", {"file_format": "csv", "upload": upload}
    )
    assert response.status_code == 302
    preview = client.get(response.url)
    assert b"Alert fires" in preview.content and b"T+2m" in preview.content
    assert not TimelineEntry.objects.exists()
    client.post(response.url, {"action": "import"})
    assert TimelineEntry.objects.count() == 2


def test_an_upload_with_row_errors_cannot_be_confirmed(client, review):
    client.force_login(review.facilitator)
    raw = b"time,description\n2026-11-17 12:00,ok\nnot a time,bad\n"
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/",
        {"file_format": "csv", "upload": SimpleUploadedFile("t.csv", raw)},
    )
    preview = client.get(response.url)
    assert b"Line 3" in preview.content
    refused = client.post(response.url, {"action": "import"}, follow=True)
    assert b"nothing was imported" in refused.content
    assert not TimelineEntry.objects.exists()


def test_a_refused_file_says_why_on_the_form(client, review):
    client.force_login(review.facilitator)
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/",
        {"file_format": "slack", "upload": SimpleUploadedFile("c.json", b"{nope")},
    )
    assert response.status_code == 400
    assert b"is not valid JSON" in response.content


# --- Accounts to timeline ----------------------------------------------------------------


def test_a_passage_of_an_account_is_promoted_to_an_entry_linked_back(client, review):
    account = AccountFactory(participant__review=review, body="At 14:32 I restarted the worker.")
    client.force_login(review.facilitator)
    response = client.post(
        f"/reviews/{review.slug}/accounts/{account.participant_id}/promote/",
        {
            "occurred_at": "2026-11-17T14:32",
            "kind": "mitigation",
            "description": "Worker restarted",
        },
    )
    assert response.status_code == 302
    entry = TimelineEntry.objects.get()
    assert entry.source == "account" and entry.account == account
    assert entry.source_ref == f"Account of {account.participant.user.get_full_name()}"


def test_times_written_in_accounts_are_offered_as_candidates(review):
    text = "At 14:32 I saw the alert. Around 2:45 pm we rolled back. The fix took 5 minutes.\nBy 3 pm it was quiet."
    found = time_candidates(review, text)
    berlin = [
        c.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime("%H:%M")
        for c in found
    ]
    assert berlin == ["14:32", "14:45", "15:00"]
    assert found[0].passage == "At 14:32 I saw the alert."


UTC = dt.UTC
REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "postmortems" / "docs"


def gitlab_review():
    """The GitLab.com database outage: 31 January 2017 ~23:00 UTC to 1 February 18:14."""
    return ReviewFactory(
        time_zone="UTC",
        event_started_at=dt.datetime(2017, 1, 31, 23, 0, tzinfo=UTC),
        event_detected_at=dt.datetime(2017, 1, 31, 23, 27, tzinfo=UTC),
        event_ended_at=dt.datetime(2017, 2, 1, 18, 14, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # The date written in the text wins.
        ("At 00:36 on 1 February I started the restore.", dt.datetime(2017, 2, 1, 0, 36)),
        ("On Feb 1st, 2017 at 17:20 the restore finished.", dt.datetime(2017, 2, 1, 17, 20)),
        ("2017-01-31 21:00 was the last good backup.", dt.datetime(2017, 1, 31, 21, 0)),
        ("At 17:00 on 31 January the load began to climb.", dt.datetime(2017, 1, 31, 17, 0)),
        # Otherwise the day that falls inside the event.
        ("At 23:27 the directory was removed.", dt.datetime(2017, 1, 31, 23, 27)),
        ("At 00:36 I saw the replication lag.", dt.datetime(2017, 2, 1, 0, 36)),
        ("Around 5:20 pm the site was back.", dt.datetime(2017, 2, 1, 17, 20)),
        # Before the event on its first day rather than long after it.
        ("At 22:45 I had deployed the change.", dt.datetime(2017, 1, 31, 22, 45)),
    ],
)
def test_times_offered_from_accounts_take_the_right_date(db, sentence, expected):
    [found] = time_candidates(gitlab_review(), sentence)
    assert found.occurred_at == expected.replace(tzinfo=UTC), sentence


def test_times_after_midnight_in_a_real_timeline_land_on_the_next_day(db):
    """crates.io, 15 October 2018 (real text, tests/data/real): times written without dates
    from 20:09 to 00:40 UTC; the last one is on the 16th."""
    text = (REAL / "rust-lang" / "2018-10-19-Update-on-crates.io-incident.md").read_text()
    timeline = text.split("## Timeline of events")[1].split("## ")[0]
    review = ReviewFactory(
        time_zone="UTC",
        event_started_at=dt.datetime(2018, 10, 15, 20, 0, tzinfo=UTC),
        event_detected_at=dt.datetime(2018, 10, 15, 20, 41, tzinfo=UTC),
        event_ended_at=dt.datetime(2018, 10, 16, 0, 45, tzinfo=UTC),
    )
    found = time_candidates(review, timeline)
    days = [(c.said, c.occurred_at.date().day) for c in found]
    assert days[0] == ("20:09", 15) and days[-1] == ("00:40", 16)
    assert [d for _, d in days[:-1]] == [15] * (len(days) - 1)
    # Without an end known the nearest day to the start still puts 00:40 after midnight.
    review.event_ended_at = None
    assert time_candidates(review, timeline)[-1].occurred_at.date() == dt.date(2018, 10, 16)


def test_dates_written_in_a_real_timeline_table_are_kept(db):
    """DFDS PM2025-002 (real text): a table of ISO dates and times across midnight."""
    text = (
        REAL / "dfds" / "PM2025-002 - Traefik rule preventing some inbound traffic.md"
    ).read_text()
    rows = [line for line in text.splitlines() if line.startswith("| 2025-")]
    review = ReviewFactory(
        time_zone="UTC",
        event_started_at=dt.datetime(2025, 3, 17, 16, 6, tzinfo=UTC),
        event_detected_at=dt.datetime(2025, 3, 17, 23, 42, tzinfo=UTC),
        event_ended_at=None,
    )
    for row in rows:
        written = dt.datetime.strptime(row[2:18], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        [found] = time_candidates(review, row)
        assert found.occurred_at == written, row


# --- The command line ---------------------------------------------------------------------


def test_the_command_imports_and_reports(review, tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_bytes(CSV)
    call_command("import_timeline", review.slug, str(path), "--format", "csv")
    assert "Added 2 entries, skipped 0" in capsys.readouterr().out
    call_command("import_timeline", str(review.pk), str(path), "--format", "csv")
    assert "Added 0 entries, skipped 2" in capsys.readouterr().out


def test_the_command_dry_run_writes_nothing(review, tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_bytes(CSV)
    call_command("import_timeline", review.slug, str(path), "--format", "csv", "--dry-run")
    assert "2 entries would be added" in capsys.readouterr().out
    assert not TimelineEntry.objects.exists()


def test_the_command_prints_each_error_with_its_line_and_fails(review, tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text(
        json.dumps({"time": "2026-11-17T12:00:00Z", "description": "ok"}) + "\n{broken\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_timeline", review.slug, str(path), "--format", "jsonl")
    assert f"{path}:2: not valid JSON" in capsys.readouterr().err
    assert not TimelineEntry.objects.exists()
