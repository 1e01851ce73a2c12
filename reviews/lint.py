"""Check a Markdown review document: the content as real teams write it, or AAR's exact format.

`lint_document(text)` reads any reasonable AAR or postmortem: headings are recognised by
meaning at any level ("Action Items", "Follow-ups", "Remediation", "Lessons Learned", "What
went right", "Root Cause(s)", …). A document not in the method's format gets one note; the
findings go to content: action items wherever they are (tables with an action-like header,
bullet and checkbox lists, "Action point:" lines, the pull-request template's
`- [ ] … (@owner, due: YYYY-MM-DD)`, "We will …" commitments) and blame in every narrative
section. `strict=True` also checks the exact format AAR itself exports.

The judgements are the live hints' (`reviews.hints`): one engine for both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from reviews.hints import is_directive, owner_is_group, title_is_joined, vague_hint
from reviews.hints.language import blames_in_sentence
from reviews.hints.text import plain, readable, sentences


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    code: str
    message: str


# --- Sections by meaning --------------------------------------------------------------------

SECTION_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("participants", re.compile(r"^(?:participants|attendees|people|authors?|responders|who)\b")),
    ("went_well", re.compile(r"^(?:what went (?:well|right)|things that went well|went well|"
                             r"what worked|positives|successes|where we got lucky)\b")),
    ("lessons", re.compile(r"^(?:lessons?(?: learn(?:ed|t))?|learnings|(?:key )?takeaways|what we learn(?:ed|t)|"
                           r"recovery and lessons|conclusions?|(?:for )?next time|"
                           r"(?:things|what) (?:to|we(?:'ll|’ll| will| would|'d|’d)) do differently)\b")),
    ("actions", re.compile(r"^(?:action(?:s| items?| points?| plan)?(?: taken| planned| required)?|"
                           r"follow[- ]?ups?(?: tasks| actions| items)?|remediations?(?: items| actions)?|"
                           r"next steps|to ?dos?|tasks|corrective(?: and preventi(?:ve|on))? actions|"
                           r"preventi(?:ve|on)(?: actions| measures)?|recommendations?|remedial measures|"
                           r"mitigations?(?: steps)?|(?:\w+ )?improvements|what we(?:'re| are| will be) doing|"
                           r"what we will do|future (?:works?|plans?|steps|improvements)|looking (?:forward|ahead)|"
                           r"(?:the )?(?:path|way) forward|going forward|moving forward|what'?s next|"
                           r"(?:our )?plans?(?: going forward)?|"
                           r"what we(?:'ve|’ve| have)? (?:changed|fixed|done|did|are changing)|"
                           r"what(?:'s|’s| is| has| have) (?:changed|changing)|changes (?:made|we made))\b")),
    ("timeline", re.compile(r"^(?:timeline|chronology|sequence of events|incident log|"
                            r"detailed timeline)\b")),
    ("root_cause", re.compile(r"^(?:root[- ]?causes?(?: analysis| identification)?|causes?|"
                              r"five whys|5 whys|why)\b")),
    ("factors", re.compile(r"^(?:contributing factors?|triggers?|what went wrong|"
                           r"what (?:didn't|did not) go well|what went poorly|challenges)\b")),
    ("impact", re.compile(r"^(?:impact|customer impact|user impact|severity)\b")),
    # Someone else's words or pointers elsewhere: chat logs, mail, links (not the writers'
    # account, so not read for blame)
    # (chat logs, transcripts and appendices anywhere in a heading: APPENDIX_ANYWHERE)
    ("appendix", re.compile(r"^(?:(?:chat|slack|irc|discord|zulip|matrix|meeting) "
                            r"(?:logs?|messages|history|conversations?)|"
                            r"raw (?:notes|logs)|references|links|resources|glossary|correspondence|"
                            r"e-?mails?(?: sent)?|further reading|related (?:issues|links|incidents|reading))\b")),
    ("summary", re.compile(r"^(?:summary|overview|tl;?dr|abstract|executive summary|"
                           r"what happened|background|leadup|description)\b")),
]  # fmt: skip
NOT_NARRATIVE = {"actions", "participants", "appendix"}
APPENDIX_ANYWHERE = re.compile(
    r"\b(?:chat logs?|chat transcripts?|transcripts?|appendi(?:x|ces))\b"
)


# A heading that names remediation is about actions whatever it qualifies: "Root Cause
# Remediations", "Further Mitigations and Learnings", "Incident follow-ups".
ACTIONS_ANYWHERE = re.compile(
    r"\b(?:remediations?|follow[- ]?ups?|action items?|next steps|mitigations|"
    r"(?:steps|actions|measures) taken|(?:mitigation|remediation) steps|"
    r"corrective actions?|preventi(?:ve|on) measures)\b"
)


def section_kind(heading: str) -> str:
    text = plain(heading).lower()
    text = re.sub(r"^[\W\d]+", "", text).strip()
    if ACTIONS_ANYWHERE.search(text):
        return "actions"
    if APPENDIX_ANYWHERE.search(text):
        return "appendix"
    for kind, pattern in SECTION_KINDS:
        if pattern.match(text):
            return kind
    return "other"


# --- The document as blocks -----------------------------------------------------------------


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "item" | "row"
    line: int
    text: str
    section: str = "other"
    cells: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    level: int = 0
    depth: int = 0  # an item's list nesting: 1 for a top-level bullet


# Only the block structure is needed (inline tokens keep their source text): inline parsing,
# half the time of a parse, is switched off.
PARSER = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


def _blocks(text: str) -> list[Block]:
    tokens = PARSER.parse(text)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []  # (heading level, kind)
    in_item = 0
    in_quote = 0
    header: list[str] = []
    row: list[str] | None = None
    row_line = 0
    in_head = False
    intro = False  # the paragraph before a list announced actions: its items are actions
    listed = 0  # depth of the list that paragraph introduced
    lists = 0
    for i, token in enumerate(tokens):
        line = (token.map or [0])[0] + 1
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
            if intro and not listed:
                listed = lists
            intro = False
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            if listed == lists:
                listed = 0
            lists -= 1
        if token.type == "heading_open":
            intro = False
            level = int(token.tag[1])
            title = tokens[i + 1].content.strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            kind = section_kind(title)
            if kind == "other" and stack:
                kind = stack[-1][1]  # a sub-heading inside "Action items" names a topic
            stack.append((level, kind))
            blocks.append(Block("heading", line, title, kind, level=level))
        elif token.type == "blockquote_open":
            in_quote += 1
        elif token.type == "blockquote_close":
            in_quote -= 1
        elif token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "thead_open":
            in_head, header = True, []
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row, row_line = [], line
        elif token.type in ("th_open", "td_open") and row is not None:
            row.append(tokens[i + 1].content.strip())
        elif token.type == "tr_close" and row is not None:
            if in_head:
                header = row
            else:
                section = stack[-1][1] if stack else "other"
                blocks.append(Block("row", row_line, " | ".join(row), section, row, header))
            row = None
        elif token.type == "inline" and not in_quote and row is None:
            previous = tokens[i - 1].type if i else ""
            if previous != "paragraph_open":
                continue
            section = stack[-1][1] if stack else "other"
            kind = "item" if in_item else "paragraph"
            if kind == "item" and listed == lists and listed:
                section = "actions"  # its own items; nested ones detail them
            elif kind == "paragraph":
                intro = _announces_actions(token.content)
            else:  # "- **Review actions**:" with the actions nested under it
                label = token.content.split("\n", 1)[0]
                intro = len(label.split()) <= 6 and _announces_actions(label)
            blocks.append(Block(kind, line, token.content, section, depth=lists if in_item else 0))
    return blocks


# "We have taken these actions today:", "Next steps:", or "Action items" on a line of its own
# (a heading written as a paragraph): the list that follows holds actions.
ACTION_INTRO = re.compile(
    r"\b(?<!into )(?<!in )(?:actions?|steps|measures|remediations?|follow[- ]?ups?|we will|we are going to|"
    r"we plan to|we have taken|changes|improvements|fixes|safeguards|"
    r"we(?:'ve|’ve| have) (?:made|changed|added|implemented|introduced|put in place)|"
    r"to (?:prevent|avoid) (?:this|similar|such|a repeat|recurrence))\b[^.]*:\s*$",
    re.IGNORECASE,
)


def _announces_actions(paragraph: str) -> bool:
    text = " ".join(paragraph.split())
    if ACTION_INTRO.search(text):
        return True
    return len(text.split()) <= 4 and not text.endswith(".") and section_kind(text) == "actions"


# --- Actions --------------------------------------------------------------------------------

# "Action", "Action item description", "Task", "Follow-up (link)": the column that says what.
ACTION_HEADER = re.compile(
    r"^(?:(?:action(?: items?)?|tasks?|follow[- ]?ups?|remediations?|recommendations?|"
    r"measures?)(?:\s+(?:description|title|summary|name))?\b.*|items?|todo|to do|what|"
    r"description|title|change|fix|issue)$",
    re.IGNORECASE,
)
OWNER_HEADER = re.compile(
    r"^(?:owners?|assignees?|assigned(?: to)?|who|responsible|dri|lead)$", re.I
)
DUE_HEADER = re.compile(r"^(?:due(?: date| on)?|deadline|target(?: date)?|when|eta|by)$", re.I)
STATUS_HEADER = re.compile(r"^(?:status|state|done)$", re.I)
ACTION_PREFIX = re.compile(
    r"^\W*(?:action(?: item| point)?s?(?: taken| planned)?|ai|todo|to ?do|follow[- ]?up|"
    r"recommendations?)\s*[:–—-]+[*_]*\s*",
    re.IGNORECASE,
)
DONE_PREFIX = re.compile(
    r"^\W*(?:action taken|done|completed|fixed)\s*[:–—-]+[*_]*\s*", re.IGNORECASE
)
# A commitment says what will be done: "We will …", "We should …". "We have …" in the
# narrative reports what is (or was), so it is not one.
COMMITMENT = re.compile(
    r"^(?:(?:ideally|moving forward|going forward|in the future|more generally|next|however|but|so|"
    r"therefore|instead|now|also),?\s+)?"
    r"(?:(?:before|after|when|once|until|whenever)\b[^,]{3,120},\s+)?"
    r"(?:we|i)(?:,\s+as\s+[^,]{1,60},)?(?:\s+also)?(?:\s+have\s+\w+ed\b[^.]*?\band)?"
    r"(?:\s+(?:will|should|shall|must|need to|are going to|plan to|intend to|want to|would like to)"
    r"|['’]ll|(?:['’]re|\s+are)\s+(?:now\s+|currently\s+|also\s+|still\s+)?(?:working on|planning (?:to|on)|"
    r"discussing|investigating|exploring|considering|evaluating|looking into|reviewing)"
    r"|(?:['’]ve|\s+have)\s+(?:now\s+|also\s+)?(?:begun|started)\s+\w+ing)\s+\w",
    re.IGNORECASE,
)
# "N/A", "None.", "No immediate action items.": the place for actions says there are none.
NO_ACTION = re.compile(
    r"^\W*(?:n/?a|none|nothing|tbd|-+|—|–|no (?:\w+ )?(?:action items?|actions?|follow[- ]?ups?|"
    r"remediations?)(?: (?:needed|required|identified|planned|at this time|yet))*)\W*$",
    re.IGNORECASE,
)


def _no_action(text: str) -> bool:
    """Nothing in the place of an action: empty, "N/A", "No immediate action items."."""
    words = plain(text).strip()
    return not words or bool(NO_ACTION.match(words))


ABOUT_ACTIONS = re.compile(
    r"^(?:the |our |these |all )?(?:action items?|actions|follow[- ]?ups?|items)\s+(?:fall|are|is|have|"
    r"were|will be|should(?: not)? be|can be|may be|must(?: not)? be|come|belong)\b",
    re.IGNORECASE,
)
# "We want to give you some insight into what happened": the writers talking to the readers.
TO_READERS = re.compile(
    r"^(?:\w+,?\s+)?(?:we|i)\s+(?:(?:want|wanted|would like|'d like)\s+to\s+(?:give|share|tell|explain|"
    r"thank|apologi[sz]e|let|inform|provide|offer|outline|describe|update|reassure|walk)|"
    # "Now, I must say here, …": the writer's aside
    r"(?:must|should|will|have to|need to|would)\s+(?:say|admit|confess|stress|emphasi[sz]e|note|"
    r"point out|thank|apologi[sz]e|mention|add|repeat|reiterate))\b",
    re.IGNORECASE,
)
# The pull-request template's form: "- [ ] Add the alert (@pat, due: 2026-12-01)".
TEMPLATE_TAIL = re.compile(
    r"\(\s*(?:owner:\s*)?(@?[\w.-]+(?:\s[\w.-]+)?)\s*,\s*due:\s*(\d{4}-\d{2}-\d{2})\s*\)\s*$",
    re.IGNORECASE,
)
OWNER_IN_TEXT = re.compile(
    r"(?:\bowner:\s*|\bassign(?:ed|ee)(?: to)?:?\s*|(?<![\w/])@)([\w.-]+(?:/[\w.-]+)?)", re.I
)
DATE_IN_TEXT = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b(?:by|before|until|due)\s+(?:the\s+)?(?:end of\s+)?"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:by|before|in)\s+q[1-4]\b|"
    r"\b(?:later|end of) this (?:year|quarter|month|week)\b|\bnext (?:week|month|quarter|sprint)\b",
    re.IGNORECASE,
)
TRAILING_NOTE = re.compile(r"\s*(?:\((?:done|in progress|wip|completed|fixed|closed)\)|"
                           r"\[(?:issue|pr)\]\([^)]*\))\s*$", re.I)  # fmt: skip


@dataclass(frozen=True)
class Action:
    line: int
    title: str
    owner: str | None
    due: dt.date | None
    dated: bool
    done: bool


def _iso(text: str) -> dt.date | None:
    match = re.search(r"\d{4}-\d{2}-\d{2}", text)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(0))
    except ValueError:
        return None


def _from_row(block: Block) -> Action | None:
    header = [plain(h).strip().lower() for h in block.header]
    title_at = next((i for i, h in enumerate(header) if ACTION_HEADER.match(h)), None)
    if title_at is None or title_at >= len(block.cells):
        return None
    if _no_action(block.cells[title_at]):
        return None  # an empty row, or "N/A"

    def cell(pattern: re.Pattern[str]) -> str | None:
        at = next((i for i, h in enumerate(header) if pattern.match(h)), None)
        return block.cells[at] if at is not None and at < len(block.cells) else None

    owner = cell(OWNER_HEADER)
    due = cell(DUE_HEADER)
    status = (cell(STATUS_HEADER) or "").lower()
    owner = owner.strip() if owner and owner.strip() not in ("", "—", "-", "–") else None
    return Action(
        block.line,
        block.cells[title_at],
        owner,
        _iso(due or ""),
        bool(due and due.strip(" —-")),
        status in ("done", "closed", "won't do", "wont do", "fixed", "complete", "completed", "x"),
    )


def _headline(title: str) -> str:
    """An item's title: its first sentence, or the words before "Title: explanation"."""
    first = next(iter(sentences(title)), title)
    colon = re.search(r"(?<![:/])[:]\s+(?=\S)", first)
    if colon and len(first[: colon.start()].split()) >= 3 and "](" not in first[: colon.end()]:
        first = first[: colon.start()]
    return first.strip(" *_")


