"""The published report: its permanent page, downloads, and the publish button."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from reviews.access import Need, ReviewAccess, review_view
from reviews.forms import ArchiveFilter
from reviews.models import (
    PR_SECTIONS,
    ExportFormat,
    ExportStatus,
    Review,
    ReviewStatus,
    pull_request_of,
)
from reviews.report import external_data, render_markdown_report, report_data, report_filename
from reviews.services.publish import (
    AlreadyPublished,
    PublishRefused,
    export_dir,
    exports_retry,
    missing_for_publish,
    report_recipients,
    review_publish,
)
from reviews.services.reviews import pull_request_sections_save

CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _published(access: ReviewAccess) -> None:
    if access.review.status != ReviewStatus.PUBLISHED:
        raise Http404("Not published")


@login_required
@require_GET
@review_view()
def report_detail(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    _published(access)
    review = access.review
    exports = review.exports.filter(report_version=review.report_version).order_by("file_format")
    context = {**report_data(review), "access": access, "exports": list(exports), "nav": "reviews"}
    return render(request, "reviews/report_detail.html", context)


@login_required
@require_GET
@review_view()
def report_download(
    request: AuthenticatedHttpRequest, access: ReviewAccess, file_format: str
) -> FileResponse:
    _published(access)
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
@require_http_methods(["GET", "POST"])
@review_view(Need.MANAGE)
def publish(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """GET: the report as it will be published, what is still missing, and exactly who will
    be emailed; POST: publish, with the emails or without them."""
    if not (access.is_facilitator or access.is_delivery_owner):
        raise Http404("No such review")
    review = access.review
    if request.method == "GET":
        context = {
            **report_data(review),
            "access": access,
            "missing": missing_for_publish(review),
            "recipients": report_recipients(review),
            "can_publish": review.status in (ReviewStatus.WRITING, ReviewStatus.PUBLISHED),
            "nav": "reviews",
        }
        return render(request, "reviews/publish_preview.html", context)
    try:
        seen = int(request.POST.get("report_version", ""))
    except ValueError:
        seen = None
    send_emails = request.POST.get("emails") != "none"
    try:
        version = review_publish(review=review, over_version=seen, send_emails=send_emails)
    except PublishRefused as exc:
        messages.error(request, str(exc) + ".")
        return redirect("reviews:publish", review.slug)
    except AlreadyPublished as exc:
        messages.info(request, f"{exc} Nothing more was published.")
        return redirect("reports:detail", review.slug)
    published = "Published." if version == 1 else f"Version {version} published."
    messages.success(
        request,
        f"{published} The Markdown, PDF and JSON files are being prepared; "
        + (
            "the participants and stakeholders are emailed the link."
            if send_emails
            else "nobody was emailed."
        ),
    )
    return redirect("reports:detail", review.slug)


@login_required
@require_POST
@review_view(Need.MANAGE)
def exports_retry_view(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """Make the report's files again (after a failure, or a job that never came back)."""
    if exports_retry(review=access.review):
        messages.success(request, "The files are being made again.")
    else:
        messages.info(request, "Every file of this version is ready.")
    return redirect("reviews:detail", access.review.slug)


# --- The external summary --------------------------------------------------------------------


