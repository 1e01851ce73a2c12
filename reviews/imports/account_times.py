"""Times written in accounts ('at 14:32', 'around 2:30 pm on 1 February'), offered as
timeline entries: each on the date written beside it, or on the day inside the event."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reviews.imports.common import review_zone
from reviews.models import Review

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
