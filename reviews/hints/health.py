"""Review health: what a review is missing for the method to work, from its dates and counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from reviews.hints.hint import Hint


def review_health(
    *,
    event_day: dt.date | None,
    meeting_day: dt.date | None,
    ended_day: dt.date | None,
    published: bool,
    today: dt.date,
    went_well: int,
    participants: int,
    accounts: int,
    timeline: int,
    root_cause: int,
    actions_without_owner_or_date: int,
    earlier_open_past_due: int,
) -> list[Hint]:
    hints = []
    if event_day and meeting_day and (meeting_day - event_day).days > 14:
        hints.append(
            Hint(
                "health.late",
                f"The meeting is {(meeting_day - event_day).days} days after the event.",
                "Hold reviews within two weeks, while memories are fresh.",
            )
        )
    if ended_day and not published and (today - ended_day).days > 5:
        hints.append(
            Hint(
                "health.unpublished",
                f"The report is not published {(today - ended_day).days} days after the meeting.",
                "Finish and publish it: a review nobody can read teaches nobody.",
            )
        )
    if ended_day and went_well == 0:
        hints.append(
            Hint(
                "health.went_well",
                "“What went well” is empty.",
                "Record what worked, so it is kept; it is calibration, not consolation.",
            )
        )
    if participants <= 1:
        hints.append(
            Hint(
                "health.single",
                "Only one person takes part.",
                "Invite everyone who was involved: one view misses the others.",
            )
        )
    elif accounts <= 1 and meeting_day and meeting_day <= today:
        hints.append(
            Hint(
                "health.accounts",
                f"Only {accounts} written account{'s' if accounts != 1 else ''}.",
                "Ask the others for theirs: independent accounts are the point.",
            )
        )
    if timeline == 0:
        hints.append(
            Hint(
                "health.timeline",
                "There is no timeline.",
                "Reconstruct it from logs, chat and tickets; it is the source of truth.",
            )
        )
    if ended_day and root_cause == 0:
        hints.append(
            Hint(
                "health.root_cause",
                "There is no root cause analysis.",
                "Use five whys or a causal chain.",
            )
        )
    if actions_without_owner_or_date:
        hints.append(
            Hint(
                "health.actions",
                f"{actions_without_owner_or_date} action(s) without an owner or a date.",
                "Every action needs a person and a real date.",
            )
        )
    if earlier_open_past_due:
        hints.append(
            Hint(
                "health.earlier",
                f"{earlier_open_past_due} earlier action(s) of this team are still open past their date.",
                "Re-commit, close or drop each of them in this review.",
            )
        )
    return hints


def review_health_of(review: Any, *, today: dt.date, **counts: int) -> list[Hint]:
    """review_health() for a review: its days read in the active time zone, its counts given
    (the review page counts one review, the dashboard forty at once)."""

    def day(moment: dt.datetime | None) -> dt.date | None:
        return timezone.localtime(moment).date() if moment else None

    return review_health(
        event_day=day(review.event_started_at or review.event_detected_at),
        meeting_day=day(review.scheduled_at),
        ended_day=day(review.meeting_ended_at),
        published=review.status == "published",
        today=today,
        **counts,
    )