def _from_text(block: Block, lines: list[str], *, in_actions: bool) -> list[Action]:
    text = block.text
    checkbox = re.match(r"^\[([ xX])\]\s+", text)
    done = bool(checkbox and checkbox.group(1).lower() == "x") or bool(DONE_PREFIX.match(text))
    if checkbox:
        text = text[checkbox.end() :]
    first = text.split("\n", 1)[0]
    # Outside an action section "TODO:" is usually a note about the document itself
    # ("TODO: credit the reporter"), so only "Action item:" and the like mark an action there.
    titled = ACTION_PREFIX.match(first) and not re.match(r"^\W*to ?do\b", first, re.IGNORECASE)
    if in_actions or checkbox or titled:
        title = ACTION_PREFIX.sub("", " ".join(text.split()), count=1)
        title = DONE_PREFIX.sub("", title, count=1).strip()
        title = TRAILING_NOTE.sub("", title)
        owner, due = None, None
        template = TEMPLATE_TAIL.search(title)
        if template:
            owner, due = template.group(1), _iso(template.group(2))
            title = title[: template.start()].rstrip()
        else:
            found = OWNER_IN_TEXT.search(title)
            owner = found.group(1) if found else None
            due = _iso(title)
        if _no_action(title):
            return []
        title = _headline(title)
        return [
            Action(block.line, title, owner, due, bool(due or DATE_IN_TEXT.search(title)), done)
        ]
    # Elsewhere only explicit commitments count: "We will …", "We should …".
    commitments: list[Action] = []
    anything = block.section == "actions"  # a paragraph under "Actions taken": each sentence
    for sentence in sentences(text):
        words = plain(sentence)
        if _no_action(words) or TO_READERS.match(words):
            continue
        if sentence.rstrip().endswith(":") or ABOUT_ACTIONS.match(words):
            continue  # "Types:", "Action items fall under three types": about the list
        if anything or COMMITMENT.match(words):
            commitments.append(
                Action(_line_of(sentence, block, lines), sentence, None, None, False, False)
            )
    return commitments


