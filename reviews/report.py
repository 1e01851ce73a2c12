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
from typing import Any, NotRequired, TypedDict

from django.utils import timezone
from django.utils.text import slugify

from actions.models import ActionItem
from reviews.display import AgendaRow, agenda_report, display_name, format_offset
from reviews.models import (
    PR_SECTIONS,
    CausalFactor,
    ContributingFactor,
    Lesson,
    Review,
    ReviewKind,
    Role,
    TimelineEntry,
    WentWell,
    pull_request_of,
)

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


class EntryRow(TypedDict):
    entry: TimelineEntry
    time: str  # local, YYYY-MM-DD HH:MM
    offset: str  # T+1h05m from T-0, or ""


class ReportData(TypedDict):
    """Everything a report shows; the Markdown, HTML, PDF, JSON and external forms read it."""

    review: Review
    event_date: str
    aar_date: str
    facilitator: str
    participants: list[str]
    entries: list[EntryRow]
    why_tree: list[WhyBranch]
    causal: list[CausalFactor]
    factors: list[ContributingFactor]
    went_well: list[WentWell]
    lessons: list[Lesson]
    actions: list[ActionItem]
    agenda: list[AgendaRow]
    external: NotRequired[bool]  # names replaced by roles
    generated_at: NotRequired[dt.datetime]  # fixed by the golden-file test


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def report_data(review: Review) -> ReportData:
    """Everything the report shows, read in a fixed number of queries."""
    order: dict[str, int] = {
        Role.FACILITATOR: 0,
        Role.SCRIBE: 1,
        Role.PARTICIPANT: 2,
        Role.OBSERVER: 3,
    }
    participants = sorted(
        review.participants.select_related("user"),
        key=lambda p: (order.get(p.role, 9), p.added_at, p.pk),
    )
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
        # The day the review was held; the planned day until it is.
        "aar_date": _day(review.meeting_started_at or review.scheduled_at),
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


def _method_markdown(data: ReportData) -> str:
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
            label = (
                e.get_source_display() + (f": {e.source_ref}" if e.source_ref else "")
                if e.source
                else ""
            )
            source = f" ({md_inline(label)})" if label else ""
            out.append(
                f"- {row['time']}{offset} {md_inline(e.get_kind_display())}: {md_inline(text)}{source}"
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
            f"| {_cell(a.title)} | {_cell(getattr(a, 'external_owner', '') or display_name(a.owner))} | {a.due_on.isoformat() if a.due_on else '—'}"
            f" | {_cell(a.get_action_type_display())} | {_cell(a.get_status_display())} |"
        )
    if not data["actions"]:
        out += ["", "No actions were needed." if review.no_actions else "No actions recorded."]
    out += ["", "## Lessons", ""]
    lessons = [md_block(review.lessons)] if review.lessons.strip() else []
    lessons += [f"- {md_inline(lesson.text)}" for lesson in data["lessons"]]
    out.append("\n\n".join(lessons) if lessons else "None recorded.")
    return "\n".join(out).rstrip() + "\n"


def _pull_request_markdown(data: ReportData) -> str:
    """The pull-request template's sections, every one filled from the data (no placeholder)."""
    review: Review = data["review"]
    pr = pull_request_of(review)
    sections = pr.sections or {}
    none = "None recorded."

    def field_lines(group: str, fields: list[tuple[str, str]]) -> list[str]:
        return [
            f"- **{label}**: {md_inline(sections.get(f'{group}.{key}', '')) or none}"
            for key, label in fields
        ]

    number = f"#{pr.number}" if pr.number else "no number"
    opened, merged = pr.opened_at, pr.merged_at
    if opened and merged:
        days = (merged - opened).days
        duration = f"{_day(opened)} to {_day(merged)} ({days} day{'s' if days != 1 else ''})"
    else:
        duration = f"opened {_day(opened)}" if opened else "not recorded"
    reviewers = ", ".join(f"@{r}" for r in pr.reviewer_list()) or "none recorded"
    out = [
        f"# After Actions Report: {md_inline(review.title)} ({number})",
        "",
        "## Executive Summary",
        "",
        md_block(review.summary) or "No summary was written.",
        "",
        "## Context",
        "",
        f"- **PR Number**: {number}",
        f"- **PR Type**: {md_inline(pr.get_pr_type_display()) or 'not recorded'}",
        f"- **Priority**: {md_inline(pr.get_priority_display()) or 'not recorded'}",
        f"- **Files Changed**: {pr.files_changed if pr.files_changed is not None else 'not recorded'}",
        f"- **Lines Added/Removed**: +{pr.lines_added or 0} -{pr.lines_removed or 0}",
        f"- **Duration**: {duration}",
        f"- **Author**: {'@' + md_inline(pr.author) if pr.author else 'not recorded'}",
        f"- **Reviewers**: {md_inline(reviewers)}",
        "",
        "## Timeline",
        "",
    ]
    if data["entries"]:
        for row in data["entries"]:
            e = row["entry"]
            out.append(
                f"- **{md_inline(row['time'])}**: {md_inline(e.get_kind_display())}, {md_inline(e.correction or e.description)}"
            )
    else:
        out.append("No timeline was recorded.")
    groups = {group: (title, fields) for title, group, fields in PR_SECTIONS}
    out += ["", "## Technical Changes", "", "### Key Components Modified", ""]
    out += field_lines("technical", groups["technical"][1])
    out += ["", "### Architectural Decisions", ""]
    out += field_lines("decisions", groups["decisions"][1])
    out += ["", "## What Worked Well", "", _bullets([w.text for w in data["went_well"]], none)]
    out += ["", "## Areas for Improvement", ""]
    out.append(
        "\n".join(
            f"- {md_inline(f.text)} ({md_inline(f.get_category_display().lower())})"
            for f in data["factors"]
        )
        or none
    )
    out += ["", "## Testing Approach", ""]
    out += field_lines("testing", groups["testing"][1])
    out += ["", "## Action Items", ""]
    if data["actions"]:
        for a in data["actions"]:
            box = "x" if a.status == "done" else " "
            owner = md_inline(display_name(a.owner)) or "no owner"
            due = a.due_on.isoformat() if a.due_on else "no date"
            out.append(f"- [{box}] {md_inline(a.title)} (@{owner}, due: {due})")
    else:
        out.append("No actions were needed." if review.no_actions else "No actions recorded.")
    out += ["", "## Lessons Learned", "", "### Technical Learnings", ""]
    out.append(_bullets([x.text for x in data["lessons"] if x.category == "technical"], none))
    out += ["", "### Process Learnings", ""]
    process = [x.text for x in data["lessons"] if x.category != "technical"]
    if review.lessons.strip():
        process.insert(0, review.lessons)
    out.append(_bullets(process, none))
    out += ["", "## Knowledge Sharing", ""]
    out += field_lines("knowledge", groups["knowledge"][1])
    out += ["", "## Follow-up Work", ""]
    out += field_lines("followup", groups["followup"][1])
    generated = timezone.localtime(data.get("generated_at") or timezone.now()).strftime(
        "%Y-%m-%d %H:%M %Z"
    )
    next_review = review.next_review_on.isoformat() if review.next_review_on else "not scheduled"
    out += ["", "---", "", f"**AAR Generated**: {generated}  ", f"**Next Review**: {next_review}"]
    return "\n".join(out).rstrip() + "\n"


