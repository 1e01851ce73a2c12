"""Slack exports as they come: a workspace export's zip, a channel's folder of day files, or
one day file; with `users.json` and `channels.json` for names when they are there.

Every message that says something becomes a row: its text with Slack's markup made plain
(links as 'label (url)', people and channels by name, '@channel', entities decoded), what
bots and integrations post in attachments and blocks, the files shared. A thread reply says
whose message it answers. Joins, topic changes and deleted-message placeholders are skipped
and counted, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from reviews.imports.common import (
    DESCRIPTION_LENGTH,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ImportRefused,
    ParsedRow,
    ParseResult,
    decode,
    one_line,
)
from reviews.imports.kinds import is_alerting, suggested_kind
from reviews.models import EntrySource


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# A day file may be large in a busy channel; the whole export is bounded by MAX_UNPACKED_BYTES.
MAX_DAY_FILE_BYTES = 50 * 1024 * 1024

SKIPPED_SUBTYPES = {
    "channel_join": "joins and leaves",
    "channel_leave": "joins and leaves",
    "group_join": "joins and leaves",
    "group_leave": "joins and leaves",
    "channel_topic": "topic, purpose and name changes",
    "channel_purpose": "topic, purpose and name changes",
    "channel_name": "topic, purpose and name changes",
    "group_topic": "topic, purpose and name changes",
    "group_purpose": "topic, purpose and name changes",
    "group_name": "topic, purpose and name changes",
    "channel_archive": "channel events (archive, pins, apps added)",
    "channel_unarchive": "channel events (archive, pins, apps added)",
    "group_archive": "channel events (archive, pins, apps added)",
    "group_unarchive": "channel events (archive, pins, apps added)",
    "pinned_item": "channel events (archive, pins, apps added)",
    "unpinned_item": "channel events (archive, pins, apps added)",
    "bot_add": "channel events (archive, pins, apps added)",
    "bot_remove": "channel events (archive, pins, apps added)",
    "channel_convert_to_private": "channel events (archive, pins, apps added)",
    "reminder_add": "channel events (archive, pins, apps added)",
    "message_replied": "thread notices (the replies themselves are kept)",
}
DELETED = "deleted messages"
NO_TIME = "messages without a time (ts)"
EMPTY = "messages with nothing in them"
DELETED_MESSAGE_TEXT = "This message was deleted."

META_FILES = {
    "users.json",
    "org_users.json",
    "channels.json",
    "groups.json",
    "mpims.json",
    "dms.json",
    "integration_logs.json",
    "canvases.json",
    "huddle_transcripts.json",
    "lists.json",
    "file_conversations.json",
}
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


@dataclass
class Names:
    """Who and what the ids of an export stand for."""

    users: dict[str, str] = field(default_factory=dict)
    bots: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    unknown_users: set[str] = field(default_factory=set)

    def user(self, user_id: str) -> str:
        if user_id in self.users:
            return self.users[user_id]
        if user_id == "USLACKBOT":
            return "Slackbot"
        self.unknown_users.add(user_id)
        return user_id

    def channel(self, channel_id: str) -> str:
        return self.channels.get(channel_id, channel_id)


def read_users(text: str, names: Names) -> None:
    try:
        users = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"users.json is not valid JSON ({exc.msg}, line {exc.lineno})."
        ) from exc
    if not isinstance(users, list):
        raise ImportRefused("users.json must be a JSON array of users.")
    for user in users:
        if not isinstance(user, dict) or not user.get("id"):
            continue
        profile = _dict(user.get("profile"))
        name = str(
            user.get("real_name")
            or profile.get("real_name")
            or profile.get("display_name")
            or user.get("name")
            or user["id"]
        )
        names.users[str(user["id"])] = name
        if profile.get("bot_id"):
            names.bots[str(profile["bot_id"])] = name


def read_channels(text: str, names: Names, what: str) -> None:
    try:
        channels = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"{what} is not valid JSON ({exc.msg}, line {exc.lineno}).") from exc
    if not isinstance(channels, list):
        raise ImportRefused(f"{what} must be a JSON array of channels.")
    for channel in channels:
        if isinstance(channel, dict) and channel.get("id") and channel.get("name"):
            names.channels[str(channel["id"])] = str(channel["name"])


# --- Markup ------------------------------------------------------------------------------

_ANGLE = re.compile(r"<([^<>\n]+)>")
_EMPHASIS = re.compile(r"(?<![\w*_~`])([*_~`])(?=\S)(.+?)(?<=\S)\1(?![\w*_~`])")


def _plain_link(url: str, label: str) -> str:
    if url.startswith("mailto:"):
        return label or url.removeprefix("mailto:")
    bare = url.split("://", 1)[-1].rstrip("/")
    if not label or label in (url, bare) or label.rstrip("/") == bare:
        return url
    return f"{label} ({url})"


def plain(text: str, names: Names) -> str:
    """Slack's message markup as plain text: '<https://x|label>' reads 'label (https://x)',
    '<@U1>' the person's name, '<#C1|ops>' '#ops', '<!channel>' '@channel'; '&gt;' '&lt;'
    '&amp;' are decoded last, so a literal '<' written by someone never turns into markup."""

    def one(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            if label:  # an older export's '<@U1|alice>': the name, for the blocks too
                names.users.setdefault(target[1:], label.lstrip("@"))
            return "@" + (label.lstrip("@") or names.user(target[1:]))
        if target.startswith("#"):
            if label:
                names.channels.setdefault(target[1:], label)
            return "#" + (label or names.channel(target[1:]))
        if target.startswith("!"):
            command = target[1:]
            if command in ("channel", "here", "everyone"):
                return "@" + command
            if command.startswith("subteam^"):
                return label or "@" + command.split("^", 1)[1]
            if command.startswith("date^"):
                return label or command
            return label or "@" + command
        if "://" in target or target.startswith("mailto:"):
            return _plain_link(target, label)
        return match.group(0)

    text = _ANGLE.sub(one, text)
    for _ in range(3):  # *_bold italic_* has two layers
        text = _EMPHASIS.sub(r"\2", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _inline(element: dict[str, Any], names: Names) -> str:
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "link":
        return _plain_link(str(element.get("url") or ""), str(element.get("text") or ""))
    if kind == "user":
        return "@" + names.user(str(element.get("user_id") or ""))
    if kind == "channel":
        return "#" + names.channel(str(element.get("channel_id") or ""))
    if kind == "usergroup":
        return "@" + str(element.get("usergroup_id") or "group")
    if kind == "broadcast":
        return "@" + str(element.get("range") or "channel")
    if kind == "emoji":
        code = str(element.get("unicode") or "")
        try:
            return "".join(chr(int(part, 16)) for part in code.split("-")) if code else ""
        except ValueError:
            pass
        return f":{element.get('name', '')}:"
    if kind == "date":
        return str(element.get("fallback") or element.get("timestamp") or "")
    if kind == "color":
        return str(element.get("value") or "")
    return str(element.get("text") or "")


def _rich_text(elements: Any, names: Names) -> str:
    lines = []
    for part in elements if isinstance(elements, list) else []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        inner = part.get("elements")
        if kind == "rich_text_list":
            for item in inner if isinstance(inner, list) else []:
                if isinstance(item, dict):
                    lines.append("• " + _rich_text([item], names))
        elif kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
            lines.append("".join(_inline(e, names) for e in inner or [] if isinstance(e, dict)))
    return "\n".join(line for line in lines if line.strip())


def _text_object(value: Any, names: Names) -> str:
    if not isinstance(value, dict):
        return ""
    text = str(value.get("text") or "")
    return plain(text, names) if value.get("type") == "mrkdwn" else text


def block_texts(blocks: Any, names: Names) -> list[str]:
    """What a message's blocks say, one piece per block (buttons, dividers and images say
    nothing to a timeline)."""
    pieces = []
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "rich_text":
            pieces.append(_rich_text(block.get("elements"), names))
        elif kind in ("section", "header"):
            parts = [_text_object(block.get("text"), names)]
            parts += [_text_object(f, names) for f in block.get("fields") or []]
            pieces.append("\n".join(p for p in parts if p))
        elif kind == "context":
            parts = [_text_object(e, names) for e in block.get("elements") or []]
            pieces.append(" ".join(p for p in parts if p))
        elif kind == "table":
            rows = []
            for row in block.get("rows") or []:
                cells = [
                    _rich_text(c.get("elements"), names) if isinstance(c, dict) else ""
                    for c in (row if isinstance(row, list) else [])
                ]
                rows.append(" | ".join(cells))
            pieces.append("\n".join(rows))
    return [piece for piece in pieces if piece.strip()]


def attachment_texts(attachments: Any, names: Names) -> list[str]:
    """What bots and integrations post in attachments: pretext, title (with its link), text
    and fields; the fallback only when the rest is empty. A link preview (an unfurl of a
    link already in the message) adds nothing."""
    pieces = []
    for item in attachments if isinstance(attachments, list) else []:
        if not isinstance(item, dict) or item.get("from_url") or item.get("is_app_unfurl"):
            continue
        parts = []
        if item.get("pretext"):
            parts.append(plain(str(item["pretext"]), names))
        if item.get("author_name") and not item.get("title"):
            parts.append(str(item["author_name"]))
        if item.get("title"):
            title = plain(str(item["title"]), names)
            link = str(item.get("title_link") or "")
            parts.append(_plain_link(link, title) if link else title)
        if item.get("text"):
            parts.append(plain(str(item["text"]), names))
        for entry in item.get("fields") or []:
            if isinstance(entry, dict) and (entry.get("title") or entry.get("value")):
                label = plain(str(entry.get("title") or ""), names)
                value = plain(str(entry.get("value") or ""), names)
                parts.append(f"{label}: {value}" if label and value else label or value)
        parts += block_texts(item.get("blocks"), names)
        if not parts and item.get("fallback"):
            parts.append(plain(str(item["fallback"]), names))
        if parts:
            pieces.append("\n".join(parts))
    return pieces


def file_texts(message: dict[str, Any]) -> list[str]:
    files = message.get("files")
    files = files if isinstance(files, list) else []
    if isinstance(message.get("file"), dict):
        files = [*files, message["file"]]
    pieces = []
    for item in files:
        if not isinstance(item, dict):
            continue
        if item.get("mode") == "tombstone":
            pieces.append("shared a file that was deleted since")
            continue
        title = str(item.get("title") or "").strip()
        name = str(item.get("name") or "").strip()
        shown = title or name or "a file"
        if name and title and name != title:
            shown = f"{title} ({name})"
        pieces.append(f"shared a file: {shown}")
    return pieces


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _joined(pieces: Iterable[str]) -> str:
    """The pieces of a message, leaving out any piece that an earlier one already says (a
    user's rich-text block repeats the message's text; a bot's blocks carry what its
    notification text only sums up)."""
    kept: list[str] = []
    seen = ""
    for piece in pieces:
        squashed = _squashed(piece)
        if not squashed or squashed in seen:
            continue
        kept.append(piece.strip())
        seen += "\x00" + squashed
    return "\n".join(kept)


# --- Messages ----------------------------------------------------------------------------


@dataclass
class Channel:
    name: str
    # ts → (who, when) of the messages read so far, for the replies that answer them
    said: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)
    # ts → the row made from it, so an edit replaces it and a deletion removes it
    rows: dict[str, ParsedRow] = field(default_factory=dict)


def _who(message: dict[str, Any], names: Names) -> tuple[str, bool]:
    """The author's name and whether a bot or an integration posted it."""
    if message.get("subtype") == "file_comment" and isinstance(message.get("comment"), dict):
        return names.user(str(message["comment"].get("user") or "")), False
    bot_id = str(message.get("bot_id") or "")
    is_bot = message.get("subtype") == "bot_message" or bool(bot_id)
    profile = _dict(message.get("user_profile"))
    user_id = str(message.get("user") or "")
    if profile.get("real_name") or profile.get("display_name"):
        return str(profile.get("real_name") or profile.get("display_name")), is_bot
    if is_bot:
        bot = _dict(message.get("bot_profile"))
        name = message.get("username") or bot.get("name") or names.bots.get(bot_id)
        if name:
            return str(name), True
        if user_id in names.users:
            return names.users[user_id], True
        return f"a bot ({bot_id})" if bot_id else "a bot", True
    if user_id:
        return names.user(user_id), False
    return "someone", False


