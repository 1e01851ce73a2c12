"""Import timeline entries from a file: the same parsers and rules as the web import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from reviews.imports import ImportRefused, parse_timeline, timeline_import_apply
from reviews.models import ImportFormat, Review


class Command(BaseCommand):
    help = (
        "Import timeline entries into a review: CSV, JSON Lines, a Slack export (its zip, a "
        "folder of day files or one day file) or chat and log lines."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("review", help="the review's id or slug")
        parser.add_argument("file", help="the file to import (Slack: also a zip or a folder)")
        parser.add_argument(
            "--format", required=True, choices=ImportFormat.values, dest="file_format"
        )
        parser.add_argument("--users", help="Slack only: users.json, for people's names")
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            help="lines only: the date of lines that carry only a time (YYYY-MM-DD)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["review"]
        lookup = Q(slug=key) | (Q(pk=int(key)) if key.isdigit() else Q())
        review = Review.objects.filter(lookup).first()
        if review is None:
            raise CommandError(f"No review with id or slug {key!r}.")
        path = Path(options["file"])
        try:
            if path.is_dir():
                uploads = [
                    (str(p.relative_to(path)), p.read_bytes())
                    for p in sorted(path.rglob("*"))
                    if p.is_file()
                ]
            else:
                uploads = [(path.name, path.read_bytes())]
            users = Path(options["users"]).read_bytes() if options.get("users") else b""
        except OSError as exc:
            raise CommandError(f"Cannot read the file: {exc}") from exc
        try:
            result = parse_timeline(
                review, options["file_format"], uploads, users, day=options.get("date")
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        for line, message in result.errors:
            self.stderr.write(f"{options['file']}:{line}: {message}")
        for note in result.notes:
            self.stderr.write(note)
        if result.skipped:
            left = ", ".join(f"{n} {reason}" for reason, n in result.skipped.most_common())
            self.stdout.write(f"Left out: {left}.")
        if result.errors:
            raise CommandError(f"{len(result.errors)} row(s) have errors; nothing was imported.")
        if options["dry_run"]:
            existing = set(review.timeline_entries.values_list("import_key", flat=True))
            new = len({row.key for row in result.rows} - existing)
            self.stdout.write(
                f"Dry run: {new} entries would be added, {len(result.rows) - new} skipped."
            )
            return
        outcome = timeline_import_apply(review=review, result=result, actor=None)
        self.stdout.write(
            f"Added {outcome.added} entries, skipped {outcome.skipped} already present."
        )