def render_markdown_report(review: Review, data: ReportData | None = None) -> str:
    """The method's output format, or the pull-request template for a pull-request review."""
    data = data or report_data(review)
    if review.kind == ReviewKind.PULL_REQUEST:
        return _pull_request_markdown(data)
    return _method_markdown(data)


# --- The external summary -------------------------------------------------------------------------


def external_data(review: Review) -> ReportData:
    """The report for people outside: names replaced by roles (accounts are never in a report)."""
    data = report_data(review)
    roles = {p.user_id: p.get_role_display() for p in review.participants.all()}
    names: dict[str, str] = {}
    for p in review.participants.select_related("user"):
        label = roles[p.user_id]
        user = p.user
        handle = user.email.partition("@")[0]
        for name in (user.get_full_name(), user.first_name, user.last_name, user.email, handle):
            name = name.strip()
            if len(name) > 1:
                names.setdefault(name.casefold(), label)
    # Any spelling: case folded, the whole address or its handle, first or last name alone;
    # a name is replaced where it is not part of a longer word or address.
    pattern = (
        re.compile(
            r"(?<![\w@.])@?("
            + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            + r")(?![\w@])",
            re.IGNORECASE,
        )
        if names
        else None
    )

    def clean(text: str) -> str:
        if not (pattern and text):
            return text
        return pattern.sub(lambda m: f"[{names[m.group(1).casefold()]}]", text)

    review.summary, review.lessons, review.impact_business = (
        clean(review.summary),
        clean(review.lessons),
        clean(review.impact_business),
    )
    for row in data["entries"]:
        row["entry"].description = clean(row["entry"].description)
        row["entry"].correction = clean(row["entry"].correction)
        row["entry"].source_ref = clean(row["entry"].source_ref)

    def clean_tree(branches: list[WhyBranch]) -> None:
        for b in branches:
            b.text, b.evidence = clean(b.text), [clean(x) for x in b.evidence]
            clean_tree(b.children)

    clean_tree(data["why_tree"])
    for item in [*data["causal"], *data["factors"], *data["went_well"], *data["lessons"]]:
        item.text = clean(item.text)
    for action in data["actions"]:
        action.title = clean(action.title)
        # A display-only label the report templates show in place of the owner.
        action.external_owner = roles.get(action.owner_id, "Team member") if action.owner_id else ""  # type: ignore[attr-defined]
        action.owner = None
    data["facilitator"] = "Facilitator"
    counts: dict[str, int] = {}
    for p in review.participants.exclude(role=Role.OBSERVER):
        counts[p.get_role_display()] = counts.get(p.get_role_display(), 0) + 1
    data["participants"] = [
        f"{n} {label.lower()}{'s' if n > 1 else ''}" if label == "Participant" else label
        for label, n in counts.items()
    ]
    data["external"] = True
    return data


def search_document(review: Review, data: ReportData | None = None) -> str:
    """What the archive searches: title, summary, timeline, findings, actions. Never accounts."""
    data = data or report_data(review)
    parts = [review.title, review.summary, review.lessons, review.impact_business]
    parts += [row["entry"].correction or row["entry"].description for row in data["entries"]]

    def walk(branches: list[WhyBranch]) -> None:
        for b in branches:
            parts.append(b.text)
            walk(b.children)

    walk(data["why_tree"])
    parts += [
        x.text for x in [*data["causal"], *data["factors"], *data["went_well"], *data["lessons"]]
    ]
    parts += [a.title for a in data["actions"]]
    return "\n".join(p for p in parts if p)


# --- JSON: the whole review for other tools ---------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def report_json(review: Review, data: ReportData | None = None) -> dict[str, Any]:
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


def render_json_report(review: Review, data: ReportData | None = None) -> str:
    return json.dumps(report_json(review, data), indent=2, ensure_ascii=False) + "\n"
