"""Chat transcripts and log lines, pasted or from a file: one row per line that starts with
a time, the lines after it that do not (a message's second line, a stack trace) joined to it.

Read: '[23:05] alice: message', '[2017-01-31 23:05:12] <alice> message', IRC logs
('22:55 <@mids> already?', with irssi's 'Log opened' and 'Day changed' lines giving the
date), ISO 8601 log lines ('2017-01-31T23:27:04Z …', '2017-01-31 23:27:04 UTC …',
'2025-08-13 01:45:01.123 PDT [123] LOG: …') and syslog ('Nov  3 09:23:38 host proc: …').
A line with only a time takes the date given once (or a date line before it), and a time
that runs backwards past midnight moves to the next day.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reviews.imports.common import (
    DESCRIPTION_LENGTH,
    ImportRefused,
    ParsedRow,
    ParseResult,
    checked,
    too_many,
)
from reviews.imports.kinds import is_alerting, suggested_kind
from reviews.models import EntrySource

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
# Zone abbreviations logs print; an unknown word after the time is part of the message.
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "MSK": 180, "IST": 330, "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480,
    "HST": -600,
}  # fmt: skip
_ZONE_WORD = "|".join(sorted(_ZONES, key=len, reverse=True))

_ISO = re.compile(
    r"^\[?(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?P<frac>[.,]\d+)?"
    rf"(?P<zone>Z|[+-]\d{{2}}:?\d{{2}}|\s+(?:{_ZONE_WORD})\b)?\]?[\s:|,-]*(?P<rest>.*)$"
)
_BRACKET_TIME = re.compile(
    r"^\[(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<ap>[AaPp][Mm])?\]\s*(?P<rest>.*)$"
)
_BARE_TIME = re.compile(r"^(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?P<rest>\S.*)$")
# Chat apps' exports: WhatsApp's '06/03/2017, 00:45 - Sample User: message' (and its
# '[06/03/2017, 00:45:12] Sample User: message'); the day and month order is read from the file.
_DMY = re.compile(
    r"^\[?(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{2}|\d{4}),?\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<ap>[AaPp]\.?[Mm]\.?)?\]?\s*(?:-\s+)?(?P<rest>.*)$"
)
_SPEAKER = re.compile(r"^(?P<who>[^:]{1,60}?):\s(?P<text>.*)$")
CHAT_NOTICES = "chat app notices (group created, encryption)"
_SYSLOG = re.compile(
    rf"^(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}})\s+(?P<time>\d{{2}}:\d{{2}}:\d{{2}})\s+(?P<rest>.*)$"
)
_LOG_OPENED = re.compile(
    rf"^---\s+Log (?:opened|closed)\s+\w+\s+(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}})\s+"
    r"[\d:]+\s+(?P<year>\d{4})"
)
_DAY_CHANGED = re.compile(
    rf"^---\s+Day changed\s+\w+\s+(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}})\s+(?P<year>\d{{4}})"
)
_NICK = re.compile(r"^<\s?[@+%&~]?(?P<nick>[^>\s]+)>\s?(?P<text>.*)$")
_NICK_COLON = re.compile(r"^(?P<nick>[A-Za-z][\w.\-]{0,31}):\s+(?P<text>\S.*)$")
_SYSTEM = re.compile(r"^(?:-!-|\*\*\*|<--|-->|--)\s")
# The client's own output: irssi's '/names' list ('[Users #ops]', '[@alice] [ bob]').
_CLIENT_LIST = re.compile(r"^(?:\[[^\]]*\]\s*)+$")

SYSTEM_LINES = "joins, parts and mode changes"
DATE_LINES = "date lines (Log opened, Day changed)"


@dataclass
class _Open:
    line: int
    at: dt.datetime
    who: str
    text: list[str]
    chat: bool


def _time_of(text: str, ap: str | None = None) -> dt.time:
    parts = [int(p) for p in text.split(":")]
    hour, minute, second = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    if ap:
        if ap.lower() == "pm" and hour < 12:
            hour += 12
        elif ap.lower() == "am" and hour == 12:
            hour = 0
    return dt.time(hour, minute, second)


def _zone_of(word: str | None, default: dt.tzinfo) -> dt.tzinfo:
    if not word:
        return default
    word = word.strip()
    if word in _ZONES:
        return dt.timezone(dt.timedelta(minutes=_ZONES[word]))
    sign = -1 if word[0] == "-" else 1
    digits = word[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _month_day(month: str, day: str, year: int) -> dt.date:
    return dt.date(year, _MONTHS[month[:3].lower()], int(day))


def _days_first(lines: list[str]) -> bool:
    """Whether '06/03/2017' is 6 March: a number above 12 says which is the day; otherwise the
    order under which the dates run forward (a chat export is in time order), day first if
    both do."""
    pairs = [(int(m["a"]), int(m["b"]), m["y"]) for line in lines if (m := _DMY.match(line))]
    if any(a > 12 for a, _b, _y in pairs):
        return True
    if any(b > 12 for _a, b, _y in pairs):
        return False

    def backwards(days_first: bool) -> int:
        keys = [(y, b, a) if days_first else (y, a, b) for a, b, y in pairs]
        return sum(1 for x, y in itertools.pairwise(keys) if y < x)

    return backwards(True) <= backwards(False)


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def parse_lines(
    text: str, zone: ZoneInfo, *, day: dt.date | None, name: str = "pasted lines"
) -> ParseResult:
    """`day` is the date of lines that carry only a time, until a date line says otherwise;
    without it such lines are refused with a message asking for it."""
    result = ParseResult()
    lines = text.splitlines()
    too_many(sum(1 for line in lines if line.strip()), "lines")
    current_day = day
    last_time: dt.time | None = None
    open_row: _Open | None = None
    seen: Counter[tuple[str, str]] = Counter()
    untimed: list[int] = []
    needs_day: list[int] = []
    days_first = _days_first(lines)

    def close() -> None:
        nonlocal open_row
        if open_row is None:
            return
        body = "\n".join(open_row.text).strip()
        description = f"{open_row.who}: {body}" if open_row.who else body
        description = description[:DESCRIPTION_LENGTH]
        if description:
            mark = (open_row.at.isoformat(), description)
            seen[mark] += 1
            result.rows.append(
                ParsedRow(
                    line=open_row.line,
                    occurred_at=open_row.at,
                    description=description,
                    kind=suggested_kind(body, from_bot=is_alerting(open_row.who)),
                    source=EntrySource.CHAT if open_row.chat else EntrySource.LOG,
                    source_ref=f"{name}, line {open_row.line}"[:500],
                    identity=f"lines:{seen[mark]}",
                )
            )
        open_row = None

    for number, raw_line in enumerate(lines, start=1):
        line = raw_line.rstrip()
        if not line.strip():
            continue
        marker = _LOG_OPENED.match(line) or _DAY_CHANGED.match(line)
        if marker:
            close()
            try:
                current_day = _month_day(
                    marker.group("mon"), marker.group("day"), int(marker.group("year"))
                )
            except ValueError:
                result.note(f"Line {number}: the date in '{line[:60]}' does not exist.")
            last_time = None
            result.skip(DATE_LINES)
            continue
        moment: dt.datetime | None = None
        rest = named = ""
        try:
            if match := _ISO.match(line):
                at = _time_of(match.group("time"))
                date = dt.date.fromisoformat(match.group("date"))
                frac = match.group("frac")
                micro = int(float("0." + frac[1:]) * 1_000_000) if frac else 0
                moment = dt.datetime.combine(
                    date, at.replace(microsecond=micro), tzinfo=_zone_of(match.group("zone"), zone)
                )
                rest = match.group("rest")
            elif match := _DMY.match(line):
                first, second = int(match.group("a")), int(match.group("b"))
                d, m = (first, second) if days_first else (second, first)
                date = dt.date(_year(match.group("y")), m, d)
                at = _time_of(match.group("time"), (match.group("ap") or "").replace(".", ""))
                moment = dt.datetime.combine(date, at, tzinfo=zone)
                rest = match.group("rest")
                speaker = _SPEAKER.match(rest.strip())
                if speaker is None:
                    close()
                    result.skip(CHAT_NOTICES)
                    continue
                named, rest = speaker.group("who"), speaker.group("text")
            elif match := _SYSLOG.match(line):
                year = (current_day or dt.date.today()).year
                date = _month_day(match.group("mon"), match.group("day"), year)
                moment = dt.datetime.combine(date, _time_of(match.group("time")), tzinfo=zone)
                rest = match.group("rest")
            elif match := _BRACKET_TIME.match(line) or _BARE_TIME.match(line):
                at = _time_of(match.group("time"), match.groupdict().get("ap"))
                rest = match.group("rest")
                if current_day is None:
                    needs_day.append(number)
                    continue
                if last_time is not None and _seconds(last_time) - _seconds(at) > 12 * 3600:
                    current_day += dt.timedelta(days=1)  # past midnight
                last_time = at
                moment = dt.datetime.combine(current_day, at, tzinfo=zone)
        except ValueError:
            result.note(f"Line {number}: '{line[:60]}' holds a date or time that does not exist.")
            result.skip("lines with an impossible date or time")
            continue
        if moment is None:
            if open_row is not None:
                open_row.text.append(line.strip())  # the message goes on
            else:
                untimed.append(number)
            continue
        close()
        try:
            moment = checked(moment, line)
        except ValueError as exc:
            result.note(f"Line {number}: {exc}.")
            continue
        rest = rest.strip()
        if _SYSTEM.match(rest + " ") or _CLIENT_LIST.match(rest):
            result.skip(SYSTEM_LINES)
            continue
        who, chat = "", True
        if named:
            who = named
        elif nick := _NICK.match(rest):
            who, rest = nick.group("nick"), nick.group("text")
        elif rest.startswith("* "):
            rest = rest[2:]  # an IRC action: '* alice restarts the db'
        elif nick := _NICK_COLON.match(rest):
            who, rest = nick.group("nick"), nick.group("text")
        else:
            chat = False
        open_row = _Open(line=number, at=moment, who=who, text=[rest], chat=chat)
    close()
    if needs_day:
        raise ImportRefused(
            f"{len(needs_day)} line(s) carry a time without a date (first: line {needs_day[0]}); "
            "give the date the lines start on."
        )
    if untimed:
        result.skipped["lines before the first time"] += len(untimed)
        result.note(
            f"{len(untimed)} line(s) before the first line with a time were left out "
            f"(line {', '.join(str(n) for n in untimed[:5])}{' …' if len(untimed) > 5 else ''})."
        )
    if not result.rows:
        raise ImportRefused(
            "No line starts with a time. Lines such as '[23:05] alice: message', "
            "'2017-01-31 23:27:04 UTC message' or 'Nov  3 09:23:38 host app: message' are read."
        )
    return result


def _seconds(at: dt.time) -> int:
    return at.hour * 3600 + at.minute * 60 + at.second
