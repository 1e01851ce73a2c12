"""Issue 19: the real import samples measured (content lost, markup left), and a 50,000-message
Slack export uploaded and previewed through the import pages (time and memory).

The corpus measure is written apart from the importer: a message "says something" when it
has text, a file, or an attachment or block with text; its words of four letters or more
(outside Slack's <…> markup) must all be in the row made from it."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import random
import re
import resource
import time
import tracemalloc
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reviews.imports import ImportRefused, parse_pull_request, parse_timeline
from tests.benchmarks.common import line
from tests.factories import ReviewFactory

REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "imports"
MARKUP = re.compile(r"<[@#!][A-Z0-9^]|<https?://|<mailto:|&gt;|&lt;|&amp;")
LEFT_OUT = {
    "channel_join", "channel_leave", "group_join", "group_leave", "channel_topic",
    "channel_purpose", "channel_name", "tombstone", "message_deleted", "message_replied",
    "pinned_item", "bot_add", "bot_remove",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]{4,}")


def _texts(value: object) -> list[str]:
    """Every string under the keys that carry what a message says."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("text", "pretext", "title", "value", "fallback", "name") and isinstance(
                inner, str
            ):
                found.append(inner)
            elif key in (
                "attachments",
                "blocks",
                "elements",
                "fields",
                "files",
                "file",
                "rows",
            ) or (isinstance(inner, dict | list) and key in ("text",)):
                found += _texts(inner)
    elif isinstance(value, list):
        for item in value:
            found += _texts(item)
    return found


def _words(message: dict) -> set[str]:
    text = " ".join(
        [
            str(message.get("text") or ""),
            *_texts(message.get("attachments")),
            *_texts({"files": message.get("files") or []}),
        ]
    )
    text = re.sub(r"<[^<>]*>", " ", text)
    return {w.lower() for w in WORD.findall(text)}


def measure_slack(name: str, root: Path, only: Path | None = None) -> tuple[int, int, int, int]:
    paths = [only] if only else sorted(root.rglob("*.json"))
    files = [(str(p.relative_to(root)), p.read_bytes()) for p in paths]
    review = ReviewFactory(time_zone="UTC")
    result = parse_timeline(review, "slack", files)
    rows = {row.identity.rsplit(":", 1)[1]: row.description.lower() for row in result.rows}
    said = lost_messages = lost_words = 0
    for path, raw in files:
        if Path(path).name in ("users.json", "channels.json"):
            continue
        data = json.loads(raw)
        for message in data if isinstance(data, list) else [data]:
            if not isinstance(message, dict) or message.get("subtype") in LEFT_OUT:
                continue
            if message.get("subtype") == "message_changed":
                message = message.get("message") or {}
            words = _words(message)
            if not words and not message.get("files"):
                continue
            said += 1
            row = rows.get(str(message.get("ts")))
            if row is None:
                lost_messages += 1
                continue
            lost_words += sum(1 for w in words if w not in row)
    markup = sum(1 for row in result.rows if MARKUP.search(row.description))
    line(
        f"slack {name}",
        f"{said} messages say something, {len(result.rows)} rows; lost: {lost_messages} "
        f"messages, {lost_words} words; markup left in {markup} rows; "
        f"skipped {sum(result.skipped.values())}",
    )
    return said, lost_messages, lost_words, markup


