"""The timeline editor: inline add, edit and delete, and imports with a preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from reviews.access import Need, ReviewAccess, review_view
from reviews.display import format_offset
from reviews.forms import TimelineEntryForm, TimelineImportForm
from reviews.imports import (
    AlreadyImported,
    ImportRefused,
    decode,
    parse_timeline,
    timeline_import_confirm,
)
from reviews.models import TimelineEntry, TimelineImport
from reviews.services.timeline import (
    timeline_entry_add,
    timeline_entry_delete,
    timeline_entry_update,
    timeline_with_offsets,
)
from reviews.versions import Stale

TEMPLATE = "reviews/timeline.html"


PAGE_SIZE = 200  # entries a page shows: what one page renders stays bounded


def _context(
    access: ReviewAccess, page_number: str | None = None, **extra: object
) -> dict[str, object]:
    entries = timeline_with_offsets(access.review)
    page = Paginator(entries, PAGE_SIZE).get_page(page_number)
    return {
        "review": access.review,
        "access": access,
        "entries": page.object_list,
        "page": page,
        "page_query": "",
        "form": TimelineEntryForm(),
        "nav": "reviews",
        **extra,
    }


@login_required
@require_GET
@review_view()
def timeline(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    template = TEMPLATE + (
        "#entries" if request.htmx and not request.htmx.history_restore_request else ""
    )
    return render(request, template, _context(access, request.GET.get("page")))


@login_required
@require_POST
@review_view(Need.EDIT)
def entry_add(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    form = TimelineEntryForm(request.POST)
    if form.is_valid():
        timeline_entry_add(review=access.review, actor=request.user, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, "Entry added.")
            return redirect("reviews:timeline", access.review.slug)
        return render(request, TEMPLATE + "#editor", _context(access))
    return render(
        request,
        TEMPLATE + ("#editor" if request.htmx else ""),
        _context(access, form=form),
        status=400,
    )


def _entry(access: ReviewAccess, pk: int) -> TimelineEntry:
    return get_object_or_404(TimelineEntry, pk=pk, review=access.review)


def _row_context(access: ReviewAccess, entry: TimelineEntry, **extra: object) -> dict[str, object]:
    entry.offset = format_offset(entry.occurred_at, access.review.t0)  # type: ignore[attr-defined]
    return {"review": access.review, "access": access, "entry": entry, **extra}


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def entry_edit(request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int) -> HttpResponse:
    entry = _entry(access, pk)
    if request.method == "GET":
        form = TimelineEntryForm(instance=entry)
        return render(
            request,
            TEMPLATE + ("#entry-form" if request.htmx else ""),
            {
                **_context(access),
                **_row_context(access, entry, edit_form=form, version=entry.version),
            },
        )
    form = TimelineEntryForm(request.POST, instance=TimelineEntry(review=access.review))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    if not form.is_valid():
        return render(
            request,
            TEMPLATE + ("#entry-form" if request.htmx else ""),
            {**_context(access), **_row_context(access, entry, edit_form=form, version=version)},
            status=400,
        )
    try:
        timeline_entry_update(entry=entry, version=version, **form.cleaned_data)
    except Stale as stale:
        conflict = {"theirs": stale.current_text, "mine": form.cleaned_data["description"]}
        return render(
            request,
            TEMPLATE + ("#entry-form" if request.htmx else ""),
            {
                **_context(access),
                **_row_context(
                    access, entry, edit_form=form, version=entry.version, conflict=conflict
                ),
            },
            status=409,
        )
    if request.htmx:
        return render(request, TEMPLATE + "#entries", _context(access))
    return redirect("reviews:timeline", access.review.slug)


@login_required
@require_POST
@review_view(Need.EDIT)
def entry_delete(request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int) -> HttpResponse:
    timeline_entry_delete(entry=_entry(access, pk))
    if request.htmx:
        return render(request, TEMPLATE + "#entries", _context(access))
    messages.success(request, "Entry deleted.")
    return redirect("reviews:timeline", access.review.slug)


# --- Imports ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def import_upload(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    form = TimelineImportForm(request.POST or None, request.FILES or None)
    context = {"review": access.review, "access": access, "form": form, "nav": "reviews"}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        users = form.cleaned_data.get("users_file")
        try:
            raw = upload.read(5 * 1024 * 1024 + 1)
            users_raw = users.read(5 * 1024 * 1024 + 1) if users else b""
            result = parse_timeline(access.review, form.cleaned_data["file_format"], raw, users_raw)
        except ImportRefused as exc:
            form.add_error("file", str(exc))
            return render(request, "reviews/timeline_import.html", context, status=400)
        pending = TimelineImport.objects.create(
            review=access.review,
            file_format=form.cleaned_data["file_format"],
            filename=upload.name[:200],
            content=decode(raw),
            users_content=decode(users_raw, "users.json") if users_raw else "",
            created_by=request.user,
        )
        del result
        return redirect("reviews:timeline_import_preview", access.review.slug, pending.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/timeline_import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def import_preview(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    pending = get_object_or_404(
        TimelineImport, pk=pk, review=access.review, applied_at__isnull=True
    )
    result = parse_timeline(
        access.review, pending.file_format, pending.content.encode(), pending.users_content.encode()
    )
    existing = set(
        access.review.timeline_entries.exclude(import_key="").values_list("import_key", flat=True)
    )
    rows = [
        {
            "row": row,
            "offset": format_offset(row.occurred_at, access.review.t0),
            "known": row.key in existing,
        }
        for row in result.rows
    ]
    context = {
        "review": access.review,
        "access": access,
        "pending": pending,
        "rows": rows,
        "errors": result.errors,
        "new_count": sum(1 for r in rows if not r["known"]),
        "nav": "reviews",
    }
    if request.method == "POST":
        if result.errors:
            messages.error(
                request, "Fix the rows with errors and upload the file again; nothing was imported."
            )
            return render(request, "reviews/timeline_import_preview.html", context, status=400)
        try:
            outcome = timeline_import_confirm(pending=pending, result=result, actor=request.user)
        except AlreadyImported as exc:
            messages.info(request, str(exc))
            return redirect("reviews:timeline", access.review.slug)
        messages.success(
            request,
            f"Imported {outcome.added} entr{'y' if outcome.added == 1 else 'ies'}"
            + (
                f"; {outcome.skipped} already on the timeline were skipped."
                if outcome.skipped
                else "."
            ),
        )
        return redirect("reviews:timeline", access.review.slug)
    return render(request, "reviews/timeline_import_preview.html", context)
