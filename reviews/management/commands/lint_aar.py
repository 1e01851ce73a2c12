"""Check AAR documents written anywhere against the method's output format and its hints.

    python manage.py lint_aar docs/aar-2026-11-20-checkout.md [more.md ...]

Prints `FILE:LINE: message` for each finding; exits 1 when there is any, 0 when clean.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from markdown_it import MarkdownIt

from reviews.hints import blame_hints, owner_is_group, title_is_joined, title_is_vague

SECTIONS = [
    "Summary",
    "Impact",
    "Timeline",
    "Root cause analysis",
    "Contributing factors",
    "What went well",
    "Action items",
    "Lessons",
]
HEADER_LINES = ["Date of event", "AAR date", "Severity / scope", "Facilitator", "Participants"]
TABLE_HEADER = ["Action", "Owner", "Due", "Type", "Status"]
BLAMELESS_SECTIONS = {"Root cause analysis", "Contributing factors", "Lessons"}


def lint_text(text: str) -> list[tuple[int, str]]:
    """Findings as (line, message) for one Markdown AAR document."""
    findings: list[tuple[int, str]] = []
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append(
                (int(token.tag[1]), (token.map or [0])[0] + 1, tokens[i + 1].content.strip())
            )
    titles = [h for h in headings if h[0] == 1]
    if not titles or not titles[0][2].startswith("AAR:"):
        findings.append(
            (
                titles[0][1] if titles else 1,
                "the document must start with the title “# AAR: <event name>”",
            )
        )
    for label in HEADER_LINES:
        if not re.search(rf"^\*\*{re.escape(label)}:\*\*\s*\S", text, re.MULTILINE):
            findings.append((2, f"missing the header line “**{label}:** …”"))
    found = [(line, name) for level, line, name in headings if level == 2]
    names = [name for _, name in found]
    for section in SECTIONS:
        if section not in names:
            findings.append((1, f"missing the section “## {section}”"))
    present = [n for n in names if n in SECTIONS]
    expected = [s for s in SECTIONS if s in present]
    if present != expected:
        line = next(
            line
            for (line, name), want in zip(
                [f for f in found if f[1] in SECTIONS], expected, strict=False
            )
            if name != want
        )
        findings.append(
            (line, "sections are out of order; the method's order is " + ", ".join(SECTIONS))
        )
    findings += _lint_actions(tokens, text)
    findings += _lint_language(tokens, found)
    return sorted(findings)


def _section_of(line: int, found: list[tuple[int, str]]) -> str:
    current = ""
    for start, name in found:
        if start <= line:
            current = name
    return current


def _lint_actions(tokens: Any, text: str) -> list[tuple[int, str]]:
    findings: list[tuple[int, str]] = []
    tables = []
    i = 0
    while i < len(tokens):
        if tokens[i].type == "table_open":
            rows: list[tuple[int, list[str]]] = []
            row: list[str] | None = None
            line = 0
            while tokens[i].type != "table_close":
                t = tokens[i]
                if t.type == "tr_open":
                    row, line = [], (t.map or [0])[0] + 1
                elif t.type in ("th_open", "td_open") and row is not None:
                    row.append(tokens[i + 1].content.strip())
                elif t.type == "tr_close" and row is not None:
                    rows.append((line, row))
                    row = None
                i += 1
            tables.append(rows)
        i += 1
    action_tables = [t for t in tables if t and t[0][1] and t[0][1][0] == "Action"]
    if "## Action items" in text and not action_tables:
        findings.append(
            (1, "the action items must be a table with the columns " + " | ".join(TABLE_HEADER))
        )
    today = dt.date.today()
    for table in action_tables:
        line, header = table[0]
        if header != TABLE_HEADER:
            findings.append(
                (line, "the action table needs exactly the columns " + " | ".join(TABLE_HEADER))
            )
            continue
        for line, cells in table[1:]:
            title, owner, due = cells[0], cells[1], cells[2]
            if not owner or owner in ("—", "-"):
                findings.append((line, f"action “{title}” has no owner"))
            elif owner_is_group(owner):
                findings.append((line, f"action “{title}” is owned by “{owner}”, not a person"))
            try:
                due_day = dt.date.fromisoformat(due)
            except ValueError:
                findings.append((line, f"action “{title}” has no due date (YYYY-MM-DD)"))
                due_day = None
            if (
                due_day
                and due_day < today
                and cells[4].lower() not in ("done", "won't do", "wont do", "closed")
            ):
                findings.append(
                    (
                        line,
                        f"action “{title}” is past its due date and still {cells[4].lower() or 'open'}",
                    )
                )
            if title_is_vague(title):
                findings.append(
                    (line, f"action “{title}” is vague: say what exactly, and how much")
                )
            if title_is_joined(title):
                findings.append((line, f"action “{title}” looks like two actions: split it"))
    return findings


def _lint_language(tokens: Any, found: list[tuple[int, str]]) -> list[tuple[int, str]]:
    findings = []
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0] + 1
        if _section_of(line, found) in BLAMELESS_SECTIONS:
            for hint in blame_hints(token.content):
                findings.append((line, f"{hint.message} {hint.suggestion}"))
    return findings


class Command(BaseCommand):
    help = "Check Markdown AAR documents against the method's format and its hints."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for name in options["files"]:
            for line, message in self._lint_file(Path(name)):
                self.stdout.write(f"{name}:{line}: {message}")
                total += 1
        if total:
            sys.exit(1)

    def _lint_file(self, path: Path) -> list[tuple[int, str]]:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return [(0, f"cannot read the file: {exc.strerror}")]
        if b"\x00" in raw[:8192]:
            return [(0, "not a text file")]
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [(0, "not UTF-8 text")]
        if not text.strip():
            return [(1, "the file is empty")]
        return lint_text(text)
