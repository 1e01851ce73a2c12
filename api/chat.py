"""Chat notifications: a delivery posted to a Slack, Mattermost or Microsoft Teams channel.

A chat receiver is a team webhook of another kind: the same outbox row, the same retries,
but the body is a short message in the format the tool documents for its incoming webhooks,
built from the delivery's payload by `message_of` (what to say) and one renderer per tool
(how that tool wants it said):

- Slack: `{"text": …, "blocks": [section (mrkdwn)…, actions (a button)]}`, links `<url|label>`;
- Mattermost: `{"text": …}` in Markdown, links `[label](url)`;
- Microsoft Teams (a Workflows "when a webhook request is received" flow): a `message` with one
  Adaptive Card attachment (text blocks and an `Action.OpenUrl`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from api.models import Kind
from reviews.events import Event

SLACK, MATTERMOST, TEAMS = Kind.SLACK.value, Kind.MATTERMOST.value, Kind.TEAMS.value
DIGEST_LINES = 5
ACTION_SAID: dict[str, str] = {
    Event.ACTION_CREATED: "New action",
    Event.ACTION_UPDATED: "Action changed",
    Event.ACTION_OVERDUE: "Action overdue",
    Event.ACTION_CLOSED: "Action closed",
}


@dataclass(frozen=True)
class Message:
    title: str
    link: str
    link_label: str
    lines: list[str] = field(default_factory=list)


def _when(value: str | None) -> str:
    moment = parse_datetime(value) if value else None
    if moment is None:
        return "not set"
    return timezone.localtime(moment).strftime("%a %d %b %Y, %H:%M %Z")


def _day(value: str | None) -> str:
    day = parse_date(value) if value else None
    return day.strftime("%a %d %b %Y") if day else "no date"


def _owner(action: dict[str, Any]) -> str:
    owner = action.get("owner") or {}
    return str(owner.get("name") or owner.get("email") or "nobody yet")


def message_of(event: str, payload: dict[str, Any]) -> Message:
    """What to say of `event`, from the delivery's payload (the API's own answer)."""
    if event == Event.OVERDUE_DIGEST:
        digest = payload["digest"]
        n = digest["overdue"]
        lines = [
            f"{a['title']} ({_owner(a)}, {a['days_overdue']} days late)"
            for a in digest["actions"][:DIGEST_LINES]
        ]
        if n > len(lines):
            lines.append(f"and {n - len(lines)} more")
        return Message(
            f"{n} overdue action{'s' if n != 1 else ''} in {digest['team']}",
            digest["url"],
            "See them all",
            lines,
        )
    if "review" in payload:
        review = payload["review"]
        about = f"{review['team']} · {review['kind']}"
        if event == Event.REVIEW_PUBLISHED:
            return Message(
                f"Report published: {review['title']}", review["url"], "Read the report", [about]
            )
        if event == Event.ACCOUNTS_DUE:
            return Message(
                f"Written accounts are due tomorrow: {review['title']}",
                review["url"],
                "Write your account",
                [about, f"Meeting: {_when(review.get('scheduled_at'))}"],
            )
        return Message(
            f"Review scheduled: {review['title']}",
            review["url"],
            "Open the review",
            [about, f"Meeting: {_when(review.get('scheduled_at'))}"],
        )
    action = payload["action"]
    said = ACTION_SAID.get(event, "Action")
    return Message(
        f"{said}: {action['title']}",
        action["url"],
        "Open the action",
        [f"{action['team']} · owner {_owner(action)} · due {_day(action.get('due_on'))}"],
    )


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn reads &, < and > as markup; these three are all it asks to escape.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message) -> dict[str, Any]:
    title = _slack_escape(message.title)
    body = "\n".join(_slack_escape(line) for line in message.lines)
    return {
        "text": f"{title}: {message.link}",  # what notifications and old clients show
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*<{message.link}|{title}>*\n{body}".strip()},
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.link_label},
                        "url": message.link,
                    }
                ],
            },
        ],
    }


def _markdown_escape(text: str) -> str:
    """People's words as plain text in Markdown: no link, emphasis or heading of theirs."""
    for mark in ("\\", "[", "]", "(", ")", "*", "_", "~", "`", "#", "<", ">", "|"):
        text = text.replace(mark, "\\" + mark)
    return text


def _no_mentions(text: str) -> str:
    # "@channel", "@all", "@here" or a name would notify people; a zero-width space after the
    # @ keeps the words as they were written and notifies nobody.
    return text.replace("@", "@\u200b")


def mattermost(message: Message) -> dict[str, Any]:
    def plain(text: str) -> str:
        return _no_mentions(_markdown_escape(text))

    lines = [f"**[{plain(message.title)}]({message.link})**"]
    lines += [f"- {plain(line)}" for line in message.lines]
    return {"text": "\n".join(lines)}


def teams(message: Message) -> dict[str, Any]:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            # Adaptive Cards read Markdown in a TextBlock: people's words are escaped.
            {
                "type": "TextBlock",
                "text": _markdown_escape(message.title),
                "weight": "Bolder",
                "wrap": True,
            },
            *(
                {"type": "TextBlock", "text": _markdown_escape(line), "wrap": True}
                for line in message.lines
            ),
        ],
        "actions": [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.link}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


RENDERERS = {SLACK: slack, MATTERMOST: mattermost, TEAMS: teams}


def body(kind: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return RENDERERS[kind](message_of(event, payload))
