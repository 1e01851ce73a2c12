"""Issue 18: the hints on real postmortems (tests/data/real/postmortems), by half.

The documents are split into a development half and a held-out half by a fixed seed; checks
are tuned on the development half only. Prints precision and recall of the vague-action and
blame checks on each half against the hand labels.
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
