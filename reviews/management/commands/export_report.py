"""Write a review's report to a folder: `export_report REVIEW --format md|json --output DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.template.loader import render_to_string

from reviews.models import Review
from reviews.report import (
    ReportData,
    render_json_report,
    render_markdown_report,
    report_data,
    report_filename,
)
from reviews.services.publish import render_pdf


def _html(review: Review, data: ReportData) -> str:
    return render_to_string("reviews/report_print.html", data)


def _pdf(review: Review, data: ReportData) -> bytes:
    return render_pdf(review, data)


RENDERERS: dict[str, Any] = {
    "md": render_markdown_report,
    "json": render_json_report,
    "html": _html,
    "pdf": _pdf,
}


class Command(BaseCommand):
    help = "Render a review's report (Markdown, HTML, PDF or JSON) into a folder; prints its path."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("review", help="the review's id or slug")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="md", dest="file_format")
        parser.add_argument("--output", default=".", help="the folder to write into")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["review"]
        lookup = Q(slug=key) | (Q(pk=int(key)) if key.isdigit() else Q())
        review = Review.objects.select_related("team", "facilitator").filter(lookup).first()
        if review is None:
            raise CommandError(f"No review with id or slug {key!r}.")
        folder = Path(options["output"]).resolve()
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        # The file name is made by the server from a slug: whatever the title, it stays inside.
        path = folder / report_filename(review, options["file_format"])
        content = RENDERERS[options["file_format"]](review, report_data(review))
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        self.stdout.write(str(path))