CONTENT_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")
STOP_WORDS = {"should", "will", "need", "must", "have", "that", "this", "with", "from", "into",
              "look", "make", "sure", "also", "more", "some", "when", "what", "which", "there",
              "their", "them", "they", "were", "been", "being", "about", "could", "would"}  # fmt: skip


def _words_of(title: str) -> set[str]:
    return set(CONTENT_WORD.findall(plain(title).lower())) - STOP_WORDS


def _restates(title: str, listed: list[set[str]]) -> bool:
    """Most of a commitment's words are an action item's: the narrative restates it."""
    words = _words_of(title)
    return any(len(words & other) >= max(2, min(len(words), len(other)) / 2) for other in listed)


def actions_of(blocks: list[Block], lines: list[str]) -> list[Action]:
    listed: list[Action] = []  # the action items proper (tables, action sections, checkboxes)
    said: list[Action] = []  # commitments in the narrative: "We should …", "We will …"
    for block in blocks:
        if block.kind == "row":
            if block.section == "actions" or block.header:
                action = _from_row(block)
                if action:
                    listed.append(action)
        elif block.kind in ("item", "paragraph") and block.section != "appendix":
            # "Build a playable game as soon as possible" under "Lessons" or "Conclusions":
            # an imperative lesson is an action the writers set themselves
            lesson = (  # only a top-level bullet has depth 1
                block.section == "lessons"
                and block.depth == 1
                and is_directive(block.text.split("\n", 1)[0])
            )
            in_actions = (block.section == "actions" and block.kind == "item") or lesson
            found = _from_text(block, lines, in_actions=in_actions)
            if block.section == "actions" or block.kind == "item":
                listed += found
            else:
                said += found
    words = [_words_of(a.title) for a in listed]
    said = [a for a in said if not _restates(a.title, words)]
    return sorted(listed + said, key=lambda a: a.line)


