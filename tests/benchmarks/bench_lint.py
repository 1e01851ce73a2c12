"""Issue 18: `lint_aar` on the real postmortems, by half: how many findings a careful reviewer
would agree with, what kinds they are, and how fast it reads 1,000 documents.

A finding is scored against the hand labels (tests/data/real/postmortems/labels), where
every document's actions and blame sentences are fully labelled:

- "not in the method's format": right (none of these documents is in AAR's format);
- a vague / two-in-one / team-owner finding: right when a labelled action starts on its
  line (or, if none does, on one of the next two) with that label; wrong when the action
  is labelled otherwise or nothing labelled starts there (the linter took something for an
  action that is not one);
- "N of M actions without an owner / a date": right when a labelled action lacks one;
- "no action items found": right when the document has no labelled action;
- a blame finding: right when a sentence labelled blame starts on (or runs over) its line.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.core.management import call_command

from reviews.lint import Finding, lint_document
from tests.benchmarks.bench_real_hints import DATA, _rows, held_out
from tests.benchmarks.common import line

DOCS = DATA / "docs"


def _span(doc_lines: list[str], start: int, text: str) -> range:
    """The lines a labelled sentence runs over (from its start, by its last words)."""
    tail = " ".join(text.split()[-2:])
    for offset in range(0, 30):
        at = start - 1 + offset
        if at >= len(doc_lines):
            break
        if tail and tail in " ".join(doc_lines[at].split()):
            return range(start, start + offset + 1)
    return range(start, start + 1)


def score(doc: str, findings: list[Finding], actions: list[dict[str, str]],
          sentences: list[dict[str, str]]) -> list[tuple[str, bool]]:  # fmt: skip
    lines = (DOCS / doc).read_text(encoding="utf-8").splitlines()
    by_line: dict[int, list[dict[str, str]]] = {}
    for row in actions:
        by_line.setdefault(int(row["line"]), []).append(row)

    def labelled(line: int, column: str, value: str) -> bool:
        """A labelled action starting on the finding's line (several may share one), or, when
        none does, on the next two (a bullet's link or "**HIGH**" before the title's words)."""
        for at in (line, line + 1, line + 2):
            if at in by_line:
                return any(r[column] == value for r in by_line[at])
        return False

    blamed: set[int] = set()
    for row in sentences:
        if row["label"] == "1":
            blamed.update(_span(lines, int(row["line"]), row["text"]))
    results = []
    for finding in findings:
        code = finding.code
        if code == "format":
            right = True
        elif code == "actions.none":
            right = not actions
        elif code == "actions.unowned":
            right = any(r["owner"] == "none" or r["dated"] == "0" for r in actions)
        elif code == "action.vague":
            right = labelled(finding.line, "vague", "1")
        elif code == "action.joined":
            right = labelled(finding.line, "joined", "1")
        elif code == "action.owner":
            right = labelled(finding.line, "owner", "nonperson")
        elif code == "action.past":
            right = labelled(finding.line, "dated", "1")
        elif code.startswith("blame."):
            right = finding.line in blamed
        else:
            right = False
        results.append((code, right))
    return results


def run() -> None:
    actions, sentences = _rows("actions.tsv"), _rows("sentences.tsv")
    docs = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    texts = {doc: (DOCS / doc).read_text(encoding="utf-8") for doc in docs}
    for half, name in ((False, "development"), (True, "held-out")):
        results: list[tuple[str, bool]] = []
        for doc in (d for d in docs if held_out(d) == half):
            findings = lint_document(texts[doc])
            results += score(
                doc,
                findings,
                [r for r in actions if r["doc"] == doc],
                [r for r in sentences if r["doc"] == doc],
            )
        content = [(c, ok) for c, ok in results if c != "format"]
        right = sum(ok for _, ok in results)
        line(
            f"{name}: lint_aar findings a reviewer agrees with",
            f"{right / max(len(results), 1):.2f} of {len(results)} "
            f"(content only: {sum(ok for _, ok in content) / max(len(content), 1):.2f} of {len(content)})",
        )
        kinds = Counter(c.split(".")[0] if c.startswith("blame") else c for c, _ in results)
        wrong = Counter(c for c, ok in results if not ok)
        line(
            f"{name}: findings by kind (wrong)",
            ", ".join(f"{k} {n} ({wrong.get(k, 0) if k != 'blame' else sum(v for c, v in wrong.items() if c.startswith('blame'))})"
                      for k, n in sorted(kinds.items())),
        )  # fmt: skip
    corpus = [texts[d] for d in docs]
    batch = [corpus[i % len(corpus)] for i in range(1000)]
    size = sum(len(t) for t in batch)
    started = time.perf_counter()
    for text in batch:
        lint_document(text)
    elapsed = time.perf_counter() - started
    line(
        "lint 1,000 real documents (the corpus repeated)",
        f"{elapsed:.2f} s ({size / 1e6:.1f} MB, {elapsed:.2f} ms per document)",
    )
    with tempfile.TemporaryDirectory() as directory:
        for i, text in enumerate(batch):
            (Path(directory) / f"{i:04}.md").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
            call_command("lint_aar", directory, stdout=io.StringIO())
        line(
            "manage.py lint_aar on a directory of those 1,000 files (one process per CPU)",
            f"{time.perf_counter() - started:.2f} s",
        )
