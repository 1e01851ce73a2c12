"""Real exports and API answers that nobody on this project wrote (tests/data/real/imports/,
sources in its SOURCES.md), imported as they are: counts, names, times and text."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews.imports import ImportRefused, parse_pull_request, parse_timeline
from reviews.models import EntryKind, TimelineEntry
from tests.factories import ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "imports"
MARKUP = re.compile(r"<[@#!][A-Z0-9^]|<https?://|<mailto:|&gt;|&lt;|&amp;")


@pytest.fixture
def review(db):
    return ReviewFactory(time_zone="UTC", event_started_at=dt.datetime(2025, 1, 10, tzinfo=dt.UTC))


def folder(root: Path) -> list[tuple[str, bytes]]:
    return [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*.json"))]


def _with_messages(root: Path, rows):
    """Each row with the message it came from (by the ts in its identity)."""
    by_ts = {m["ts"]: m for p in root.rglob("[0-9]*.json") for m in json.loads(p.read_text())}
    return [(row, by_ts[row.identity.rsplit(":", 1)[1]]) for row in rows]


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in files:
            archive.writestr(name, raw)
    return buffer.getvalue()


# --- Slack ---------------------------------------------------------------------------------


def test_a_2025_slackdump_export_keeps_threads_files_and_bots_and_skips_the_deleted(review):
    root = REAL / "slack" / "rusq-slackdump"
    result = parse_timeline(review, "slack", folder(root))
    messages = sum(len(json.loads(p.read_text())) for p in (root / "B75B4C7").glob("*.json"))
    assert messages == 16
    # 16 messages: one join and one deleted-message placeholder are left out and counted.
    assert len(result.rows) == 14
    assert dict(result.skipped) == {"joins and leaves": 1, "deleted messages": 1}
    users = {u["id"]: u["real_name"] for u in json.loads((root / "users.json").read_text())}
    texts = [row.description for row in result.rows]
    # Names come from users.json (the message's own profile first), never the raw id.
    assert all(not re.match(r"^U[A-Z0-9]{6,}:", t) for t in texts)
    profiles = {
        m["user"]: m["user_profile"]["real_name"]
        for p in (root / "B75B4C7").glob("*.json")
        for m in json.loads(p.read_text())
        if m.get("user_profile")
    }
    for row, message in _with_messages(root, result.rows):
        if "bot_id" not in message:
            name = profiles.get(message["user"]) or users[message["user"]]
            assert row.description.startswith(name), (row.description, name)
    replies = [r for r in result.rows if r.source_ref.endswith(", thread")]
    day = json.loads((root / "B75B4C7" / "2025-01-11.json").read_text())
    assert len(replies) == sum(1 for m in day if m.get("thread_ts", m["ts"]) != m["ts"]) == 4
    answered = next(r for r in replies if "KxJU9MCVIGfruLkU5IOHKxRcSG1XHW1z1" in r.description)
    assert "(reply to " in answered.description and ", 00:20)" in answered.description
    # The reply to the deleted message still says it answers a thread.
    orphan = next(r for r in replies if "oWfrTa6T5UHMawe2KXhnEUP7VbkvruW" in r.description)
    assert "(reply in a thread started at 00:20)" in orphan.description
    # A file shared with no text is an entry naming the file.
    image = next(r for r in result.rows if "zYgi8k4UZoOBsdzOLnUbwSR" in r.description)
    assert "shared a file: zYgi8k4UZoOBsdzOLnUbwSR cBEKTKNLGqjCx" in image.description
    # The bot's message is named after the bot.
    assert any(t.startswith("2NR0w: VTqHcBWssWFAUWgO268Xc0KtFylJJ4Uxax9f") for t in texts)
    first = min(
        float(m["ts"]) for m in json.loads((root / "B75B4C7" / "2025-01-10.json").read_text())
    )
    assert result.rows[0].occurred_at == dt.datetime.fromtimestamp(first, dt.UTC)
    assert all(r.source_ref.startswith("Slack #B75B4C7") for r in result.rows)
    assert not any(MARKUP.search(t) for t in texts)


def test_the_zulip_importer_fixture_names_people_and_renders_broadcasts(review):
    root = REAL / "slack" / "zulip-slack-importer"
    files = folder(root)
    result = parse_timeline(review, "slack", files)
    assert len(result.rows) == 9
    assert result.skipped["joins and leaves"] == 4
    texts = [row.description for row in result.rows]
    assert "Steve Howell: This is Steve typing random stuff." in texts
    assert texts.count("Rhea Parekh: @channel") == 2  # <!channel>, decoded
    upload = next(t for t in texts if "dirac72.md" in t)
    assert upload.startswith("Josef K.: @Josef K. uploaded a file: dirac72.md (https://")
    assert "and commented: test upload attachment" in upload
    # The day file's folder is the channel.
    assert {r.source_ref for r in result.rows} == {"Slack #random"}
    day = json.loads((root / "test_slack_importer/random/2017-06-25.json").read_text())
    said = next(m for m in day if "subtype" not in m)
    assert result.rows[0].occurred_at == dt.datetime.fromtimestamp(float(said["ts"]), dt.UTC)
    assert result.rows[0].description == "Josef K.: " + said["text"]
    assert not any(MARKUP.search(t) for t in texts)


def test_the_same_export_as_a_zip_reads_the_same(review):
    root = REAL / "slack" / "zulip-slack-importer"
    files = folder(root)
    as_files = parse_timeline(review, "slack", files)
    as_zip = parse_timeline(review, "slack", [("export.zip", zipped(files))])
    assert [r.description for r in as_zip.rows] == [r.description for r in as_files.rows]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zulip/message_with_workspace_mentions.json", "Peter: @channel @here test mention"),
        (
            "zulip/message_with_channel_mentions.json",
            "Peter: #C079A3FA12P #rich-text-blocks #general",
        ),
    ],
)
def test_single_slack_messages_lose_their_markup(review, name, expected):
    raw = (REAL / "slack" / "single-messages" / name).read_bytes()
    result = parse_timeline(review, "slack", [(name.split("/")[-1], raw)])
    assert [r.description for r in result.rows] == [expected]


def test_a_message_of_many_block_kinds_keeps_every_block_once(review):
    raw = (REAL / "slack/single-messages/zulip/message_with_varying_block_types.json").read_bytes()
    (row,) = parse_timeline(review, "slack", [("m.json", raw)]).rows
    assert row.description.startswith("Peter: Hello there, I am a basic rich text block!")
    assert "this is a link (https://google.com)" in row.description
    assert "*this is bold*" not in row.description and "this is bold" in row.description
    # The table block is not in the message's text: it comes from the block, once.
    assert row.description.endswith("Header 1 | Header 2\nDatum 1 | Datum 2")
    assert row.description.count("Hello there, I am a basic rich text block!") == 1


def test_a_bots_blocks_carry_what_its_notification_text_only_sums_up(review):
    raw = (REAL / "slack/single-messages/rusq-slackdump/bot_message.json").read_bytes()
    result = parse_timeline(review, "slack", [("bot.json", raw)])
    (row,) = result.rows
    assert row.description.startswith("a bot (BUEBX9AUR): Some question?\nPoll title")
    assert ":one: this is one 8" in row.description
    assert "Created by @U12345678 with /poll" in row.description
    assert any("shown by their Slack id" in n for n in result.notes)


# --- Lines ---------------------------------------------------------------------------------


def test_an_irssi_log_takes_its_dates_from_its_own_date_lines(review):
    raw = (REAL / "lines/i2p-meetings/004.log").read_bytes()
    result = parse_timeline(review, "lines", [("004.log", raw)])
    assert result.rows[0].description == "logger: logging started"
    assert result.rows[0].occurred_at == dt.datetime(2002, 6, 11, 22, 55, tzinfo=dt.UTC)
    assert result.rows[1].description == "mids: already?"
    # After '--- Day changed Wed Jun 12 2002' the times are on the 12th.
    assert result.rows[-1].occurred_at == dt.datetime(2002, 6, 12, 3, 8, tzinfo=dt.UTC)
    assert result.skipped["date lines (Log opened, Day changed)"] == 3
    lines = [line for line in raw.decode().splitlines() if line.strip()]
    client_list = 4  # irssi's /names output: '[Users #iip-dev]' and three rows of nicks
    assert len(result.rows) == len(lines) - 8 - 3 - client_list
    assert result.skipped["joins, parts and mode changes"] == 8 + client_list
    assert all(r.source == "chat" for r in result.rows)
    action = next(r for r in result.rows if r.line == 267)
    assert action.description == "mids looks at the agenda"


def test_an_iso_irc_log_keeps_people_and_leaves_out_joins(review):
    raw = (REAL / "lines/irclog2html/sample.log").read_bytes()
    result = parse_timeline(review, "lines", [("sample.log", raw)])
    assert len(result.rows) == 7 and result.skipped["joins, parts and mode changes"] == 3
    assert result.rows[0].occurred_at == dt.datetime(2005, 1, 8, 23, 34, 46, tzinfo=dt.UTC)
    assert result.rows[1].description == "mgedmin: š"


def test_log_lines_with_zone_abbreviations_and_offsets_keep_their_zones(review):
    postgres = parse_timeline(
        review, "lines", [("pg.log", (REAL / "lines/lnav/logfile_postgres.0").read_bytes())]
    )
    first = postgres.rows[0]
    assert first.occurred_at == dt.datetime(2025, 8, 13, 8, 45, 1, 123000, tzinfo=dt.UTC)
    assert first.description.startswith("[12345] LOG:  starting PostgreSQL 15.4")
    assert first.source == "log"
    zones = parse_timeline(
        review, "lines", [("z.log", (REAL / "lines/lnav/logfile_with_zones.0").read_bytes())]
    )
    moments = [r.occurred_at.astimezone(dt.UTC) for r in zones.rows]
    # 17:22:01+03:00 is 14:22:01 UTC: the three lines are within one second.
    assert max(moments) - min(moments) < dt.timedelta(seconds=1)


def test_syslog_lines_take_the_year_of_the_date_given(review):
    raw = (REAL / "lines/lnav/logfile_syslog.0").read_bytes()
    result = parse_timeline(review, "lines", [("syslog", raw)], day=dt.date(2021, 11, 1))
    assert len(result.rows) == 4
    assert result.rows[0].occurred_at == dt.datetime(2021, 11, 3, 9, 23, 38, tzinfo=dt.UTC)
    assert result.rows[0].description == (
        "veridian automount[7998]: lookup(file): lookup for foobar failed"
    )


# --- Pull requests -------------------------------------------------------------------------


def test_a_github_answer_fills_every_field_and_the_description():
    answer = parse_pull_request(
        (REAL / "pull_requests/github/danger-js/github_pr.json").read_bytes()
    )
    assert answer.host == "GitHub"
    f = answer.fields
    assert f["number"] == 327 and f["url"] == "https://github.com/artsy/emission/pull/327"
    assert f["author"] == "orta" and f["merged_by"] == "mennenia"
    assert (f["lines_added"], f["lines_removed"], f["files_changed"]) == (743, 17, 16)
    assert f["opened_at"] == dt.datetime(2016, 9, 30, 14, 10, 30, tzinfo=dt.UTC)
    assert f["merged_at"] == dt.datetime(2016, 10, 3, 9, 39, 23, tzinfo=dt.UTC)
    assert answer.title.startswith("Adds support for showing the metadata and trending")
    assert len(answer.description) > 100 and answer.lacks == []


def test_a_github_label_names_the_pr_type():
    answer = parse_pull_request((REAL / "pull_requests/github/go-scm/pr.json").read_bytes())
    assert answer.fields["labels"] == "bug" and answer.fields["pr_type"] == "bug_fix"


def test_a_gitlab_answer_keeps_number_url_author_files_and_labels():
    raw = (REAL / "pull_requests/gitlab/go-gitlab/get_merge_request.json").read_bytes()
    answer = parse_pull_request(raw)
    f = answer.fields
    assert answer.host == "GitLab"
    assert f["number"] == 14656 and f["url"].startswith("https://gitlab.com/gitlab-org/gitlab-ee/")
    assert f["author"] == "alexkalderimis" and f["files_changed"] == 35
    assert "feature" in f["labels"].split(", ") and f["pr_type"] == "feature"
    assert any("lines added and removed" in lack for lack in answer.lacks)


def test_a_recorded_gitlab_answer_reads_the_same_as_one_saved_by_hand():
    # danger-js keeps the answer inside a recording of the HTTP exchange; the answer itself
    # is what a person would save.
    recording = json.loads(
        (REAL / "pull_requests/gitlab/danger-js/getMergeRequestInfo.json").read_text()
    )
    answer = parse_pull_request(json.dumps(recording[0]["response"]).encode())
    assert answer.host == "GitLab" and answer.fields["number"] == 27117
    assert answer.fields["author"] and answer.fields["url"].endswith("/merge_requests/27117")


def test_a_bitbucket_answer_keeps_what_it_carries_and_says_what_it_lacks():
    raw = (REAL / "pull_requests/bitbucket/danger-js/bitbucket_cloud_pr.json").read_bytes()
    answer = parse_pull_request(raw)
    f = answer.fields
    assert answer.host == "Bitbucket" and f["number"] == 324
    assert f["url"] == "https://bitbucket.org/foo/bar/pull-requests/324"
    assert f["reviewers"] and f["author"]
    assert answer.title == "Improve CI-JIRA-Danger workflow" and answer.description
    assert "files changed" in answer.lacks[0]


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("github/go-scm/pulls.json", "a list of 1 pull request,"),
        ("bitbucket/go-scm/pulls.json", "a list of 2 pull requests,"),
        ("gitlab/go-gitlab/get_merge_requests_author_username.json", "a list of 1 pull request,"),
        ("gitlab/go-gitlab/list_merge_request_diff.json", "a JSON list of 2 items"),
    ],
)
def test_a_list_answer_is_refused_naming_the_answer_expected(path, said):
    with pytest.raises(ImportRefused, match=said) as refused:
        parse_pull_request((REAL / "pull_requests" / path).read_bytes())
    assert "GET /repos/{owner}/{repo}/pulls/{number}" in str(refused.value)


def test_a_gitlab_merge_request_fills_a_new_review_and_seeds_its_summary(client):
    from tests.reviews.test_prepare import review_post

    owner = UserFactory()
    team = TeamFactory(delivery_owner=owner)
    facilitator, scribe = UserFactory(), UserFactory()
    team.members.add(facilitator, scribe)
    client.force_login(owner)
    data = review_post(team, facilitator, scribe, kind="pull_request")
    data["title"] = ""
    data["pr-json"] = SimpleUploadedFile(
        "mr.json", (REAL / "pull_requests/gitlab/go-gitlab/get_merge_request.json").read_bytes()
    )
    response = client.post("/reviews/new/", data, follow=True)
    assert response.status_code == 200
    review = team.reviews.get()
    assert review.title == "Add deletion support for designs"
    assert review.summary.strip()
    assert review.pull_request.number == 14656 and review.pull_request.pr_type == "feature"
    assert b"lacks lines added and removed" in response.content


# --- The whole import, as a facilitator does it ---------------------------------------------


def test_a_zipped_export_previews_takes_kinds_and_imports_once(client, review):
    root = REAL / "slack" / "zulip-slack-importer"
    upload = SimpleUploadedFile("export.zip", zipped(folder(root)), "application/zip")
    client.force_login(review.facilitator)
    url = f"/reviews/{review.slug}/timeline/import/"
    response = client.post(url, {"file_format": "slack", "upload": upload})
    assert response.status_code == 302
    preview = client.get(response.url)
    page = preview.content.decode()
    assert "9 new" in page and "4 joins and leaves" in page
    assert "Steve Howell: This is Steve typing random stuff." in page
    assert not TimelineEntry.objects.exists()
    # The facilitator ticks two rows and gives them a kind, and changes one row's own kind.
    client.post(
        response.url,
        {"action": "set", "selected": ["0", "1"], "kind_for_selected": "detection"},
    )
    client.post(response.url, {"action": "import", "kind-2": "mitigation"})
    entries = list(TimelineEntry.objects.order_by("occurred_at", "pk"))
    assert len(entries) == 9
    assert [e.kind for e in entries[:3]] == ["detection", "detection", "mitigation"]
    assert all(e.kind == EntryKind.OTHER for e in entries[3:])
    # The same export again adds nothing.
    again = client.post(
        url,
        {
            "file_format": "slack",
            "upload": SimpleUploadedFile("export.zip", zipped(folder(root))),
        },
    )
    assert "0 new" in client.get(again.url).content.decode()
    client.post(again.url, {"action": "import"})
    assert TimelineEntry.objects.count() == 9


def test_pasted_lines_are_read_on_the_date_given(client, review):
    client.force_login(review.facilitator)
    pasted = "[23:58] alice: checkout errors are up\n[00:03] bob: rolled back the deploy\n"
    response = client.post(
        f"/reviews/{review.slug}/timeline/import/",
        {"file_format": "csv", "lines": pasted, "day": "2017-01-31"},
    )
    assert response.status_code == 302
    client.post(response.url, {"action": "import"})
    entries = list(TimelineEntry.objects.order_by("occurred_at"))
    assert [e.description for e in entries] == [
        "alice: checkout errors are up",
        "bob: rolled back the deploy",
    ]
    assert entries[1].occurred_at == dt.datetime(2017, 2, 1, 0, 3, tzinfo=dt.UTC)  # past midnight
    assert entries[1].kind == "mitigation"  # "rolled back", a first guess


# --- Held out: collected apart and not tuned on (heldout/SOURCES.md) ----------------------
# Measured first with `python -m tests.benchmarks imports`; the WhatsApp lines, GitHub's
# 'YYYY-MM-DD HH:MM:SS UTC' dates and the older GitLab answer were refused then, and are read now.

HELD = REAL / "heldout"


def test_held_out_threads_across_days_and_months_name_the_message_they_answer(review):
    root = HELD / "slack" / "stuartdonaldson-slack-archive-toolkit"
    result = parse_timeline(review, "slack", folder(root))
    texts = [r.description for r in result.rows]
    assert texts == [
        "Alice Anderson: parent A — printer is down\nshared a file: printer-error.jpg",
        "Bob Baker (reply to Alice Anderson, 09:00): reply A1 — same-day reply",
        "Bob Baker (reply to Alice Anderson, 09:00): reply A2 — next-day reply",
        "Carol Carter: parent B — VPN question (reply lands next month)",
        "Dave Dixon (reply to Carol Carter, 12:00): reply B1 — cross-month reply to April parent B",
        "U0E: standalone C — no thread, May",
        "U0F: standalone D — trailing month, June",
        "Backblast Bot: standalone E — bot message with no user field, June",
    ]
    assert any("2 user ids are not in users.json (U0E, U0F)" in n for n in result.notes)
    assert {r.source_ref for r in result.rows} == {"Slack #helpdesk", "Slack #helpdesk, thread"}


def test_held_out_slackdump_thread_files_keep_their_replies(review):
    root = HELD / "slack" / "rusq-slackdump-converter"
    result = parse_timeline(review, "slack", folder(root))
    assert len(result.rows) == 4
    assert result.rows[2].description == (
        "U0887G31L03 (reply to UHSD97ZA5, 03:10): A message from a deactivated account"
    )


def test_held_out_edit_then_delete_events_leave_nothing(review):
    root = HELD / "slack" / "single-messages" / "wee-slack"
    changed = parse_timeline(
        review, "slack", [("c.json", (root / "message-changed.json").read_bytes())]
    )
    assert len(changed.rows) == 1
    both = parse_timeline(review, "slack", folder(root))
    assert both.rows == [] and both.skipped["deleted messages"] == 1


def test_held_out_whatsapp_lines_read_the_month_order_from_the_file(review):
    raw = (HELD / "lines/whatsapp-chat-parser/short-chat.txt").read_bytes()
    result = parse_timeline(review, "lines", [("chat.txt", raw)])
    assert [(r.occurred_at.date().isoformat(), r.description) for r in result.rows] == [
        ("2017-06-03", "Sample User: This is a test message"),
        ("2017-08-05", "TestBot: Hey I'm a test too!"),
        ("2017-09-04", "+410123456789: How are you?\nIs everything alright?"),
    ]
    assert result.skipped["chat app notices (group created, encryption)"] == 2


def test_held_out_postgres_logs_with_two_zones_and_continued_statements(review):
    raw = (HELD / "lines/beats/postgresql-9.6-multi-core.log").read_bytes()
    result = parse_timeline(review, "lines", [("pg.log", raw)])
    assert len(result.rows) == 8
    offsets = {r.occurred_at.utcoffset() for r in result.rows}
    assert offsets == {dt.timedelta(hours=2), dt.timedelta(hours=-5)}  # CEST and EST
    statement = next(r for r in result.rows if "statement: SELECT" in r.description)
    assert statement.description.count("\n") >= 3  # its continuation lines joined to it


def test_held_out_pull_requests_from_each_host():
    github = parse_pull_request(
        (HELD / "pull_requests/github/danger-ruby/swiftweekly.github.io-pulls-89.json").read_bytes()
    )
    assert github.fields["number"] == 89 and github.fields["merged_by"]
    assert github.fields["opened_at"] == dt.datetime(2016, 9, 15, 5, 52, 11, tzinfo=dt.UTC)
    labelled = parse_pull_request(
        (
            HELD
            / "pull_requests/github/jenkins-github-branch-source/body-yolo-pulls-5-with-labels.json"
        ).read_bytes()
    )
    assert labelled.fields["labels"].count(",") == 1
    gitlab = parse_pull_request(
        (HELD / "pull_requests/gitlab/gitlab4j-api/merge-request.json").read_bytes()
    )
    assert gitlab.host == "GitLab" and gitlab.fields["number"] == 1
    assert gitlab.fields["merged_at"] == dt.datetime(2016, 12, 3, 17, 23, 34, 248000, tzinfo=dt.UTC)
    old = parse_pull_request(
        (HELD / "pull_requests/gitlab/narkoz-gitlab/merge_request.json").read_bytes()
    )
    assert old.host == "GitLab" and old.title == "New feature" and "number" not in old.fields
    assert any("only its id" in lack for lack in old.lacks)
    bitbucket = parse_pull_request(
        (HELD / "pull_requests/bitbucket/pybitbucket/PullRequest.json").read_bytes()
    )
    assert bitbucket.host == "Bitbucket" and bitbucket.fields["merged_by"]
