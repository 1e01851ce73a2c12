"""The emails about actions: digests, nudges, escalations, assignments."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from aar_project.mail import absolute, build_message
from actions.models import ActionItem
from actions.reminders import ESCALATE_AFTER_DAYS
from reviews.display import display_name
from reviews.models import Notification, NotificationKind
from reviews.notify import renderer


def _rows(actions: list[ActionItem], day: dt.date) -> list[dict[str, object]]:
    return [
        {
            "action": a,
            "late": (day - a.due_on).days if a.due_on else 0,
            "link": absolute(reverse("actions:detail", args=[a.pk])),
            "review_link": absolute(reverse("reviews:detail", args=[a.review.slug])),
        }
        for a in actions
    ]


@renderer(NotificationKind.OVERDUE_DIGEST)
def overdue_digest(notification: Notification) -> EmailMultiAlternatives:
    day = dt.date.fromisoformat(notification.payload["day"])
    actions = (
        ActionItem.objects.overdue(day)
        .filter(owner=notification.recipient)
        .select_related("review")
    )
    if notification.payload.get("muted"):
        actions = actions.filter(due_on__lt=day - dt.timedelta(days=ESCALATE_AFTER_DAYS))
    rows = _rows(list(actions.order_by("due_on", "pk")), day)
    return build_message(
        to=[notification.email],
        subject=f"{len(rows)} overdue action{'s' if len(rows) != 1 else ''} for {day:%d %b %Y}",
        template="overdue_digest",
        context={
            "name": display_name(notification.recipient),
            "rows": rows,
            "mine": absolute(reverse("actions:mine")),
            "settings": absolute(reverse("actions:settings")),
            "muted": notification.payload.get("muted", False),
        },
    )


def _about_action(
    notification: Notification, subject: str, template: str
) -> EmailMultiAlternatives:
    """An email about one action (the payload names it), with the link to its page."""
    action = ActionItem.objects.select_related("review").get(pk=notification.payload["action"])
    return build_message(
        to=[notification.email],
        subject=f"{subject}: {action.title}",
        template=template,
        context={
            "name": display_name(notification.recipient),
            "action": action,
            "link": absolute(reverse("actions:detail", args=[action.pk])),
        },
    )


@renderer(NotificationKind.ACTION_NUDGE)
def action_nudge(notification: Notification) -> EmailMultiAlternatives:
    return _about_action(notification, "Due in 2 days", "action_nudge")


@renderer(NotificationKind.ESCALATION_DIGEST)
def escalation_digest(notification: Notification) -> EmailMultiAlternatives:
    day = dt.date.fromisoformat(notification.payload["day"])
    actions = (
        ActionItem.objects.overdue(day)
        .filter(
            team__delivery_owner=notification.recipient,
            due_on__lt=day - dt.timedelta(days=ESCALATE_AFTER_DAYS),
        )
        .select_related("review__team", "owner")
        .order_by("team__name", "due_on", "pk")
    )
    rows = _rows(list(actions), day)
    return build_message(
        to=[notification.email],
        subject=f"Weekly: {len(rows)} action{'s' if len(rows) != 1 else ''} more than {ESCALATE_AFTER_DAYS} days overdue",
        template="escalation_digest",
        context={
            "name": display_name(notification.recipient),
            "rows": rows,
            "days": ESCALATE_AFTER_DAYS,
        },
    )


@renderer(NotificationKind.ACTION_ASSIGNED)
def action_assigned(notification: Notification) -> EmailMultiAlternatives:
    return _about_action(notification, "Action for you", "action_assigned")