# --- The checks -----------------------------------------------------------------------------

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


def _action_findings(actions: list[Action], today: dt.date) -> list[Finding]:
    findings = []
    for action in actions:
        name = readable(action.title)
        hint = vague_hint(action.title)
        if hint:
            findings.append(
                Finding(
                    action.line,
                    "action.vague",
                    f"action “{name}”: {hint.message} {hint.suggestion}",
                )
            )
        if title_is_joined(action.title):
            findings.append(
                Finding(
                    action.line,
                    "action.joined",
                    f"action “{name}” looks like two actions: split it so each has its own owner and date",
                )
            )
        if action.owner and owner_is_group(action.owner):
            findings.append(
                Finding(
                    action.line,
                    "action.owner",
                    f"action “{name}” is owned by “{action.owner}”, not a person: name one person who will see it done",
                )
            )
        if action.due and action.due < today and not action.done:
            findings.append(
                Finding(
                    action.line,
                    "action.past",
                    f"action “{name}” is past its due date ({action.due}) and not marked done",
                )
            )
    return findings


def _strict_owner_findings(actions: list[Action]) -> list[Finding]:
    """AAR's own table: every open row names a person and a date (YYYY-MM-DD)."""
    findings = []
    for action in actions:
        name = readable(action.title)
        if action.done:
            continue
        if not action.owner:
            findings.append(
                Finding(action.line, "action.no_owner", f"action “{name}” has no owner")
            )
        if not action.due:
            findings.append(
                Finding(
                    action.line, "action.no_due", f"action “{name}” has no due date (YYYY-MM-DD)"
                )
            )
    return findings


