"""Check Markdown review documents: their content as written, or AAR's exact format.

    python manage.py lint_aar docs/postmortems/          # every *.md under it
    python manage.py lint_aar --strict aar-2026-11-20-checkout.md

Prints `FILE:LINE: message` for each finding. Exits 0 when clean, 1 when there are
findings, 2 when a file could not be read as a Markdown text (each such file gets one line).
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from reviews.lint import lint_document

# Many files are read by several processes (a document takes a few milliseconds).
PARALLEL_FROM = 50

MAX_BYTES = 5 * 1024 * 1024
NOT_MARKDOWN = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "a program",
}


def unreadable(path: Path, raw: bytes) -> str | None:
    """Why this file cannot be linted as a Markdown document, or None."""
    for magic, what in NOT_MARKDOWN.items():
        if raw.startswith(magic):
            return f"not a Markdown document: this is {what}"
    if b"\x00" in raw[:8192]:
        return "not a text file (it contains NUL bytes)"
    if len(raw) > MAX_BYTES:
        return f"too large to be a review ({len(raw) / 1024 / 1024:.1f} MB; the limit is 5 MB)"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte {error.start} cannot be read): save it as UTF-8"
    if not text.strip():
        return "the file is empty"
    start = text.lstrip()[:200].lower()
    if start.startswith(("<!doctype", "<html", "<?xml")):
        return "not a Markdown document: this is HTML or XML"
    if start.startswith(("{", "[")) and path.suffix.lower() in {".json", ".ipynb", ""}:
        return "not a Markdown document: this looks like JSON"
    return None


def lint_file(path: Path, strict: bool) -> tuple[str | None, list[str]]:
    """(why the file cannot be linted, or None; its findings as "LINE: message")."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return f"cannot read the file: {error.strerror}", []
    problem = unreadable(path, raw)
    if problem:
        return problem, []
    findings = lint_document(raw.decode("utf-8-sig"), strict=strict)
    return None, [f"{f.line}: {f.message}" for f in findings]


class Command(BaseCommand):
    help = "Check Markdown review documents (any reasonable postmortem; --strict: AAR's format)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", help="files, or directories to search for *.md")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="processes to use for many files (default: one per CPU)",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="also check the exact format AAR exports: sections, order, header lines, table",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files, empty_directories = self._files(options["paths"])
        strict = options["strict"]
        jobs = max(1, options["jobs"])
        if jobs > 1 and len(files) >= PARALLEL_FROM:
            with ProcessPoolExecutor(jobs) as pool:
                results = list(pool.map(lint_file, files, [strict] * len(files), chunksize=16))
        else:
            results = [lint_file(path, strict) for path in files]
        findings, failures = 0, empty_directories
        for path, (problem, lines) in zip(files, results, strict=True):
            if problem:
                self.stdout.write(f"{path}:0: {problem}")
                failures += 1
            for line in lines:
                self.stdout.write(f"{path}:{line}")
                findings += 1
        if failures:
            sys.exit(2)
        if findings:
            sys.exit(1)

    def _files(self, names: list[str]) -> tuple[list[Path], int]:
        """The files named and the *.md under the directories named; how many were empty."""
        files: list[Path] = []
        empty = 0
        for name in names:
            path = Path(name)
            if path.is_dir():
                found = sorted(p for p in path.rglob("*.md") if p.is_file())
                if not found:
                    self.stdout.write(f"{path}:0: no *.md files in this directory")
                    empty += 1
                files += found
            else:
                files.append(path)
        return files, empty
