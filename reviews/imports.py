"""Timeline imports: CSV, JSON Lines and Slack channel exports.

Parsing never writes. `parse_timeline` returns the rows it understood and an error per row it
did not, each with its line; `timeline_import_apply` writes all rows or none, and skips rows
that an earlier import of the same file already added.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from aar_project.dates import in_range
from reviews.models import (
    EntryKind,
    EntrySource,
    ImportFormat,
    Review,
    TimelineEntry,
    TimelineImport,
)
from reviews.versions import bump_review_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

TIME_KEYS = ("time", "timestamp", "occurred_at", "when", "datetime", "date")
DESCRIPTION_KEYS = ("description", "event", "text", "what", "message")
KIND_KEYS = ("kind", "type", "category")
SOURCE_KEYS = ("source",)
REF_KEYS = ("source_ref", "reference", "ref", "link", "url")
SLACK_SKIPPED = {
    "channel_join",
    "channel_leave",
    "group_join",
    "group_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "bot_add",
    "bot_remove",
    "pinned_item",
}
NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


class ImportRefused(Exception):
    """The whole file is refused (too big, not text, not the announced format)."""


@dataclass
class ParsedRow:
    line: int
    occurred_at: dt.datetime
    description: str
    kind: str = EntryKind.OTHER
    source: str = ""
    source_ref: str = ""

    @property
    def key(self) -> str:
        digest = hashlib.sha256(
            f"{self.occurred_at.isoformat()}|{self.description}|{self.source_ref}".encode()
        )
        return digest.hexdigest()[:40]


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(raw: bytes, what: str = "The file") -> str:
    if len(raw) > MAX_BYTES:
        raise ImportRefused(f"{what} is {len(raw) / 1048576:.1f} MB; the limit is 5 MB.")
    if b"\x00" in raw[:8192]:
        raise ImportRefused(f"{what} is binary, not text.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{what} is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8."
        ) from exc


def review_zone(review: Review) -> ZoneInfo:
    try:
        return ZoneInfo(review.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


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
    try:
        in_utc = moment.astimezone(dt.UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not in_range(in_utc):
        raise ValueError(f"'{text[:40]}' is outside 1970–2200")
    return moment


def _pick(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in record and record[key] not in (None, ""):
            return record[key]
    return None


def _kind(value: Any) -> str:
    if value in (None, ""):
        return EntryKind.OTHER
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {
        "acknowledgement": "acknowledgment",
        "ack": "acknowledgment",
        "severity": "severity_assessed",
    }
    text = aliases.get(text, text)
    if text not in EntryKind.values:
        raise ValueError(f"unknown kind '{value}' (one of: {', '.join(EntryKind.values)})")
    return text


def _source(value: Any, default: str) -> str:
    if value in (None, ""):
        return default
    text = str(value).strip().lower()
    if text not in EntrySource.values:
        raise ValueError(f"unknown source '{value}' (one of: {', '.join(EntrySource.values)})")
    return text


def _record_row(
    record: dict[str, Any], line: int, zone: ZoneInfo, result: ParseResult, default_source: str
) -> None:
    record = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    try:
        occurred_at = parse_time(_pick(record, TIME_KEYS), zone)
        description = str(_pick(record, DESCRIPTION_KEYS) or "").strip()
        if not description:
            raise ValueError("the description is missing")
        row = ParsedRow(
            line=line,
            occurred_at=occurred_at,
            description=description[:5000],
            kind=_kind(_pick(record, KIND_KEYS)),
            source=_source(_pick(record, SOURCE_KEYS), default_source),
            source_ref=str(_pick(record, REF_KEYS) or "")[:500],
        )
    except ValueError as exc:
        result.errors.append((line, str(exc)))
        return
    result.rows.append(row)


def _too_many(count: int) -> None:
    if count > MAX_ROWS:
        raise ImportRefused(f"The file has {count:,} rows; the limit is {MAX_ROWS:,}.")


def parse_csv(text: str, zone: ZoneInfo) -> ParseResult:
    result = ParseResult()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [
        name
        for name, keys in (("time", TIME_KEYS), ("description", DESCRIPTION_KEYS))
        if not any(k in header for k in keys)
    ]
    if missing:
        raise ImportRefused(
            "The first row must name the columns; missing: "
            + ", ".join(missing)
            + f" (found: {', '.join(header) or 'nothing'})."
        )
    count = 0
    try:
        for record in reader:
            count += 1
            _too_many(count)
            if None in record:
                result.errors.append((reader.line_num, "the row has more cells than the header"))
                continue
            _record_row(record, reader.line_num, zone, result, EntrySource.LOG)
    except csv.Error as exc:
        raise ImportRefused(f"Line {reader.line_num}: the CSV cannot be read ({exc}).") from exc
    return result


def parse_jsonl(text: str, zone: ZoneInfo) -> ParseResult:
    result = ParseResult()
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    _too_many(len(lines))
    for number, line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.errors.append((number, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(record, dict):
            result.errors.append((number, "each line must be a JSON object"))
            continue
        _record_row(record, number, zone, result, EntrySource.LOG)
    return result


def slack_names(users_text: str) -> dict[str, str]:
    """Slack's users.json: a list of users with `id` and `real_name` or `profile.real_name`."""
    try:
        users = json.loads(users_text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"users.json is not valid JSON ({exc.msg}, line {exc.lineno})."
        ) from exc
    if not isinstance(users, list):
        raise ImportRefused("users.json must be a JSON array of users.")
    names = {}
    for user in users:
        if isinstance(user, dict) and user.get("id"):
            profile = user.get("profile")
            profile = profile if isinstance(profile, dict) else {}
            names[str(user["id"])] = str(
                user.get("real_name") or profile.get("real_name") or user.get("name") or user["id"]
            )
    return names


_SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)>")


def parse_slack(text: str, zone: ZoneInfo, users_text: str = "") -> ParseResult:
    del zone  # Slack times are epoch seconds: they carry their own zone (UTC)
    result = ParseResult()
    try:
        messages = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"Not valid JSON ({exc.msg}, line {exc.lineno}).") from exc
    if not isinstance(messages, list):
        raise ImportRefused("A Slack channel export is a JSON array of messages.")
    _too_many(len(messages))
    names = slack_names(users_text) if users_text.strip() else {}
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            result.errors.append((number, "each message must be a JSON object"))
            continue
        if message.get("subtype") in SLACK_SKIPPED:
            continue
        try:
            seconds = float(str(message.get("ts", "")))
        except ValueError:
            result.errors.append(
                (number, f"message {number}: 'ts' must be epoch seconds, not {message.get('ts')!r}")
            )
            continue
        body = str(message.get("text") or "").strip()
        if not body:
            continue  # an empty message (a file share, a reaction) says nothing to the timeline
        profile = message.get("user_profile")
        profile = profile if isinstance(profile, dict) else {}
        user_id = str(message.get("user") or "")
        who = profile.get("real_name") or names.get(user_id) or user_id or "someone"
        body = _SLACK_MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), body)
        result.rows.append(
            ParsedRow(
                line=number,
                occurred_at=dt.datetime.fromtimestamp(seconds, tz=dt.UTC),
                description=f"{who}: {body}"[:5000],
                kind=EntryKind.OTHER,
                source=EntrySource.CHAT,
                source_ref=f"slack ts={message.get('ts')}",
            )
        )
    return result


def parse_timeline(
    review: Review, file_format: str, raw: bytes, users_raw: bytes = b""
) -> ParseResult:
    text = decode(raw)
    zone = review_zone(review)
    if file_format == ImportFormat.CSV:
        return parse_csv(text, zone)
    if file_format == ImportFormat.JSONL:
        return parse_jsonl(text, zone)
    if file_format == ImportFormat.SLACK:
        return parse_slack(text, zone, decode(users_raw, "users.json") if users_raw else "")
    raise ImportRefused(f"Unknown format '{file_format}' (csv, jsonl or slack).")


@dataclass
class ApplyResult:
    added: int
    skipped: int


@transaction.atomic
def timeline_import_apply(
    *, review: Review, result: ParseResult, actor: User | None
) -> ApplyResult:
    """Write every row, or none if any row has an error; rows imported before are skipped."""
    if result.errors:
        raise ImportRefused(f"{len(result.errors)} row(s) have errors; nothing was imported.")
    keys = {row.key for row in result.rows}
    existing = set(
        TimelineEntry.objects.filter(review=review, import_key__in=keys).values_list(
            "import_key", flat=True
        )
    )
    seen: set[str] = set()
    new = []
    for row in result.rows:
        if row.key in existing or row.key in seen:
            continue
        seen.add(row.key)
        new.append(
            TimelineEntry(
                review=review,
                occurred_at=row.occurred_at,
                kind=row.kind,
                description=row.description,
                source=row.source,
                source_ref=row.source_ref,
                import_key=row.key,
                created_by=actor,
            )
        )
    # A row another confirm wrote a moment ago is skipped by the unique (review, import_key).
    made = TimelineEntry.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if made:
        bump_review_version(review.pk)
    return ApplyResult(added=len(new), skipped=len(result.rows) - len(new))


class AlreadyImported(Exception):
    """This upload was confirmed before (a second click, another tab)."""