def _moment(value: Any) -> dt.datetime | None:
    try:
        seconds = float(str(value))
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return moment if 1970 <= moment.year <= 2200 else None


class SlackReader:
    """Reads the day files of one export into one result, in order."""

    def __init__(self, zone: ZoneInfo, names: Names) -> None:
        self.zone = zone
        self.names = names
        self.result = ParseResult()
        self.channels: dict[str, Channel] = {}
        self.messages = 0

    def read_day_file(self, path: str, raw: bytes) -> None:
        try:
            text = decode(raw, path, limit=MAX_DAY_FILE_BYTES)
            messages = json.loads(text)
        except ImportRefused as exc:
            self.result.note(f"{exc} It was left out.")
            return
        except json.JSONDecodeError as exc:
            self.result.note(
                f"{path} is not valid JSON ({exc.msg}, line {exc.lineno}); it was left out."
            )
            return
        if isinstance(messages, dict) and "ts" in messages:
            messages = [messages]  # one message object, as an API answer holds it
        if not isinstance(messages, list):
            self.result.note(f"{path} is not a list of messages; it was left out.")
            return
        self.messages += len(messages)
        if self.messages > MAX_ROWS:
            raise ImportRefused(
                f"The export holds more than {MAX_ROWS:,} messages; the limit is {MAX_ROWS:,}. "
                "Export the channels and days of the event only, and import that."
            )
        folder = PurePosixPath(path).parent.name
        channel = self.channels.setdefault(folder, Channel(name=self.names.channel(folder)))
        for number, message in enumerate(messages, start=1):
            self.read_message(channel, f"{path} #{number}", message)

    def read_message(self, channel: Channel, where: str, message: Any) -> None:
        result = self.result
        if not isinstance(message, dict):
            result.skip("entries that are not messages")
            result.note(f"{where} is not a message object; it was left out.")
            return
        subtype = str(message.get("subtype") or "")
        if subtype in SKIPPED_SUBTYPES:
            result.skip(SKIPPED_SUBTYPES[subtype])
            return
        if subtype == "message_deleted":
            channel.rows.pop(str(message.get("deleted_ts") or ""), None)
            result.skip(DELETED)
            return
        if subtype == "message_changed" and isinstance(message.get("message"), dict):
            message = {**message["message"], "channel_edit": True}
            subtype = str(message.get("subtype") or "")
        if subtype == "tombstone" or (
            message.get("hidden") and str(message.get("text")) == DELETED_MESSAGE_TEXT
        ):
            result.skip(DELETED)
            return
        ts = str(message.get("ts") or "")
        moment = _moment(ts)
        if moment is None:
            result.skip(NO_TIME)
            result.note(
                f"{where} has no readable time ('ts': {message.get('ts')!r}); it was left out."
            )
            return
        who, is_bot = _who(message, self.names)
        pieces = [plain(str(message.get("text") or ""), self.names)]
        pieces += block_texts(message.get("blocks"), self.names)
        pieces += attachment_texts(message.get("attachments"), self.names)
        files = file_texts(message)
        text = one_line(_joined(pieces))
        shared = [f for f in files if _squashed(f.split(": ", 1)[-1]) not in _squashed(text)]
        if shared:
            text = one_line("\n".join([text, *shared]) if text else "\n".join(shared))
        if not text:
            result.skip(EMPTY)
            return
        thread = str(message.get("thread_ts") or "")
        if thread and thread != ts:
            asked = channel.said.get(thread)
            if asked:
                when = asked[1].astimezone(self.zone)
                who_line = f"{who} (reply to {asked[0]}, {when:%H:%M})"
            else:
                started = _moment(thread)
                at = f" at {started.astimezone(self.zone):%H:%M}" if started else ""
                who_line = f"{who} (reply in a thread started{at})"
        else:
            who_line = who
        channel.said[ts] = (who, moment)
        place = f"Slack #{channel.name}" if channel.name else "Slack"
        row = ParsedRow(
            line=where,
            occurred_at=moment,
            description=f"{who_line}: {text}"[:DESCRIPTION_LENGTH],
            kind=suggested_kind(text, from_bot=is_bot or is_alerting(who)),
            source=EntrySource.CHAT,
            source_ref=(place + (", thread" if thread and thread != ts else ""))[:500],
            identity=f"slack:{channel.name}:{ts}",
        )
        channel.rows[ts] = row  # a later edit of the same message replaces it

    def finish(self) -> ParseResult:
        result = self.result
        result.rows = sorted(
            (row for channel in self.channels.values() for row in channel.rows.values()),
            key=lambda r: r.occurred_at,
        )
        unknown = sorted(self.names.unknown_users - {""})
        if unknown:
            shown = ", ".join(unknown[:8]) + (" …" if len(unknown) > 8 else "")
            one = len(unknown) == 1
            result.note(
                f"{len(unknown)} user id{'' if one else 's'} {'is' if one else 'are'} not in "
                f"users.json ({shown}); shown by the id. Add users.json for their names."
                if self.names.users
                else f"No users.json was given, so {len(unknown)} "
                f"{'person is' if one else 'people are'} shown by their Slack id ({shown}). "
                "Add users.json (it is in the export) for their names."
            )
        return result


