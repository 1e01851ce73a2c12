"""Issue 7: precision and recall of the hints on the labelled set in tests/data/hints/."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

from reviews.hints import sentence_blames, title_is_joined, title_is_vague
from tests.benchmarks.common import line

DATA = Path(__file__).resolve().parent.parent / "data" / "hints"


def score(name: str, column: str, flagged: Callable[[str], bool]) -> None:
    with (DATA / name).open() as f:
        rows = [(r["label"] == "bad", r[column]) for r in csv.DictReader(f, delimiter="\t")]
    started = time.perf_counter()
    results = [(bad, flagged(text)) for bad, text in rows]
    per_item = (time.perf_counter() - started) / len(rows) * 1_000_000
    tp = sum(1 for bad, hit in results if bad and hit)
    fp = sum(1 for bad, hit in results if not bad and hit)
    fn = sum(1 for bad, hit in results if bad and not hit)
    line(
        f"{name} ({len(rows)} labelled)",
        f"precision {tp / max(tp + fp, 1):.3f}, recall {tp / max(tp + fn, 1):.3f}, {per_item:.0f} µs per check (targets >= 0.9)",
    )


def run() -> None:
    score("action_titles.tsv", "title", lambda t: title_is_vague(t) or title_is_joined(t))
    score("sentences.tsv", "sentence", sentence_blames)
