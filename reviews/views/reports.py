"""The published report: its permanent page, downloads, and the publish button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from aar_project.typing import HtmxHttpRequest
from reviews.access import Need, get_review_for
from reviews.models import ExportFormat, ExportStatus, ReviewStatus
from reviews.publish import PublishRefused, export_dir, review_publish
from reviews.report import report_data, report_filename

CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _published(request: HtmxHttpRequest, slug: str):
    access = get_review_for(request.user, slug)
    if access.review.status != ReviewStatus.PUBLISHED:
        raise Http404("Not published")
    return access


@login_required
@require_GET
def report_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = _published(request, slug)
    review = access.review
    exports = review.exports.filter(report_version=review.report_version).order_by("file_format")
    context = {**report_data(review), "access": access, "exports": list(exports), "nav": "reviews"}
    return render(request, "reviews/report_detail.html", context)


@login_required
@require_GET
def report_download(request: HtmxHttpRequest, slug: str, file_format: str) -> FileResponse:
    access = _published(request, slug)
    review = access.review
    if file_format not in ExportFormat.values:
        raise Http404("No such format")
    export = review.exports.filter(
        report_version=review.report_version, file_format=file_format, status=ExportStatus.DONE
    ).first()
    if export is None:
        raise Http404("Not ready yet")
    path = export_dir(review, review.report_version) / report_filename(review, file_format)
    if not path.exists():
        raise Http404("The file is gone")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=CONTENT_TYPES[file_format],
    )


@login_required
@require_POST
def publish(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_review_for(request.user, slug, Need.MANAGE)
    if not (access.is_facilitator or access.is_delivery_owner):
        raise Http404("No such review")
    try:
        version = review_publish(review=access.review)
    except PublishRefused as exc:
        messages.error(request, str(exc) + ".")
        return redirect("reviews:detail", slug)
    messages.success(
        request,
        "Published. The Markdown, PDF and JSON files are being prepared, and the participants "
        "and stakeholders are emailed the link."
        if version == 1
        else f"Version {version} published.",
    )
    return redirect("reports:detail", slug)
