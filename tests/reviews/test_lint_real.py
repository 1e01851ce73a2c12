"""lint_aar over the real postmortems: it reads them all, and spends its findings on content."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from reviews.lint import lint_document

DOCS = Path(__file__).resolve().parent.parent / "data" / "real" / "postmortems" / "docs"


def test_every_real_document_gets_one_format_note_and_mostly_content_findings():
    documents = sorted(DOCS.rglob("*.md"))
    assert len(documents) >= 30
    kinds: Counter[str] = Counter()
    for path in documents:
        findings = lint_document(path.read_text(encoding="utf-8"))
        codes = [f.code for f in findings]
        assert codes.count("format") == 1, path  # one note, not one per missing section
        assert not any(c.startswith("format.") for c in codes), path
        kinds.update(c.split(".")[0] for c in codes)
    assert kinds["action"] + kinds["blame"] + kinds["actions"] > 2 * kinds["format"], kinds
    assert kinds["blame"] >= 40 and kinds["action"] >= 40, kinds
