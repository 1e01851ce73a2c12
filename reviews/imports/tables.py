"""CSV and JSON Lines: one timeline row per record, with a time and a description.

A row that cannot be read stops the import (the file is the facilitator's own table: fix it
and upload it again); every such row is listed with its line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from reviews.imports.common import (
    DESCRIPTION_LENGTH,
    ImportRefused,
    ParsedRow,
    ParseResult,
    parse_time,
    too_many,
)
from reviews.models import EntryKind, EntrySource

TIME_KEYS = ("time", "timestamp", "occurred_at", "when", "datetime", "date")
DESCRIPTION_KEYS = ("description", "event", "text", "what", "message")
KIND_KEYS = ("kind", "type", "category")
SOURCE_KEYS = ("source",)
REF_KEYS = ("source_ref", "reference", "ref", "link", "url")


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
            description=description[:DESCRIPTION_LENGTH],
            kind=_kind(_pick(record, KIND_KEYS)),
            source=_source(_pick(record, SOURCE_KEYS), default_source),
            source_ref=str(_pick(record, REF_KEYS) or "")[:500],
        )
    except ValueError as exc:
        result.errors.append((line, str(exc)))
        return
    result.rows.append(row)


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
            too_many(count)
            if None in record:
                result.errors.append((reader.line_num, "the row has more cells than the header"))
                continue
            _record_row(record, reader.line_num, zone, result, EntrySource.LOG)
    except csv.Error as exc:
        raise ImportRefused(f"Line {reader.line_num}: the CSV cannot be read ({exc}).") from exc
    return result


def _object_row(
    record: Any, line: int, zone: ZoneInfo, result: ParseResult, default_source: str, what: str
) -> None:
    if not isinstance(record, dict):
        result.errors.append((line, f"each {what} must be a JSON object"))
        return
    _record_row(record, line, zone, result, default_source)


def parse_jsonl(text: str, zone: ZoneInfo) -> ParseResult:
    result = ParseResult()
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    too_many(len(lines))
    for number, line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.errors.append((number, f"not valid JSON ({exc.msg})"))
            continue
        _object_row(record, number, zone, result, EntrySource.LOG, "line")
    return result


def parse_records(
    records: Sequence[Any], zone: ZoneInfo, default_source: str = EntrySource.LOG
) -> ParseResult:
    """Records already read from JSON (the API's entries), each checked as a JSON Lines row;
    an error names the record by its index from 0."""
    result = ParseResult()
    too_many(len(records))
    for index, record in enumerate(records):
        _object_row(record, index, zone, result, default_source, "entry")
    return result
