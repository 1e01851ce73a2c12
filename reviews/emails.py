"""How each kind of review email is written. Rendered at send time (tokens are never stored)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_query_string

from aar_project.mail import absolute, build_message
from reviews.auth import INVITE_MAX_AGE, INVITE_SCOPE, invitation_link, sign_in_link_message
from reviews.calendar import meeting_ics
from reviews.display import display_name
from reviews.models import Notification, NotificationKind, Participant, Role, writes_account
from reviews.notify import renderer


def personal_link(notification: Notification, next_path: str) -> str:
    """A sign-in link for the recipient that lands on `next_path`: for someone in the review,
    one that keeps working until its meeting ends (reviews.auth.invitation_link)."""
    participant = (
        Participant.objects.filter(review=notification.review, user=notification.recipient).first()
        if notification.review and notification.recipient
        else None
    )
    if participant is not None:
        return invitation_link(participant, next_path)
    query: str = get_query_string(notification.recipient, scope=INVITE_SCOPE)
    return absolute(reverse("link_open")) + query + "&" + urlencode({"next": next_path})


def _landing(notification: Notification) -> str:
    review = notification.review
    assert review is not None
    writes = writes_account(str(notification.payload.get("role", "")))
    name = "reviews:account" if writes else "reviews:detail"
    return reverse(name, args=[review.slug])


def _meeting_context(notification: Notification) -> dict[str, object]:
    review = notification.review
    assert review is not None
    return {
        "review": review,
        "name": display_name(notification.recipient) if notification.recipient else "",
        "facilitator": display_name(review.facilitator),
        "when": timezone.localtime(review.scheduled_at) if review.scheduled_at else None,
        "due": timezone.localtime(review.accounts_due_at) if review.accounts_due_at else None,
        # Sent after the deadline (a meeting set for today): the email says so.
        "due_passed": review.accounts_due_at is not None
        and review.accounts_due_at <= timezone.now(),
        "writes": writes_account(str(notification.payload.get("role", ""))),
        "role": notification.payload.get("role", ""),
    }


def _meeting_request(
    notification: Notification, *, subject: str, link: str, update: bool
) -> EmailMultiAlternatives:
    """An invitation or its update: the same email and calendar request, SEQUENCE aside."""
    review = notification.review
    assert review is not None
    return build_message(
        to=[notification.email],
        subject=f"{subject}: After Action Review of {review.title}",
        template="invitation",
        context={**_meeting_context(notification), "link": link, "update": update},
        attachments=[
            (
                "invite.ics",
                meeting_ics(review, attendee_email=notification.email),
                "text/calendar; method=REQUEST",
            )
        ],
    )


@renderer(NotificationKind.INVITATION)
def invitation(notification: Notification) -> EmailMultiAlternatives:
    link = personal_link(notification, _landing(notification))
    return _meeting_request(notification, subject="Invitation", link=link, update=False)


@renderer(NotificationKind.INVITATION_UPDATE)
def invitation_update(notification: Notification) -> EmailMultiAlternatives:
    link = absolute(_landing(notification))
    return _meeting_request(notification, subject="Updated", link=link, update=True)


@renderer(NotificationKind.CANCELLATION)
def cancellation(notification: Notification) -> EmailMultiAlternatives:
    review = notification.review
    assert review is not None
    return build_message(
        to=[notification.email],
        subject=f"Cancelled: After Action Review of {review.title}",
        template="cancellation",
        context=_meeting_context(notification),
        attachments=[
            (
                "cancel.ics",
                meeting_ics(review, attendee_email=notification.email, method="CANCEL"),
                "text/calendar; method=CANCEL",
            )
        ],
    )


@renderer(NotificationKind.ACCOUNT_REMINDER)
def account_reminder(notification: Notification) -> EmailMultiAlternatives:
    review = notification.review
    assert review is not None
    context = {
        **_meeting_context(notification),
        "link": personal_link(notification, _landing(notification)),
    }
    return build_message(
        to=[notification.email],
        subject=f"Reminder: your account for the review of {review.title}",
        template="account_reminder",
        context=context,
    )


@renderer(NotificationKind.REPORT_PUBLISHED)
def report_published(notification: Notification) -> EmailMultiAlternatives:
    review = notification.review
    assert review is not None
    return build_message(
        to=[notification.email],
        subject=f"After Action Report: {review.title}",
        template="report_published",
        context={
            "review": review,
            "name": display_name(notification.recipient) if notification.recipient else "",
            "link": absolute(reverse("reports:detail", args=[review.slug])),
            "version": notification.payload.get("version", 1),
        },
    )


@renderer(NotificationKind.LEADS_CHANGED)
def leads_changed(notification: Notification) -> EmailMultiAlternatives:
    review = notification.review
    assert review is not None
    payload = notification.payload
    role = "facilitator" if payload.get("role") == Role.FACILITATOR else "scribe"
    return build_message(
        to=[notification.email],
        subject=f"{review.title}: {payload.get('new', '')} is now the {role}",
        template="leads_changed",
        context={
            "review": review,
            "role": role,
            "old": payload.get("old", ""),
            "new": payload.get("new", ""),
            "by": payload.get("by", ""),
            "link": absolute(reverse("reviews:people", args=[review.slug])),
        },
    )


@renderer(NotificationKind.SIGN_IN_LINK)
def sign_in_link(notification: Notification) -> EmailMultiAlternatives:
    """Built when it is sent, so the token is never stored (the outbox keeps the purpose)."""
    assert notification.recipient is not None
    return sign_in_link_message(
        user=notification.recipient, next_url=str(notification.payload.get("next", ""))
    )


@renderer(NotificationKind.ORG_INVITE)
def org_invite(notification: Notification) -> EmailMultiAlternatives:
    """An invitation to the organisation: a sign-in link that works once within 30 days
    (made when it is sent, never stored)."""
    assert notification.recipient is not None
    link = personal_link(notification, "/")
    return build_message(
        to=[notification.email],
        subject="You are invited to AAR",
        template="org_invite",
        context={
            "link": link,
            "by": notification.payload.get("invited_by", ""),
            "days": INVITE_MAX_AGE.days,
        },
    )


@renderer(NotificationKind.STAKEHOLDER_TEST)
def stakeholder_test(notification: Notification) -> EmailMultiAlternatives:
    team = str(notification.payload.get("team", ""))
    return build_message(
        to=[notification.email],
        subject=f"Test: you are on the communication plan of {team}",
        template="stakeholder_test",
        context={"name": team, "by": notification.payload.get("by", "")},
    )
