"""Bad imports: a clear message per file or row, nothing written before the facilitator
confirms, and the limits named."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews.imports import MAX_ROWS, ImportRefused, parse_timeline
from reviews.imports.common import MAX_UNPACKED_BYTES
from reviews.models import TimelineEntry, TimelineImport
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(db):
    return ReviewFactory(
        time_zone="UTC", event_started_at=dt.datetime(2017, 1, 31, 22, tzinfo=dt.UTC)
    )


def message(ts: float, text: str, **extra) -> dict:
    return {"type": "message", "user": "U1", "text": text, "ts": f"{ts:.6f}", **extra}


def day(*messages) -> bytes:
    return json.dumps(list(messages)).encode()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in files.items():
            archive.writestr(name, raw)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(review):
    # 300 MB of zeros compresses to about 300 kB.
    bomb = zip_of({"general/2017-01-31.json": b"0" * (MAX_UNPACKED_BYTES + 100 * 1024 * 1024)})
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ImportRefused, match="unpacks to 300 MB; the limit is 200 MB"):
        parse_timeline(review, "slack", [("export.zip", bomb)])


def test_a_zip_whose_sizes_lie_is_refused_without_unpacking_more(review):
    raw = bytearray(zip_of({"general/2017-01-31.json": b"[" + b" " * (3 * 1024 * 1024) + b"]"}))
    # Rewrite the declared size in the central directory to 10 bytes: the declared total
    # passes, and the member's data no longer matches what it declares.
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ImportRefused, match=r"general/2017-01-31\.json cannot be read"):
        parse_timeline(review, "slack", [("export.zip", bytes(raw))])


def test_several_zips_are_bounded_together(review, monkeypatch):
    import reviews.imports.slack as slack

    monkeypatch.setattr(slack, "MAX_UNPACKED_BYTES", 1024 * 1024)
    part = zip_of({"general/2017-01-31.json": b"[" + b" " * (600 * 1024) + b"]"})
    with pytest.raises(ImportRefused, match=r"b\.zip unpacks to 1 MB; the limit is 1 MB"):
        parse_timeline(review, "slack", [("a.zip", part), ("b.zip", part)])


def test_a_broken_zip_says_so(review):
    with pytest.raises(ImportRefused, match="is not a zip file that can be opened"):
        parse_timeline(review, "slack", [("export.zip", b"PK\x03\x04 not really")])


def test_a_bad_day_file_is_left_out_with_a_note_and_the_rest_imports(review):
    result = parse_timeline(
        review,
        "slack",
        [
            ("general/2017-01-31.json", day(message(1485903600, "checkout is down"))),
            ("general/2017-02-01.json", b'{"not": "a list"}'),
            ("general/2017-02-02.json", b"[{broken"),
            ("general/2017-02-03.json", '["caf\u00e9"]'.encode("latin-1")),
        ],
    )
    assert [r.description for r in result.rows] == ["U1: checkout is down"]
    notes = " ".join(result.notes)
    assert "general/2017-02-01.json is not a list of messages; it was left out." in notes
    assert "general/2017-02-02.json is not valid JSON" in notes
    assert "general/2017-02-03.json is not UTF-8 text" in notes


def test_messages_without_a_time_are_counted_and_named(review):
    result = parse_timeline(
        review,
        "slack",
        [
            (
                "ops/2017-01-31.json",
                day(message(1485903600, "paged"), {"type": "message", "text": "no ts"}),
            )
        ],
    )
    assert len(result.rows) == 1
    assert result.skipped["messages without a time (ts)"] == 1
    assert any("ops/2017-01-31.json #2 has no readable time" in n for n in result.notes)


def test_unknown_users_are_shown_by_id_and_named_in_a_note(review):
    users = json.dumps([{"id": "U1", "real_name": "Alice Ng"}]).encode()
    result = parse_timeline(
        review,
        "slack",
        [
            ("users.json", users),
            (
                "ops/2017-01-31.json",
                day(message(1485903600, "hi <@U9>"), message(1485903601, "x", user="U9")),
            ),
        ],
    )
    assert [r.description for r in result.rows] == ["Alice Ng: hi @U9", "U9: x"]
    assert any("1 user id is not in users.json (U9)" in n for n in result.notes)


def test_more_messages_than_the_limit_are_refused_with_the_limit_named(review):
    many = day(*(message(1485903600 + i, f"m{i}") for i in range(MAX_ROWS + 1)))
    with pytest.raises(ImportRefused, match="more than 50,000 messages; the limit is 50,000"):
        parse_timeline(review, "slack", [("ops/2017-01-31.json", many)])


def test_mixed_time_zones_in_log_lines_keep_each_lines_zone(review):
    lines = (
        "2017-01-31T23:00:00Z alert fired\n"
        "2017-02-01 00:10:00+01:00 second line, an hour ahead\n"
        "2017-01-31 18:20:00 EST third line\n"
        "2017-01-31 23:30:00 no zone: the review's\n"
    )
    result = parse_timeline(review, "lines", [("mixed.log", lines.encode())])
    assert [r.occurred_at.astimezone(dt.UTC).strftime("%H:%M") for r in result.rows] == [
        "23:00",
        "23:10",
        "23:20",
        "23:30",
    ]


def test_lines_with_only_a_time_and_no_date_ask_for_the_date(db):
    review = ReviewFactory(event_started_at=None, event_detected_at=None)
    with pytest.raises(ImportRefused, match="give the date the lines start on"):
        parse_timeline(review, "lines", [("chat.txt", b"[23:05] alice: hi\n")])


def test_text_that_is_not_lines_says_what_is_read(review):
    with pytest.raises(ImportRefused, match="No line starts with a time"):
        parse_timeline(review, "lines", [("notes.txt", b"just some notes\nno times here\n")])


def test_an_upload_refused_writes_nothing_and_keeps_the_pasted_text(client, review):
    client.force_login(review.facilitator)
    pasted = "no time on this line\nnor on this one"
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/", {"file_format": "lines", "lines": pasted}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No line starts with a time" in page
    assert "nor on this one" in page  # the text is still in the textarea
    assert not TimelineImport.objects.exists() and not TimelineEntry.objects.exists()


def test_a_file_and_pasted_lines_at_once_are_refused(client, review):
    client.force_login(review.facilitator)
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/",
        {
            "file_format": "lines",
            "lines": "[23:05] a: b",
            "upload": SimpleUploadedFile("x.log", b"[23:06] c: d"),
        },
    )
    assert response.status_code == 400
    assert "Upload a file or paste lines, not both." in response.content.decode()


def test_a_stale_preview_cannot_set_kinds_on_rows_it_does_not_have(client, review):
    client.force_login(review.facilitator)
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/",
        {"file_format": "lines", "lines": "[23:05] a: b", "day": "2017-01-31"},
    )
    after = client.post(response.url, {"action": "save", "kind-7": "detection"}, follow=True)
    assert "reload it and set the kinds again" in after.content.decode()
    pending = TimelineImport.objects.get()
    assert [row["kind"] for row in pending.rows] == ["other"]
    bad_kind = client.post(response.url, {"action": "save", "kind-0": "explosion"}, follow=True)
    assert "'explosion' is not a kind of timeline entry" in html.unescape(bad_kind.content.decode())


def test_an_alert_bot_that_posts_only_attachments_is_a_detection_with_all_it_said(review):
    alert = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B42",
        "username": "PagerDuty",
        "text": "",
        "ts": "1485903600.000100",
        "attachments": [
            {
                "fallback": "Triggered #123: db1 replication lag",
                "pretext": "Incident triggered",
                "title": "#123 db1 replication lag &gt; 300s",
                "title_link": "https://example.pagerduty.com/incidents/123",
                "text": "Assigned to <@U1>, see <#C9|ops>",
                "fields": [
                    {"title": "Urgency", "value": "high"},
                    {"title": "Service", "value": "db"},
                ],
                "color": "danger",
            },
            {"from_url": "https://status.example.com", "title": "Status page", "text": "preview"},
        ],
    }
    users = json.dumps([{"id": "U1", "real_name": "Alice Ng"}]).encode()
    result = parse_timeline(
        review, "slack", [("users.json", users), ("ops/2017-01-31.json", day(alert))]
    )
    (row,) = result.rows
    assert row.description == (
        "PagerDuty: Incident triggered\n"
        "#123 db1 replication lag > 300s (https://example.pagerduty.com/incidents/123)\n"
        "Assigned to @Alice Ng, see #ops\nUrgency: high\nService: db"
    )
    assert row.kind == "detection"
    assert "preview" not in row.description  # the link preview repeats a link, it says nothing


def test_every_kind_of_slack_markup_reads_as_plain_text(review):
    text = (
        "<!here> <!subteam^S1|@oncall> rolled back at <!date^1485903600^{time}|23:00>; "
        "mail <mailto:ops@example.com|ops@example.com>, see <https://example.com/run/1> "
        "and <https://example.com/a|the runbook> &amp; *bold* _it_ ~gone~ `code` 1 &lt; 2"
    )
    result = parse_timeline(
        review, "slack", [("ops/2017-01-31.json", day(message(1485903600, text)))]
    )
    assert result.rows[0].description == (
        "U1: @here @oncall rolled back at 23:00; mail ops@example.com, see "
        "https://example.com/run/1 and the runbook (https://example.com/a) & bold it gone code 1 < 2"
    )
    assert result.rows[0].kind == "mitigation"


def test_a_thread_reply_broadcast_to_the_channel_and_an_edit_are_read_once(review):
    parent = message(1485903600, "db1 is lagging")
    reply = message(
        1485903660, "failing over to db2", thread_ts="1485903600.000000", subtype="thread_broadcast"
    )
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "ts": "1485903700.000000",
        "message": message(1485903600, "db1 is lagging badly", edited={"ts": "1485903700.0"}),
    }
    result = parse_timeline(review, "slack", [("ops/2017-01-31.json", day(parent, reply, edit))])
    assert [r.description for r in result.rows] == [
        "U1: db1 is lagging badly",
        "U1 (reply to U1, 23:00): failing over to db2",
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("[23:00] pagerduty: Triggered: db2 replication lag alert", "detection"),
        ("[23:02] yp: acknowledged, looking", "acknowledgment"),
        ("[23:40] sr: decision: restore from the staging snapshot", "decision"),
        ("[23:45] yp: rolled back the config change", "mitigation"),
        ("[18:14] sr: all clear, GitLab.com is back to normal", "resolution"),
        ("[23:05] yp: looking at the graphs", "other"),
    ],
)
def test_pasted_chat_lines_get_a_first_guess_at_their_kind(review, line, kind):
    (row,) = parse_timeline(
        review, "lines", [("chat.txt", line.encode())], day=dt.date(2017, 1, 31)
    ).rows
    assert row.kind == kind