def _unowned_findings(actions: list[Action]) -> list[Finding]:
    """One line for a document's actions without an owner or a date (they are many in real
    postmortems; one finding per row would drown the rest)."""
    open_actions = [a for a in actions if not a.done]
    unowned = sum(1 for a in open_actions if not a.owner)
    undated = sum(1 for a in open_actions if not a.dated)
    if not (unowned or undated):
        return []
    parts = [f"{unowned} without an owner"] if unowned else []
    parts += [f"{undated} without a due date"] if undated else []
    plural = "s" if len(open_actions) != 1 else ""
    return [
        Finding(
            open_actions[0].line,
            "actions.unowned",
            f"of {len(open_actions)} open action{plural}, "
            + " and ".join(parts)
            + ": each needs one person and a real date to be chased",
        )
    ]


def _line_of(sentence: str, block: Block, lines: list[str]) -> int:
    """The line a sentence starts on, found from its first words in the block's lines."""
    words = sentence.split()[:3]
    if not words:
        return block.line
    probe = words[0]
    for offset, raw in enumerate(lines[block.line - 1 : block.line + 40]):
        if probe in raw and (len(words) < 2 or words[1] in raw or raw.rstrip().endswith(probe)):
            return block.line + offset
    return block.line


def _blame_findings(blocks: list[Block], lines: list[str]) -> list[Finding]:
    findings = []
    for block in blocks:
        if block.kind == "heading" or block.section in NOT_NARRATIVE:
            continue
        for sentence in sentences(plain(block.text)):
            found = blames_in_sentence(sentence)
            if not found:
                continue
            message, suggestion = found[0].advice()
            findings.append(
                Finding(
                    _line_of(sentence, block, lines),
                    f"blame.{found[0].kind}",
                    f"{message} {suggestion}",
                )
            )
    return findings