@transaction.atomic
def timeline_import_confirm(
    *, pending: TimelineImport, result: ParseResult, actor: User | None
) -> ApplyResult:
    """Apply an uploaded file once: the first confirm claims it, any other is AlreadyImported."""
    claimed = TimelineImport.objects.filter(pk=pending.pk, applied_at__isnull=True).update(
        applied_at=timezone.now()
    )
    if not claimed:
        raise AlreadyImported("This file was imported already.")
    outcome = timeline_import_apply(review=pending.review, result=result, actor=actor)
    TimelineImport.objects.filter(pk=pending.pk).update(
        added=outcome.added, skipped=outcome.skipped, content=""
    )
    return outcome


# --- Times written in accounts ----------------------------------------------------------

_TIME_IN_TEXT = re.compile(
    r"\b(?:at|around|about|by|until|from|since)?\s*(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))\s*(?P<ap>[ap]\.?m\.?)?"
    r"|\b(?:at|around|about|by)\s+(?P<h2>1[0-2]|0?[1-9])\s*(?P<ap2>[ap]\.?m\.?)",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    occurred_at: dt.datetime
    passage: str
    said: str


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_IN_TEXT = re.compile(
    r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b"
    rf"|\b(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<mo2>{_MONTH})\.?(?:,?\s+(?P<y2>\d{{4}}))?\b"
    rf"|\b(?P<mo3>{_MONTH})\.?\s+(?P<d3>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y3>\d{{4}}))?",
    re.IGNORECASE,
)


def _written_date(sentence: str, near: int, anchor: dt.date) -> dt.date | None:
    """The date written in the sentence nearest to position `near` ('on 1 February',
    'Feb 1st, 2017', '2017-02-01'); a date without a year takes the one nearest the event."""
    best: tuple[int, dt.date] | None = None
    for match in _DATE_IN_TEXT.finditer(sentence):
        year = match.group("y") or match.group("y2") or match.group("y3")
        month = match.group("mo") or match.group("mo2") or match.group("mo3")
        day = int(match.group("d") or match.group("d2") or match.group("d3"))
        number = int(month) if month.isdigit() else _MONTHS[month.lower()]
        years = [int(year)] if year else [anchor.year - 1, anchor.year, anchor.year + 1]
        dates = []
        for y in years:
            try:
                dates.append(dt.date(y, number, day))
            except ValueError:
                continue
        if not dates:
            continue
        date = min(dates, key=lambda d: abs((d - anchor).days))
        distance = min(abs(match.start() - near), abs(match.end() - near))
        if best is None or distance < best[0]:
            best = (distance, date)
    return best[1] if best else None


def _day_of(review: Review, zone: ZoneInfo, at: dt.time, anchor: dt.datetime) -> dt.datetime:
    """A time of day written without a date, placed on the day that puts it inside the
    event (from its start to its end), nearest the anchor if several do; with no end known,
    or none inside, the one nearest the event. An incident that crosses midnight puts
    '00:36' on its second day."""
    start = review.event_started_at or anchor
    end = review.event_ended_at
    first = min(start, anchor).astimezone(zone).date()
    last = max(end or anchor, anchor).astimezone(zone).date()
    options = [
        dt.datetime.combine(first + dt.timedelta(days=k), at, tzinfo=zone)
        for k in range(-1, (last - first).days + 2)
    ]

    def outside(moment: dt.datetime) -> float:
        if moment < start:
            return (start - moment).total_seconds()
        if end is not None and moment > end:
            return (moment - end).total_seconds()
        return 0.0

    if end is not None:
        return min(options, key=lambda o: (outside(o), abs((o - anchor).total_seconds())))
    return min(options, key=lambda o: abs((o - anchor).total_seconds()))


def time_candidates(review: Review, text: str) -> list[Candidate]:
    """Times written in an account ('at 14:32', 'around 2:30 pm'), each on the date written
    beside it or else on the day that falls inside the event."""
    anchor = review.t0 or review.event_started_at
    if anchor is None:
        return []
    zone = review_zone(review)
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        for match in _TIME_IN_TEXT.finditer(sentence):
            hour = int(match.group("h") or match.group("h2"))
            minute = int(match.group("m") or 0)
            suffix = (match.group("ap") or match.group("ap2") or "").lower().replace(".", "")
            if suffix == "pm" and hour < 12:
                hour += 12
            elif suffix == "am" and hour == 12:
                hour = 0
            at = dt.time(hour, minute)
            written = _written_date(sentence, match.start(), anchor.astimezone(zone).date())
            moment = (
                dt.datetime.combine(written, at, tzinfo=zone)
                if written
                else _day_of(review, zone, at, anchor)
            )
            found.append(
                Candidate(
                    occurred_at=moment, passage=sentence.strip()[:500], said=match.group(0).strip()
                )
            )
    return found
