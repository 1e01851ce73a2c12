"""Calendar invitations for review meetings (iCalendar, RFC 5545)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from reviews.display import display_name
from reviews.models import Review


def meeting_uid(review: Review) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "aar"
    return f"aar-review-{review.pk}@{host}"


def meeting_ics(review: Review, *, attendee_email: str, method: str = "REQUEST") -> bytes:
    """One meeting, with a stable UID; SEQUENCE rises with every reschedule."""
    calendar = Calendar()
    calendar.add("prodid", "-//AAR//After Action Reviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(review))
    event.add("sequence", review.ics_sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    start = review.scheduled_at or dt.datetime.now(dt.UTC)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=review.meeting_minutes))
    event.add("summary", f"After Action Review: {review.title}")
    link = settings.SITE_URL + reverse("reviews:detail", args=[review.slug])
    event.add(
        "description",
        "A blameless review of what happened, what we learned and what we will do next.\n"
        f"Write your account before the meeting: {link}",
    )
    event.add("url", link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if review.facilitator is not None:
        organizer = vCalAddress(f"mailto:{review.facilitator.email}")
        organizer.params["cn"] = vText(display_name(review.facilitator))
        event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
