"""Issue 18: the hints on real postmortems (tests/data/real/postmortems), by half.

The documents are split into a development half and a held-out half by a fixed seed; checks
are tuned on the development half only. Prints precision and recall of the vague-action and
blame checks on each half against the hand labels, and how far a second labeller, working blind
on 150 held-out actions and 150 held-out sentences, agrees with those labels (labels/second/),
beside the checks' score on the same rows.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from pathlib import Path

from reviews.hints import sentence_blames, title_is_joined, title_is_vague
from tests.benchmarks.common import line

DATA = Path(__file__).resolve().parent.parent / "data" / "real" / "postmortems"
SEED = "aar-2026"


def held_out(doc: str) -> bool:
    """Half the documents, fixed by the seed and the document's path."""
    return hashlib.sha256(f"{SEED}:{doc}".encode()).digest()[0] % 2 == 1


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / "labels" / name).open(encoding="utf-8") as f:
        lines = [row for row in f if not row.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _score(rows: list[tuple[bool, str]], flagged: Callable[[str], bool]) -> str:
    tp = sum(1 for bad, text in rows if bad and flagged(text))
    fp = sum(1 for bad, text in rows if not bad and flagged(text))
    fn = sum(1 for bad, text in rows if bad and not flagged(text))
    return (
        f"precision {tp / max(tp + fp, 1):.2f}, recall {tp / max(tp + fn, 1):.2f} "
        f"({sum(b for b, _ in rows)} of {len(rows)} labelled bad)"
    )


def _agreement(pairs: list[tuple[bool, bool]]) -> str:
    """The second labels scored against the first, with Cohen's kappa."""
    tp = sum(1 for first, second in pairs if first and second)
    fp = sum(1 for first, second in pairs if not first and second)
    fn = sum(1 for first, second in pairs if first and not second)
    n = len(pairs)
    observed = (n - fp - fn) / n
    expected = ((tp + fp) * (tp + fn) + (n - tp - fp) * (n - tp - fn)) / (n * n)
    kappa = (observed - expected) / (1 - expected)
    return (
        f"precision {tp / max(tp + fp, 1):.2f}, recall {tp / max(tp + fn, 1):.2f}, "
        f"kappa {kappa:.2f} ({n} rows)"
    )


def agreement(actions: list[dict[str, str]], sentences: list[dict[str, str]]) -> None:
    """How far a second labeller agrees with the labels, beside the checks on the same rows."""

    def key(row: dict[str, str]) -> tuple[str, str, str]:
        return row["doc"], row["line"], row["text"]

    first_actions, first_sentences = {key(r): r for r in actions}, {key(r): r for r in sentences}
    second_actions = [(first_actions[key(r)], r) for r in _second("actions.tsv")]
    second_sentences = [(first_sentences[key(r)], r) for r in _second("sentences.tsv")]
    for column, check in (("vague", title_is_vague), ("joined", title_is_joined)):
        first = [(a[column] == "1", b[column] == "1") for a, b in second_actions]
        line(f"second labeller: {column} (against the labels)", _agreement(first))
        line(
            "  the check on the same rows",
            _score([(a[column] == "1", a["text"]) for a, _ in second_actions], check),
        )
    first = [(a["label"] == "1", b["label"] == "1") for a, b in second_sentences]
    line("second labeller: blame (against the labels)", _agreement(first))
    line(
        "  the check on the same rows",
        _score([(a["label"] == "1", a["text"]) for a, _ in second_sentences], sentence_blames),
    )


def _second(name: str) -> list[dict[str, str]]:
    with (DATA / "labels" / "second" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def run() -> None:
    actions, sentences = _rows("actions.tsv"), _rows("sentences.tsv")
    docs = sorted({r["doc"] for r in actions} | {r["doc"] for r in sentences})
    line(
        "documents (development / held-out)",
        f"{sum(not held_out(d) for d in docs)} / {sum(held_out(d) for d in docs)}",
    )
    for half, name in ((False, "development"), (True, "held-out")):
        mine = [r for r in actions if held_out(r["doc"]) == half]
        vague = [(r["vague"] == "1", r["text"]) for r in mine]
        joined = [(r["joined"] == "1", r["text"]) for r in mine]
        blame = [(r["label"] == "1", r["text"]) for r in sentences if held_out(r["doc"]) == half]
        line(f"{name}: vague actions", _score(vague, title_is_vague))
        line(f"{name}: two actions in one", _score(joined, title_is_joined))
        line(f"{name}: blame and counterfactual sentences", _score(blame, sentence_blames))
    agreement(actions, sentences)