def measure_lines(name: str, path: Path) -> None:
    review = ReviewFactory(time_zone="UTC", event_started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    raw = path.read_bytes()
    try:
        result = parse_timeline(review, "lines", [(path.name, raw)])
    except ImportRefused as exc:
        line(f"lines {name}", f"REFUSED: {exc}")
        return
    lines = [x for x in raw.decode("utf-8", "replace").splitlines() if x.strip()]
    line(
        f"lines {name}",
        f"{len(lines)} lines, {len(result.rows)} rows, skipped {dict(result.skipped)}, "
        f"{len(result.notes)} notes",
    )


PR_KEYS = {
    "number": ("number", "iid", "id"),
    "url": ("html_url", "web_url", "links"),
    "author": ("user", "author"),
    "opened_at": ("created_at", "created_on"),
    "merged_at": ("merged_at",),
    "merged_by": ("merged_by", "merge_user", "closed_by"),
    "labels": ("labels",),
    "lines_added": ("additions",),
    "files_changed": ("changed_files", "changes_count"),
}


def measure_pull_request(name: str, path: Path) -> None:
    data = json.loads(path.read_bytes())
    try:
        answer = parse_pull_request(path.read_bytes())
    except ImportRefused as exc:
        line(f"pr {name}", f"refused: {str(exc)[:60]}")
        return
    present = [
        field
        for field, keys in PR_KEYS.items()
        if any(data.get(k) not in (None, "", [], {}) for k in keys)
    ]
    if data.get("state") != "MERGED" and "closed_by" in data:
        present = [p for p in present if p != "merged_by"]
    missed = [p for p in present if p not in answer.fields]
    line(
        f"pr {name} ({answer.host})",
        f"{len(present) - len(missed)}/{len(present)} fields the answer has"
        + (f", missed {missed}" if missed else "")
        + f"; description {'kept' if answer.description or not (data.get('body') or data.get('description')) else 'LOST'}",
    )


def corpus(part: str, base: Path) -> None:
    print(f"\n### {part}")
    totals = [0, 0, 0, 0]
    for root in sorted((base / "slack").iterdir()):
        if root.name == "single-messages":
            for single in sorted(root.rglob("*.json")):
                counts = measure_slack(f"{single.parent.name}/{single.name}", root, single)
                totals = [a + b for a, b in zip(totals, counts, strict=True)]
            continue
        counts = measure_slack(root.name, root)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    line(
        f"slack total ({part})",
        f"{totals[0]} messages; lost {totals[1]} messages, {totals[2]} words; "
        f"markup left in {totals[3]} rows",
    )
    for path in sorted((base / "lines").rglob("*")):
        if path.is_file():
            measure_lines(f"{path.parent.name}/{path.name}", path)
    for path in sorted((base / "pull_requests").rglob("*.json")):
        measure_pull_request(f"{path.parent.parent.name}/{path.parent.name}/{path.name}", path)


def big_export(messages: int) -> bytes:
    """A workspace export of `messages` messages over 10 channels and 30 days: people, bots
    posting attachments, threads, files, joins, links and mentions."""
    rng = random.Random(19)
    users = [{"id": f"U{n:05d}", "real_name": f"Person {n}"} for n in range(200)]
    channels = [{"id": f"C{n:04d}", "name": f"ops-{n}"} for n in range(10)]
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()
    days: dict[tuple[str, str], list[dict]] = {}
    for n in range(messages):
        ts = start + n * 50 + rng.random()
        channel = channels[n % 10]["name"]
        day = dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")
        user = users[rng.randrange(200)]["id"]
        kind = n % 20
        message: dict = {"type": "message", "user": user, "ts": f"{ts:.6f}"}
        if kind == 0:
            message = {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "B00001",
                "username": "alertmanager",
                "ts": f"{ts:.6f}",
                "attachments": [
                    {
                        "title": "[FIRING:1] HighErrorRate checkout",
                        "title_link": "https://alerts.example.com/1",
                        "text": "error rate 7% &gt; 5% for 5m",
                        "fields": [{"title": "severity", "value": "page"}],
                    }
                ],
            }
        elif kind == 1:
            message["subtype"] = "channel_join"
            message["text"] = f"<@{user}> has joined the channel"
        elif kind == 2:
            message["files"] = [{"name": f"graph-{n}.png", "title": "error graph"}]
        else:
            message["text"] = (
                f"<@{users[n % 200]['id']}> the deploy <https://ci.example.com/{n}|#{n}> "
                f"looks bad, rolling back &amp; watching <#{channels[n % 10]['id']}|{channel}>"
            )
            if kind == 5 and n > 40:
                message["thread_ts"] = f"{start + (n - 40) * 50:.6f}"
        days.setdefault((channel, day), []).append(message)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps(channels))
        for (channel, day), items in days.items():
            archive.writestr(f"{channel}/{day}.json", json.dumps(items, indent=1))
    return buffer.getvalue()


def upload_and_preview(client: Client, slug: str, raw: bytes) -> int:
    response = client.post(
        f"/reviews/{slug}/timeline/import/",
        {"file_format": "slack", "upload": SimpleUploadedFile("export.zip", raw)},
    )
    assert response.status_code == 302, response.status_code
    preview = client.get(response.url)
    assert preview.status_code == 200
    # One message in twenty is a join: 47,500 rows, 2,500 skipped.
    assert "47500 row" in preview.content.decode() or "47,500 row" in preview.content.decode()
    return len(preview.content)


def run() -> None:
    corpus("tuned on", REAL)
    corpus("held out", REAL / "heldout")

    print("\n### 50,000 messages")
    raw = big_export(50_000)
    line("export", f"{len(raw) / 1048576:.1f} MB zipped")
    review = ReviewFactory(time_zone="UTC")
    client = Client()
    client.force_login(review.facilitator)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    size = upload_and_preview(client, review.slug, raw)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line("upload, read and store, then the preview's first page", f"{took:.1f} s (target < 10 s)")
    line("preview page", f"{size / 1024:.0f} KiB")
    line("process peak RSS", f"{after:.0f} MB (before the upload {before:.0f} MB)")
    tracemalloc.start()
    upload_and_preview(client, review.slug, raw)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    line(
        "peak Python memory of one upload and preview", f"{peak / 1048576:.0f} MB (target < 300 MB)"
    )
