"""What every timeline import shares: the parsed row, the result with its errors and skips,
the limits, reading bytes as text and reading a written time."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aar_project.dates import in_range
from reviews.models import EntryKind, Review

# One file read as text (a CSV, a day file, pasted lines, users.json).
MAX_BYTES = 5 * 1024 * 1024
# An upload as sent (a zip of a workspace export) and all it holds once unpacked.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Rows (messages, lines) one import reads; more is refused with the limit named.
MAX_ROWS = 50_000
DESCRIPTION_LENGTH = 5000


class ImportRefused(Exception):
    """The whole upload is refused (too big, not text, not the announced format)."""


@dataclass
class ParsedRow:
    line: int | str
    occurred_at: dt.datetime
    description: str
    kind: str = EntryKind.OTHER
    source: str = ""
    source_ref: str = ""
    # What makes the row the same row on a second import of the same export (Slack: the
    # channel and the message's ts); the source reference when empty.
    identity: str = ""

    @property
    def key(self) -> str:
        who = self.identity or self.source_ref
        digest = hashlib.sha256(f"{self.occurred_at.isoformat()}|{self.description}|{who}".encode())
        return digest.hexdigest()[:40]

    def as_stored(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "at": self.occurred_at.isoformat(),
            "text": self.description,
            "kind": self.kind,
            "source": self.source,
            "ref": self.source_ref,
            "id": self.identity,
            "key": self.key,
        }


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    # Rows that stop the import (CSV and JSON Lines: fix the file and upload it again).
    errors: list[tuple[int | str, str]] = field(default_factory=list)
    # What was read and deliberately left out, by reason ("channel joins and leaves": 9).
    skipped: Counter[str] = field(default_factory=Counter)
    # What the facilitator should know but that does not stop the import, one sentence each
    # ("general/2017-01-31.json is not a list of messages; it was left out").
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def note(self, sentence: str) -> None:
        if len(self.notes) < 50:
            self.notes.append(sentence)
        elif len(self.notes) == 50:
            self.notes.append("More problems were found; only the first 50 are listed.")


def decode(raw: bytes, what: str = "The file", limit: int = MAX_BYTES) -> str:
    if len(raw) > limit:
        raise ImportRefused(
            f"{what} is {len(raw) / 1048576:.1f} MB; the limit is {limit // 1048576} MB."
        )
    if b"\x00" in raw[:8192]:
        raise ImportRefused(f"{what} is binary, not text.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{what} is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8."
        ) from exc


def too_many(count: int, what: str = "rows") -> None:
    if count > MAX_ROWS:
        raise ImportRefused(
            f"The import holds more than {MAX_ROWS:,} {what}; the limit is {MAX_ROWS:,}. "
            "Export a shorter period (the hours of the event) and import that."
        )


def review_zone(review: Review) -> ZoneInfo:
    try:
        return ZoneInfo(review.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def parse_time(value: Any, zone: ZoneInfo) -> dt.datetime:
    """ISO 8601 or a common 'date time' form; a time without a zone is read in `zone`."""
    if value is None or str(value).strip() == "":
        raise ValueError("the time is missing")
    text = str(value).strip()
    moment: dt.datetime | None = None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in NAIVE_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        raise ValueError(f"'{text[:40]}' is not a date and time (use 2026-03-14 14:32 or ISO 8601)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return checked(moment, text)


def checked(moment: dt.datetime, text: str) -> dt.datetime:
    try:
        in_utc = moment.astimezone(dt.UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not in_range(in_utc):
        raise ValueError(f"'{text[:40]}' is outside 1970–2200")
    return moment


def one_line(text: str) -> str:
    """Whitespace runs made single spaces, except that line breaks stay (once)."""
    lines = [" ".join(part.split()) for part in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()
