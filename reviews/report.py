"""The report, rendered from the data: never typed by hand.

`report_data` gathers a review into one structure; `render_markdown_report` writes the
method's output format (or the pull-request template for a pull-request review);
`render_json_report` writes the whole review for other tools. Whatever people typed, the
Markdown stays valid CommonMark with the fixed heading sequence and one table row per
action: people's text is written as plain text, with every character that could start a
heading, a list, a code block, HTML or a table cell escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from actions.models import ActionItem
from reviews.meeting import agenda_report
from reviews.models import Review, Role
from reviews.services import display_name, format_offset

# --- Escaping people's text ----------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&{}])")
_BLOCK_START = re.compile(r"^(\s*)(\d{1,9})([.)])")


def md_inline(text: str) -> str:
    """One line of plain text, safe anywhere inline (a table cell, a list item, a heading)."""
    flat = " ".join(str(text or "").split())
    escaped = _INLINE_SPECIAL.sub(r"\\\1", flat)
    escaped = _BLOCK_START.sub(r"\1\2\\\3", escaped)
    if escaped[:1] in ("-", "+", "="):
        escaped = "\\" + escaped
    return escaped


def md_block(text: str) -> str:
    """Paragraphs of plain text: line breaks kept, nothing able to open a block of its own."""
    paragraphs = re.split(r"\n\s*\n", str(text or "").replace("\r\n", "\n").strip())
    out = []
    for paragraph in paragraphs:
        lines = [md_inline(line) for line in paragraph.split("\n") if line.strip()]
        if lines:
            out.append("  \n".join(lines))  # a hard line break between the lines someone typed
    return "\n\n".join(out)


# --- The data ------------------------------------------------------------------------------------


@dataclass
class WhyBranch:
    text: str
    evidence: list[str]
    children: list[WhyBranch]


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def report_data(review: Review) -> dict[str, Any]:
    """Everything the report shows, read in a fixed number of queries."""
    participants = list(review.participants.select_related("user").order_by("role", "added_at"))
    entries = list(review.timeline_entries.in_order())
    whys = list(review.why_nodes.prefetch_related("evidence").order_by("position", "pk"))
    children: dict[int | None, list[Any]] = {}
    for node in whys:
        children.setdefault(node.parent_id, []).append(node)

    def branch(parent: int | None) -> list[WhyBranch]:
        return [
            WhyBranch(
                text=n.text,
                evidence=[
                    f"{timezone.localtime(e.occurred_at):%H:%M} {e.description}"
                    for e in n.evidence.all()
                ],
                children=branch(n.pk),
            )
            for n in children.get(parent, [])
        ]

    actions = list(ActionItem.objects.filter(review=review).select_related("owner").order_by("pk"))
    return {
        "review": review,
        "event_date": _day(review.event_started_at or review.event_detected_at),
        "aar_date": _day(review.scheduled_at or review.meeting_started_at),
        "facilitator": display_name(review.facilitator),
        "participants": [display_name(p.user) for p in participants if p.role != Role.OBSERVER],
        "entries": [
            {
                "entry": e,
                "time": timezone.localtime(e.occurred_at).strftime("%Y-%m-%d %H:%M"),
                "offset": format_offset(e.occurred_at, review.t0),
            }
            for e in entries
        ],
        "why_tree": branch(None),
        "causal": list(review.causal_factors.all()),
        "factors": list(review.contributing_factors.all()),
        "went_well": list(review.went_well.all()),
        "lessons": list(review.lesson_items.all()),
        "actions": actions,
        "agenda": agenda_report(list(review.agenda.order_by("position"))),
    }


def report_filename(review: Review, extension: str) -> str:
    """`aar-YYYY-MM-DD-<event-name>.<ext>`: the meeting's date and the event's name."""
    day = _day(review.scheduled_at or review.meeting_started_at) or timezone.localdate().isoformat()
    name = slugify(review.title)[:60].strip("-") or "review"
    return f"aar-{day}-{name}.{extension}"


# --- Markdown: the method's output format ---------------------------------------------------------


def _why_lines(branches: list[WhyBranch], depth: int = 0) -> list[str]:
    lines = []
    indent = "   " * depth
    for i, b in enumerate(branches, start=1):
        lines.append(f"{indent}{i}. {md_inline(b.text)}")
        for evidence in b.evidence:
            lines.append(f"{indent}   - Evidence: {md_inline(evidence)}")
        lines.extend(_why_lines(b.children, depth + 1))
    return lines


def _bullets(items: list[str], empty: str) -> str:
    return "\n".join(f"- {md_inline(i)}" for i in items) if items else md_inline(empty)


def _cell(text: str) -> str:
    return md_inline(text) or "—"


def _method_markdown(data: dict[str, Any]) -> str:
    review: Review = data["review"]
    out = [f"# AAR: {md_inline(review.title)}", ""]
    severity = review.get_severity_display() if review.severity else review.get_kind_display()
    out += [
        f"**Date of event:** {data['event_date'] or '—'}",
        f"**AAR date:** {data['aar_date'] or '—'}",
        f"**Severity / scope:** {md_inline(severity)}",
        f"**Facilitator:** {md_inline(data['facilitator']) or '—'}",
        f"**Participants:** {md_inline(', '.join(data['participants'])) or '—'}",
        "",
        "## Summary",
        "",
        md_block(review.summary) or "No summary was written.",
        "",
        "## Impact",
        "",
    ]
    users = "" if review.impact_users_affected is None else f"{review.impact_users_affected:,}"
    if review.impact_users_segment:
        users = f"{users}, {review.impact_users_segment}" if users else review.impact_users_segment
    out += [
        f"- Users affected: {md_inline(users) or 'not known'}",
        f"- Duration: {md_inline(review.impact_duration) or 'not known'}",
        f"- Revenue / business impact: {md_inline(review.impact_business) or 'none recorded'}",
        "",
        "## Timeline",
        "",
    ]
    if data["entries"]:
        for row in data["entries"]:
            e = row["entry"]
            offset = f" ({row['offset']})" if row["offset"] else ""
            text = e.correction or e.description
            source = (
                f" [{e.get_source_display()}{': ' + e.source_ref if e.source_ref else ''}]"
                if e.source
                else ""
            )
            out.append(
                f"- {row['time']}{offset} {md_inline(e.get_kind_display())}: {md_inline(text)}{md_inline(source)}"
            )
    else:
        out.append("No timeline was recorded.")
    out += ["", "## Root cause analysis", ""]
    if review.root_cause_method == "causal_chain" and data["causal"]:
        out.append("Causal chain:")
        out.append("")
        out += [
            f"- {md_inline(f.text)} ({md_inline(f.get_factor_type_display().lower())})"
            for f in data["causal"]
        ]
    elif data["why_tree"]:
        out.append("Five whys:")
        out.append("")
        out += _why_lines(data["why_tree"])
        if data["causal"]:
            out += ["", "Causal factors:", ""]
            out += [
                f"- {md_inline(f.text)} ({md_inline(f.get_factor_type_display().lower())})"
                for f in data["causal"]
            ]
    else:
        out.append("No root cause analysis was recorded.")
    out += ["", "## Contributing factors", ""]
    if data["factors"]:
        by_category: dict[str, list[str]] = {}
        for f in data["factors"]:
            by_category.setdefault(f.get_category_display(), []).append(f.text)
        for category, texts in by_category.items():
            out.append(f"- {md_inline(category)}:")
            out += [f"  - {md_inline(t)}" for t in texts]
    else:
        out.append("None recorded.")
    out += [
        "",
        "## What went well",
        "",
        _bullets([w.text for w in data["went_well"]], "Nothing recorded."),
        "",
    ]
    out += [
        "## Action items",
        "",
        "| Action | Owner | Due | Type | Status |",
        "|---|---|---|---|---|",
    ]
    for a in data["actions"]:
        out.append(
            f"| {_cell(a.title)} | {_cell(display_name(a.owner))} | {a.due_on.isoformat() if a.due_on else '—'}"
            f" | {_cell(a.get_action_type_display())} | {_cell(a.get_status_display())} |"
        )
    if not data["actions"]:
        out += ["", "No actions were needed." if review.no_actions else "No actions recorded."]
    out += ["", "## Lessons", ""]
    lessons = [md_block(review.lessons)] if review.lessons.strip() else []
    lessons += [f"- {md_inline(lesson.text)}" for lesson in data["lessons"]]
    out.append("\n\n".join(lessons) if lessons else "None recorded.")
    return "\n".join(out).rstrip() + "\n"


def render_markdown_report(review: Review, data: dict[str, Any] | None = None) -> str:
    """The method's output format. (Pull-request reviews get the pull-request template once it
    is built; until then they use this format too.)"""
    return _method_markdown(data or report_data(review))


# --- JSON: the whole review for other tools ---------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def report_json(review: Review, data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = data or report_data(review)

    def whys(branches: list[WhyBranch]) -> list[dict[str, Any]]:
        return [
            {"text": b.text, "evidence": b.evidence, "answers": whys(b.children)} for b in branches
        ]

    return {
        "schema": "aar.review/1",
        "slug": review.slug,
        "title": review.title,
        "kind": review.kind,
        "severity": review.severity,
        "team": review.team.name,
        "status": review.status,
        "event": {
            "started_at": _iso(review.event_started_at),
            "detected_at": _iso(review.event_detected_at),
            "ended_at": _iso(review.event_ended_at),
        },
        "meeting": {
            "scheduled_at": _iso(review.scheduled_at),
            "started_at": _iso(review.meeting_started_at),
            "ended_at": _iso(review.meeting_ended_at),
            "agenda": [
                {
                    "phase": r["phase"].phase,
                    "planned_minutes": r["planned"],
                    "extended_minutes": r["extended"],
                    "actual_minutes": r["actual_minutes"],
                }
                for r in data["agenda"]
            ],
        },
        "facilitator": data["facilitator"],
        "participants": data["participants"],
        "summary": review.summary,
        "impact": {
            "users_affected": review.impact_users_affected,
            "users_segment": review.impact_users_segment,
            "duration": review.impact_duration,
            "business": review.impact_business,
        },
        "timeline": [
            {
                "occurred_at": _iso(row["entry"].occurred_at),
                "offset": row["offset"],
                "kind": row["entry"].kind,
                "description": row["entry"].description,
                "correction": row["entry"].correction,
                "source": row["entry"].source,
                "source_ref": row["entry"].source_ref,
            }
            for row in data["entries"]
        ],
        "root_cause": {
            "method": review.root_cause_method,
            "five_whys": whys(data["why_tree"]),
            "causal_chain": [{"text": f.text, "type": f.factor_type} for f in data["causal"]],
        },
        "contributing_factors": [{"text": f.text, "category": f.category} for f in data["factors"]],
        "went_well": [w.text for w in data["went_well"]],
        "actions": [
            {
                "title": a.title,
                "owner": display_name(a.owner),
                "due_on": _iso(a.due_on),
                "type": a.action_type,
                "size": a.size,
                "status": a.status,
                "definition_of_done": a.definition_of_done,
            }
            for a in data["actions"]
        ],
        "lessons": {
            "text": review.lessons,
            "items": [{"text": x.text, "category": x.category} for x in data["lessons"]],
        },
        "published_at": _iso(review.published_at),
    }


def render_json_report(review: Review, data: dict[str, Any] | None = None) -> str:
    return json.dumps(report_json(review, data), indent=2, ensure_ascii=False) + "\n"
