"""Gentle hints on the method's failure patterns: pure functions, no database, fast.

Each check returns `Hint`s: a stable code (so a person can dismiss it for one item), the
problem, and what to do instead, with an example. They never block anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Hint:
    code: str
    message: str
    suggestion: str


# --- Action items ----------------------------------------------------------------------------------

GROUP_OWNERS = {
    "", "team", "the team", "everyone", "everybody", "all", "ops", "eng", "engineering", "dev", "devs",
    "tbd", "tba", "n/a", "na", "none", "nobody", "someone", "somebody", "us", "we", "sre", "devops",
    "oncall", "on-call", "on call", "qa", "product", "management", "leads", "backend", "frontend",
}  # fmt: skip
VAGUE = re.compile(
    r"\b(improve|improving|enhance|better|look(?:ing)? into|investigate|consider|revisit|"
    r"be (?:more )?careful|make sure|ensure|try to|fix it|fix this|address|work on|think about|"
    r"review (?:the )?process|clean ?up|optimi[sz]e|strengthen|tighten|follow up)\b",
    re.IGNORECASE,
)
# Something measurable or named: a number, code, a path or file, an identifier (case matters)...
CONCRETE_SHAPES = re.compile(
    r"(\d|%|\bp\d\d\b|`[^`]+`|\"[^\"]+\"|/[\w.-]+|\b\w+\.(?:py|ya?ml|json|md|sql|tf|sh|js|ts)\b|"
    r"\b[a-z]+_[a-z_]+\b|\b[A-Z][a-z]+[A-Z]\w*\b|\b[A-Z]{2,}\b)"
)
# ...or a thing one can point at.
CONCRETE_WORDS = re.compile(
    r"\b(alert|alarm|pager|dashboard|runbook|playbook|checklist|test|tests|lint|metric|threshold|timeout|"
    r"limit|quota|index|endpoint|job|queue|pool|cache|replica|flag|canary|rollback|migration|template|"
    r"rotation|ticket|script|cron)\b",
    re.IGNORECASE,
)


def _concrete(text: str) -> bool:
    return bool(CONCRETE_SHAPES.search(text) or CONCRETE_WORDS.search(text))


JOINED = re.compile(
    r"(?:\band|&|\bthen|\balso|\bplus)\s+(?:also\s+)?(?:add|update|fix|create|remove|write|document|review|audit|"
    r"migrate|increase|reduce|set|configure|enable|disable|move|change|rename|deploy|schedule|train|"
    r"replace|rewrite|delete|build|introduce|automate)\b",
    re.IGNORECASE,
)


def owner_is_group(owner: str) -> bool:
    text = " ".join(owner.strip().lower().split())
    if text in GROUP_OWNERS:
        return True
    if "@" in text and re.match(
        r"^(team|eng|ops|dev|all|sre|oncall|platform|infra|support)[\w.-]*@", text
    ):
        return True  # a mailing list or group alias
    return bool(re.search(r"\b(team|squad|group|guild|list|channel)\b", text))


def title_is_vague(title: str) -> bool:
    """A vague verb or phrase with nothing measurable or concrete after it; or too short to act on."""
    text = " ".join(title.split())
    words = re.findall(r"[A-Za-z0-9']+", text)
    if len(words) < 3:
        return True
    match = VAGUE.search(text)
    if not match:
        return False
    return not _concrete(text[match.start() :])


def title_is_joined(title: str) -> bool:
    return bool(JOINED.search(title))


def action_hints(
    *,
    title: str,
    owner: str | None,
    due_on: dt.date | None,
    size: str,
    definition_of_done: str,
    today: dt.date,
) -> list[Hint]:
    hints = []
    if title.strip() and title_is_vague(title):
        hints.append(
            Hint(
                "action.vague",
                "The title does not say what exactly will be done.",
                "Name the thing and how much: “Add an alert when the pool is above 80% for 5 minutes, paging on-call”, not “Improve monitoring”.",
            )
        )
    if title_is_joined(title):
        hints.append(
            Hint(
                "action.joined",
                "This looks like two actions in one.",
                "Split it so each can have its own owner, date and definition of done.",
            )
        )
    if owner is None or owner_is_group(owner):
        hints.append(
            Hint(
                "action.owner",
                "The owner is not a person." if owner else "The action has no owner.",
                "Name one person who will do it or see it done; a team cannot be chased.",
            )
        )
    if due_on is None:
        hints.append(
            Hint(
                "action.due",
                "The action has no due date.",
                "Give it a real date, not “soon”: for example two weeks from today.",
            )
        )
    elif due_on < today:
        hints.append(
            Hint(
                "action.past",
                "The due date is in the past.",
                "Pick a date the owner can still meet.",
            )
        )
    if not size:
        hints.append(
            Hint(
                "action.size",
                "The action has no size.",
                "Say roughly hours, days or weeks: it shows whether the date is realistic.",
            )
        )
    if not definition_of_done.strip():
        hints.append(
            Hint(
                "action.done",
                "There is no definition of done.",
                "Say how we will know it is finished: “the alert fired in a drill and paged on-call”.",
            )
        )
    return hints


# --- Blameless language ----------------------------------------------------------------------------

BLAME = re.compile(
    r"\b(fault|faults|faulty person|to blame|blame[sd]?|blaming|careless(?:ly|ness)?|negligen(?:t|ce)|incompeten(?:t|ce)|"
    r"lazy|laziness|stupid(?:ity)?|sloppy|sloppiness|human error|screw(?:ed)? up|messed up|dropped the ball|"
    r"idiot(?:ic)?|reckless(?:ly)?|should have known|ought to have|"
    r"should(?:n't| not)? have|could have|would have|failed to|forgot to|neglected to|didn't bother|did not bother|"
    r"didn't (?:even )?(?:check|test|read|look|think)|did not (?:even )?(?:check|test|read|look|think))\b",
    re.IGNORECASE,
)
COUNTERFACTUAL = re.compile(
    r"\b(should(?:n't| not)? have|could have|would have|ought to have)\b", re.IGNORECASE
)


def blame_hints(text: str, names: Iterable[str] = ()) -> list[Hint]:
    """Blame, judgement and counterfactuals; in root cause and factors, people named as the cause."""
    hints = []
    match = BLAME.search(text)
    if match:
        if COUNTERFACTUAL.search(match.group(0)):
            hints.append(
                Hint(
                    "blame.counterfactual",
                    f"“{match.group(0)}” judges what happened with hindsight.",
                    "Ask what made the decision reasonable at the time, and what would make the right step easy next time.",
                )
            )
        else:
            hints.append(
                Hint(
                    "blame.word",
                    f"“{match.group(0)}” puts the weight on a person.",
                    "Describe what the system allowed: “the deploy tool let an untested change through”, not who was careless.",
                )
            )
    for name in names:
        if len(name) > 1 and re.search(rf"\b{re.escape(name)}\b", text):
            hints.append(
                Hint(
                    "blame.name",
                    f"{name} is named in a cause.",
                    "Name the system or the step instead: what would have helped anyone in that seat?",
                )
            )
            break
    return hints


def sentence_blames(text: str) -> bool:
    return bool(BLAME.search(text))


# --- Review health ---------------------------------------------------------------------------------


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
