"""Text as the checks read it: Markdown markup, code, links and quotations set aside.

A check judges what the writer says in their own voice. Code spans, addresses and quoted
words are someone else's text (or a machine's), so they are replaced by a neutral
placeholder before any pattern runs; link texts stay, their targets go.
"""

from __future__ import annotations

import re

PLACEHOLDER = "QUOTED"

CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+\1")
IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]*)\]\[[^\]]*\]")
FOOTNOTE = re.compile(r"\[\^[^\]]*\]")
URL = re.compile(r"<?\b(?:https?://|www\.)[^\s>)]+>?")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# Words in quotation marks: someone's words, a template's prompt, a name ("good enough").
# One quoted word keeps its text (scare quotes: 'lost'); two or more words are set aside.
QUOTED = re.compile(r"\"[^\"\n]+\"|“[^”\n]+”|(?<![\w])'[^'\n]+'(?![\w])|‘[^’\n]+’")


def _quoted(match: re.Match[str]) -> str:
    inner = match.group(0)[1:-1]
    return inner if len(inner.split()) < 2 else PLACEHOLDER


def _unmarked(text: str, *, link: str) -> str:
    """Link texts without their targets, no footnote marks, bare addresses as `link`, and
    emphasis markers gone."""
    text = IMAGE_OR_LINK.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = URL.sub(link, FOOTNOTE.sub("", text))
    for _ in range(2):  # nested emphasis: ***a*** or **_a_**
        text = EMPHASIS.sub(r"\2", text)
    return text


def plain(text: str) -> str:
    """The writer's own words: markup, code, addresses and quotations set aside."""
    text = _unmarked(CODE_SPAN.sub(PLACEHOLDER, text), link=PLACEHOLDER)
    text = HTML_TAG.sub("", EMAIL.sub(PLACEHOLDER, text))
    text = QUOTED.sub(_quoted, text)
    return " ".join(text.split())


# A sentence ends at . ! ? (or a colon before a line break) followed by space and a capital,
# a digit or a quotation mark; abbreviations and initials do not end one.
ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "dr", "mr", "mrs", "ms", "no"}
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(*]*[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph, in order (whitespace collapsed)."""
    text = " ".join(text.split())
    found: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        before = text[start : match.start()].rstrip('.!?"”’)')
        last_word = before.rsplit(" ", 1)[-1].lower()
        if last_word in ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue
        found.append(text[start : match.start()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        found.append(tail)
    return [s for s in found if s]


def readable(text: str, limit: int = 70) -> str:
    """Text to quote back to a person: markup and addresses out, words and code kept."""
    text = " ".join(_unmarked(text, link="(link)").replace("**", "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