def _format_findings(text: str, blocks: list[Block]) -> list[Finding]:
    """Where the document departs from the format AAR exports (the method's report)."""
    findings: list[Finding] = []
    headings = [b for b in blocks if b.kind == "heading"]
    titles = [h for h in headings if h.level == 1]
    if not titles or not titles[0].text.startswith("AAR:"):
        findings.append(
            Finding(titles[0].line if titles else 1, "format.title",
                    "the document must start with the title “# AAR: <event name>”")
        )  # fmt: skip
    for label in HEADER_LINES:
        if not re.search(rf"^\*\*{re.escape(label)}:\*\*\s*\S", text, re.MULTILINE):
            findings.append(
                Finding(2, "format.header", f"missing the header line “**{label}:** …”")
            )
    found = [(h.line, h.text) for h in headings if h.level == 2]
    names = [name for _, name in found]
    for section in SECTIONS:
        if section not in names:
            findings.append(Finding(1, "format.section", f"missing the section “## {section}”"))
    present = [(line, n) for line, n in found if n in SECTIONS]
    expected = [s for s in SECTIONS if s in names]
    for (line, name), want in zip(present, expected, strict=False):
        if name != want:
            findings.append(
                Finding(line, "format.order",
                        "sections are out of order; the method's order is " + ", ".join(SECTIONS))
            )  # fmt: skip
            break
    tables = [b for b in blocks if b.kind == "row" and b.header and b.header[0] == "Action"]
    if "## Action items" in text:
        if not tables:
            findings.append(
                Finding(1, "format.table",
                        "the action items must be a table with the columns " + " | ".join(TABLE_HEADER))
            )  # fmt: skip
        elif tables[0].header != TABLE_HEADER:
            findings.append(
                Finding(tables[0].line - 2, "format.table",
                        "the action table needs exactly the columns " + " | ".join(TABLE_HEADER))
            )  # fmt: skip
    return findings


def lint_document(
    text: str, *, strict: bool = False, today: dt.date | None = None
) -> list[Finding]:
    """Findings for one Markdown document, sorted by line."""
    today = today or dt.date.today()
    blocks = _blocks(text)
    lines = text.splitlines()
    findings: list[Finding] = []
    departures = _format_findings(text, blocks)
    if strict:
        findings += departures
    elif departures:
        findings.append(
            Finding(1, "format", f"not in the method's report format ({len(departures)} "
                    "differences; --strict lists them): its content was checked as written")
        )  # fmt: skip
    actions = actions_of(blocks, lines)
    findings += _action_findings(actions, today)
    findings += _strict_owner_findings(actions) if strict else _unowned_findings(actions)
    if not actions:
        findings.append(
            Finding(1, "actions.none", "no action items found: a review ends with specific, "
                    "owned, dated actions (a section “Action items”, a table, or a list)")
        )  # fmt: skip
    findings += _blame_findings(blocks, lines)
    return sorted(set(findings))
