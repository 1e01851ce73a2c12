"""Actions leaving the product: a CSV download of a list, and a person's calendar feed."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from aar_project.dates import in_range
from actions.models import ActionItem

# Spreadsheets run a cell as a formula when it starts with one of these, and some read the
# full-width forms (and a leading "|" in DDE payloads) as the same characters.
FORMULA_STARTS = frozenset("=+-@\t\r\n|%" + "\uff1d\uff0b\uff0d\uff20\uff5c\uff05")


def actions_csv(name: str, actions: Iterable[ActionItem], today: dt.date) -> HttpResponse:
    """The list as a CSV download; every text cell safe to open in a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="actions-{name}-{today.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "title",
            "owner",
            "due_on",
            "days_overdue",
            "status",
            "type",
            "size",
            "review",
            "closed_at",
            "closing_note",
            "link",
            "team",
        ]
    )
    for a in actions:
        writer.writerow(
            [
                a.pk,
                csv_cell(a.title),
                csv_cell(a.owner.email) if a.owner else "",
                a.due_on.isoformat() if a.due_on else "",
                a.days_overdue(today),
                a.status,
                a.action_type,
                a.size,
                csv_cell(a.review.title),
                a.closed_at.isoformat() if a.closed_at else "",
                csv_cell(a.closing_note),
                reverse("actions:detail", args=[a.pk]),
                csv_cell(a.team.name),
            ]
        )
    return response


def csv_cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: make them plain text."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def actions_calendar(actions: Iterable[ActionItem], link: Callable[[str], str]) -> bytes:
    """Open actions' due dates as an iCalendar feed; `link` makes a path absolute."""
    calendar = Calendar()
    calendar.add("prodid", "-//AAR//Action items//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "AAR actions")
    stamp = timezone.now()
    for action in actions:
        if action.due_on is None or not in_range(action.due_on):
            continue  # a date outside 1970–2200 (older data) has no day after it to end on
        event = Event()
        event.add("uid", f"aar-action-{action.pk}@aar")
        event.add("dtstamp", stamp)
        event.add("dtstart", action.due_on)
        event.add("dtend", action.due_on + dt.timedelta(days=1))
        event.add("summary", f"Due: {action.title}")
        detail = link(reverse("actions:detail", args=[action.pk]))
        event.add("description", f"From the review of {action.review.title}.\n{detail}")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
