"""The timeline editor: inline add, edit and delete, and imports with a preview."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aar_project.typing import AuthenticatedHttpRequest
from reviews.access import Need, ReviewAccess, review_view
from reviews.display import format_offset
from reviews.forms import ImportKindsForm, TimelineEntryForm, TimelineImportForm, problems
from reviews.imports import (
    MAX_BYTES,
    MAX_UPLOAD_BYTES,
    AlreadyImported,
    ImportRefused,
    default_day,
    parse_timeline,
    result_from_stored,
    result_to_stored,
    timeline_import_confirm,
    timeline_import_set_kinds,
)
from reviews.models import EntryKind, TimelineEntry, TimelineImport
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
        form = TimelineEntryForm(instance=entry, auto_id=f"id_edit{entry.pk}_%s")
        return render(
            request,
            TEMPLATE + ("#entry-form" if request.htmx else ""),
            {
                **_context(access),
                **_row_context(access, entry, edit_form=form, version=entry.version),
            },
        )
    form = TimelineEntryForm(
        request.POST, instance=TimelineEntry(review=access.review), auto_id=f"id_edit{entry.pk}_%s"
    )
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


IMPORT_PAGE_SIZE = 100  # preview rows a page shows (an export may hold 50,000)


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def import_upload(request: AuthenticatedHttpRequest, access: ReviewAccess) -> HttpResponse:
    review = access.review
    form = TimelineImportForm(
        request.POST or None, request.FILES or None, initial={"day": default_day(review)}
    )
    context = {"review": review, "access": access, "form": form, "nav": "reviews"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files, users = data["upload"], data.get("users_file")
        try:
            if data["lines"].strip():
                uploads = [("pasted lines", data["lines"].encode())]
            else:
                uploads = _read_uploads(files)
            users_raw = users.read(MAX_BYTES + 1) if users else b""
            result = parse_timeline(
                review, data["file_format"], uploads, users_raw, day=data.get("day")
            )
        except ImportRefused as exc:
            form.add_error("lines" if data["lines"].strip() else "upload", str(exc))
            return render(request, "reviews/timeline_import.html", context, status=400)
        stored = result_to_stored(result)
        pending = TimelineImport.objects.create(
            review=review,
            file_format=data["file_format"],
            filename=(uploads[0][0] if len(uploads) == 1 else f"{len(uploads)} files")[:200],
            rows=stored["rows"],
            errors=stored["errors"],
            skipped_counts=stored["skipped"],
            notes=stored["notes"],
            created_by=request.user,
        )
        return redirect("reviews:timeline_import_preview", review.slug, pending.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/timeline_import.html", context, status=status)


def _read_uploads(files: list[UploadedFile]) -> list[tuple[str, bytes]]:
    uploads, total = [], 0
    for upload in files:
        raw = upload.read(MAX_UPLOAD_BYTES - total + 1)
        total += len(raw)
        if total > MAX_UPLOAD_BYTES:
            raise ImportRefused(
                f"The upload is larger than {MAX_UPLOAD_BYTES // 1048576} MB; export the "
                "channels and days of the event only."
            )
        uploads.append((upload.name or "upload", raw))
    return uploads


@login_required
@require_http_methods(["GET", "POST"])
@review_view(Need.EDIT)
def import_preview(
    request: AuthenticatedHttpRequest, access: ReviewAccess, pk: int
) -> HttpResponse:
    review = access.review
    pending = get_object_or_404(TimelineImport, pk=pk, review=review, applied_at__isnull=True)
    if request.method == "POST":
        form = ImportKindsForm(request.POST, rows=len(pending.rows))
        if not form.is_valid():
            messages.error(request, problems(form))
            return redirect(_preview_url(review.slug, pending.pk, request.POST.get("page")))
        try:
            pending = timeline_import_set_kinds(
                pending=pending,
                kinds=form.row_kinds(),
                selected=form.cleaned_data["selected"],
                kind_for_selected=form.cleaned_data["kind_for_selected"],
            )
        except AlreadyImported as exc:
            messages.info(request, str(exc))
            return redirect("reviews:timeline", review.slug)
        if form.cleaned_data["action"] != "import":
            goto = form.cleaned_data["goto"]
            if goto is None:
                messages.success(request, "Kinds saved; nothing is imported until you confirm.")
            number = str(goto) if goto else request.POST.get("page")
            return redirect(_preview_url(review.slug, pending.pk, number))
        result = result_from_stored(pending.rows, pending.errors)
        if result.errors:
            messages.error(
                request, "Fix the rows with errors and upload the file again; nothing was imported."
            )
            return redirect(_preview_url(review.slug, pending.pk, request.POST.get("page")))
        try:
            outcome = timeline_import_confirm(pending=pending, result=result, actor=request.user)
        except AlreadyImported as exc:
            messages.info(request, str(exc))
            return redirect("reviews:timeline", review.slug)
        messages.success(
            request,
            f"Imported {outcome.added} entr{'y' if outcome.added == 1 else 'ies'}"
            + (
                f"; {outcome.skipped} already on the timeline were skipped."
                if outcome.skipped
                else "."
            ),
        )
        return redirect("reviews:timeline", review.slug)
    existing = set(
        review.timeline_entries.exclude(import_key="").values_list("import_key", flat=True)
    )
    page = Paginator(pending.rows, IMPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    first = (page.number - 1) * IMPORT_PAGE_SIZE
    rows = [
        {
            "index": first + n,
            "row": row,
            "at": at,
            "offset": format_offset(at, review.t0),
            "known": row["key"] in existing,
        }
        for n, row in enumerate(page.object_list)
        for at in [dt.datetime.fromisoformat(row["at"])]
    ]
    known = sum(1 for row in pending.rows if row["key"] in existing)
    context = {
        "review": review,
        "access": access,
        "pending": pending,
        "page": page,
        "rows": rows,
        "errors": pending.errors,
        "skipped": sorted(pending.skipped_counts.items(), key=lambda item: -item[1]),
        "notes": pending.notes,
        "total": len(pending.rows),
        "new_count": len(pending.rows) - known,
        "known_count": known,
        "kinds": EntryKind.choices,
        "nav": "reviews",
    }
    return render(request, "reviews/timeline_import_preview.html", context)


def _preview_url(slug: str, pk: int, page: str | None) -> str:
    url = reverse("reviews:timeline_import_preview", args=[slug, pk])
    return f"{url}?page={int(page)}" if page and page.isdigit() else url