@login_required
@require_GET
@review_view()
def report_external(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    """SEV-1 and SEV-2 incidents: the report with names replaced by roles, for outside readers."""
    _published(access)
    review = access.review
    if review.kind != "incident" or review.severity not in ("sev1", "sev2"):
        raise Http404("No external summary for this review")
    data = external_data(Review.objects.select_related("team", "facilitator").get(pk=review.pk))
    if request.GET.get("format") == "md":
        response = HttpResponse(
            render_markdown_report(data["review"], data), content_type=CONTENT_TYPES["md"]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="external-{report_filename(review, "md")}"'
        )
        return response
    return render(
        request,
        "reviews/report_detail.html",
        {**data, "access": access, "exports": [], "nav": "reviews"},
    )


# --- The archive ---------------------------------------------------------------------------------

_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
RANK_WINDOW = 500


_WORD = re.compile(r"\w[\w'-]*")


def search_words(query: str) -> list[str]:
    """The words of a search, without duplicates (quotes and operators are not words)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if word not in {"or", "and", "not"}:
            seen.setdefault(word, None)
    return list(seen)


def word_snippet(text: str, words: list[str], width: int = 200) -> str:
    """About `width` characters of `text` around the first of the words, cut at word
    boundaries (with an ellipsis where it was cut), each word found in it marked."""
    lower = text.lower()
    found = [at for at in (lower.find(word) for word in words) if at >= 0]
    at = min(found) if found else 0
    start = max(0, at - width // 3)
    end = min(len(text), start + width)
    if start > 0:  # move forward to the next word's start
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    if end < len(text):  # move back to the end of the last whole word
        space = text.rfind(" ", at, end)
        end = space if space > at else end
    piece = " ".join(text[start:end].split())
    marked = (
        re.sub(
            "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)),
            lambda match: f"{_MARK_OPEN}{match.group(0)}{_MARK_CLOSE}",
            piece,
            flags=re.IGNORECASE,
        )
        if words
        else piece
    )
    return ("… " if start > 0 else "") + marked + (" …" if end < len(text) else "")


def _snippet_html(text: str) -> str:
    """A search snippet: people's text escaped, only our own <mark> tags kept."""
    html = escape(text).replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above


@login_required
@require_GET
def report_archive(request: AuthenticatedHttpRequest) -> HttpResponse:
    reviews = (
        Review.objects.visible_to(request.user)
        .published()
        .select_related("team")
        .defer("search_text", "search_vector", "summary")
    )
    form = ArchiveFilter(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("team"):
        reviews = reviews.filter(team__slug=data["team"])
    if data.get("kind"):
        reviews = reviews.filter(kind=data["kind"])
    if data.get("severity"):
        reviews = reviews.filter(severity=data["severity"])
    if data.get("since"):
        reviews = reviews.filter(published_at__date__gte=data["since"])
    if data.get("until"):
        reviews = reviews.filter(published_at__date__lte=data["until"])
    query = (data.get("q") or "").strip()
    results: list[dict[str, Any]] = []
    if query and connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        # Match and rank on the stored vector (GIN index); headlines only for what is shown.
        # The GIN index finds the matches; only the most recent RANK_WINDOW of them are ranked,
        # so a word found in every report costs no more than one found in a few thousand.
        window = list(
            reviews.filter(search_vector=search)
            .order_by("-published_at")
            .values_list("pk", flat=True)[:RANK_WINDOW]
        )
        ranked = list(
            Review.objects.filter(pk__in=window)
            .select_related("team")
            .defer("search_text", "search_vector", "summary")
            .annotate(rank=SearchRank("search_vector", search))
            .order_by("-rank", "-published_at")[:100]
        )
        snippets = dict(
            Review.objects.filter(pk__in=[r.pk for r in ranked])
            .annotate(
                snippet=SearchHeadline(
                    "search_text",
                    search,
                    config="english",
                    start_sel=_MARK_OPEN,
                    stop_sel=_MARK_CLOSE,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                )
            )
            .values_list("pk", "snippet")
        )
        results = [{"review": r, "snippet": _snippet_html(snippets.get(r.pk, ""))} for r in ranked]
    elif query:
        # The embedded default has no full-text search: every word must appear (in any
        # order), as on PostgreSQL.
        words = search_words(query)
        matching = reviews
        for word in words:
            matching = matching.filter(search_text__icontains=word)
        for r in matching.defer(None).order_by("-published_at")[:100] if words else []:
            results.append(
                {"review": r, "snippet": _snippet_html(word_snippet(r.search_text, words))}
            )
    else:
        results = [{"review": r, "snippet": ""} for r in reviews.order_by("-published_at")[:100]]
    return render(
        request,
        "reviews/report_archive.html",
        {"form": form, "results": results, "query": query, "nav": "reviews"},
    )


# --- The sections only a pull request has ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def pr_sections(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    if review.kind != "pull_request":
        raise Http404("Not a pull-request review")
    fields = [
        (f"{group}.{key}", label) for _title, group, items in PR_SECTIONS for key, label in items
    ]
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip()[:5000] for name, _ in fields}
        pull_request_sections_save(review=review, values=values)
        messages.success(request, "Saved.")
        return redirect("reviews:pr_sections", access.review.slug)
    sections = pull_request_of(review).sections
    groups = [
        {
            "title": title,
            "fields": [
                (f"{group}.{key}", label, sections.get(f"{group}.{key}", ""))
                for key, label in items
            ],
        }
        for title, group, items in PR_SECTIONS
    ]
    return render(
        request,
        "reviews/pr_sections.html",
        {"review": review, "access": access, "groups": groups, "nav": "reviews"},
    )