# --- Files -------------------------------------------------------------------------------


def unpack(uploads: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """Every file of the uploads, a zip opened in place, with the unpacked total bounded (a
    zip bomb is refused from the sizes it declares, before anything is unpacked; zipfile
    itself refuses a member whose data does not match its declared size)."""
    declared = 0
    for name, raw in uploads:
        if not raw.startswith(b"PK\x03\x04"):
            yield name, raw
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            ]
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRefused(f"{name} is not a zip file that can be opened ({exc}).") from exc
        declared += sum(m.file_size for m in members)
        if declared > MAX_UNPACKED_BYTES:
            raise ImportRefused(
                f"{name} unpacks to {declared / 1048576:.0f} MB; the limit is "
                f"{MAX_UNPACKED_BYTES // 1048576} MB. Export the channels and days of the "
                "event only."
            )
        for member in sorted(members, key=lambda m: m.filename):
            if member.flag_bits & 0x1:
                raise ImportRefused(f"{name} is encrypted; export it again without a password.")
            try:
                with archive.open(member) as handle:
                    data = handle.read()
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise ImportRefused(f"{name}: {member.filename} cannot be read ({exc}).") from exc
            yield member.filename, data


def parse_slack_export(
    uploads: Iterable[tuple[str, bytes]], zone: ZoneInfo, users_raw: bytes = b""
) -> ParseResult:
    """Read a Slack export from its files: zips are opened, users.json and channels.json give
    names, each day file is a channel's messages of one day (its folder names the channel)."""
    names = Names()
    meta: list[tuple[str, bytes]] = []
    days: list[tuple[str, bytes]] = []
    others: list[str] = []
    for path, raw in unpack(uploads):
        base = PurePosixPath(path).name
        if base in META_FILES:
            meta.append((path, raw))
        elif base.endswith(".json") or raw.lstrip()[:1] in (b"[", b"{"):
            days.append((path, raw))
        else:
            others.append(path)
    if users_raw:
        meta.append(("users.json", users_raw))
    for path, raw in meta:
        base = PurePosixPath(path).name
        if base in ("users.json", "org_users.json"):
            read_users(decode(raw, path), names)
        elif base in ("channels.json", "groups.json", "mpims.json"):
            read_channels(decode(raw, path, limit=MAX_DAY_FILE_BYTES), names, path)
    if not days:
        raise ImportRefused(
            "No messages were found: a Slack export holds a folder per channel of day files "
            "such as 2017-01-31.json (upload the export's zip, or a channel's day files)."
        )
    reader = SlackReader(zone, names)
    for path, raw in sorted(days, key=lambda d: (str(PurePosixPath(d[0]).parent), d[0])):
        if not _DAY_FILE.match(PurePosixPath(path).name):
            reader.result.note(
                f"{path} is not named like a day file (2017-01-31.json); it was read as one."
            )
        reader.read_day_file(path, raw)
    del meta, days
    if reader.messages == 0 and reader.result.notes:
        raise ImportRefused(" ".join(reader.result.notes[:3]))
    if others:
        shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
        reader.result.note(f"{len(others)} file(s) that are not JSON were left out ({shown}).")
    return reader.finish()
