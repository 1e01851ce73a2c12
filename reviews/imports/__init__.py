"""Timeline imports (CSV, JSON Lines, Slack exports, chat and log lines), pull-request answers
and the times written in accounts.

Parsing never writes. `parse_timeline` returns the rows it understood, the rows it skipped by
reason, and an error per row that stops the import; `timeline_import_apply` writes all rows or
none, and skips rows that an earlier import of the same export already added.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from reviews.imports.account_times import Candidate, time_candidates
from reviews.imports.apply import (
    AlreadyImported,
    ApplyResult,
    timeline_import_apply,
    timeline_import_confirm,
    timeline_import_set_kinds,
)
from reviews.imports.common import (
    MAX_BYTES,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportRefused,
    ParsedRow,
    ParseResult,
    decode,
    parse_time,
    review_zone,
)
from reviews.imports.lines import parse_lines
from reviews.imports.pull_requests import PullRequestAnswer, parse_pull_request
from reviews.imports.slack import parse_slack_export
from reviews.imports.tables import parse_csv, parse_jsonl, parse_records
from reviews.models import ImportFormat, Review

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "AlreadyImported",
    "ApplyResult",
    "Candidate",
    "ImportRefused",
    "ParseResult",
    "ParsedRow",
    "PullRequestAnswer",
    "decode",
    "default_day",
    "parse_pull_request",
    "parse_records",
    "parse_time",
    "parse_timeline",
    "result_from_stored",
    "result_to_stored",
    "review_zone",
    "time_candidates",
    "timeline_import_apply",
    "timeline_import_confirm",
    "timeline_import_set_kinds",
]

Uploads = Sequence[tuple[str, bytes]]


def default_day(review: Review) -> dt.date | None:
    """The date that lines with only a time start on: the event's first day."""
    moment = review.event_started_at or review.event_detected_at
    return moment.astimezone(review_zone(review)).date() if moment else None


def parse_timeline(
    review: Review,
    file_format: str,
    raw: bytes | Uploads,
    users_raw: bytes = b"",
    *,
    day: dt.date | None = None,
) -> ParseResult:
    """Read an upload in the announced format. `raw` is one file's bytes or (name, bytes) for
    each file sent (Slack: a zip, or day files with users.json and channels.json)."""
    uploads: list[tuple[str, bytes]] = (
        [("The file", raw)] if isinstance(raw, bytes | bytearray) else list(raw)
    )
    zone = review_zone(review)
    if file_format == ImportFormat.SLACK:
        return parse_slack_export(uploads, zone, users_raw)
    if len(uploads) != 1:
        raise ImportRefused("Upload one file in this format (several files are for Slack).")
    name, data = uploads[0]
    text = decode(data)
    if file_format == ImportFormat.CSV:
        return parse_csv(text, zone)
    if file_format == ImportFormat.JSONL:
        return parse_jsonl(text, zone)
    if file_format == ImportFormat.LINES:
        shown = name if name not in ("The file", "") else "pasted lines"
        return parse_lines(text, zone, day=day or default_day(review), name=shown)
    raise ImportRefused(f"Unknown format '{file_format}' (csv, jsonl, slack or lines).")


def result_to_stored(result: ParseResult) -> dict[str, Any]:
    """What a pending import keeps between its preview and its confirmation."""
    return {
        "rows": [row.as_stored() for row in result.rows],
        "errors": [[line, message] for line, message in result.errors],
        "skipped": dict(result.skipped),
        "notes": list(result.notes),
    }


def result_from_stored(
    rows: list[dict[str, Any]],
    errors: list[Any] | None = None,
    skipped: dict[str, int] | None = None,
    notes: list[str] | None = None,
) -> ParseResult:
    return ParseResult(
        rows=[
            ParsedRow(
                line=row["line"],
                occurred_at=dt.datetime.fromisoformat(row["at"]),
                description=row["text"],
                kind=row["kind"],
                source=row["source"],
                source_ref=row["ref"],
                identity=row.get("id", ""),
            )
            for row in rows
        ],
        errors=[(line, message) for line, message in errors or []],
        skipped=Counter(skipped or {}),
        notes=list(notes or []),
    )
