"""Cursor pagination on (a column, pk): each page starts after the last row of the one before.

A cursor is opaque to clients (URL-safe base64 of JSON). Rows are never skipped or repeated
while the list is read: a row that changes moves to the end (for `updated_at`), where the
last pages find it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any, TypeVar

from django.db.models import DateTimeField, Model, Q, QuerySet

from api.errors import InvalidInput

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _encode(value: Any, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, column: str, model: type[Model]) -> tuple[Any, int]:
    refused = InvalidInput({"cursor": ["Not a cursor this list gave out; start without one."]})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise refused from None
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise refused
    field = model._meta.pk if column == "pk" else model._meta.get_field(column)
    if isinstance(field, DateTimeField):
        try:
            value = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise refused from None
    elif value is not None and not isinstance(value, int):
        raise refused
    return value, pk


def page(
    rows: QuerySet[M], *, column: str, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """Up to `limit` rows in (column, pk) order after `cursor`, and the next page's cursor
    (None on the last page). One query."""
    if cursor:
        value, pk = _decode(cursor, column, rows.model)
        if column == "pk":
            rows = rows.filter(pk__gt=pk)
        else:
            rows = rows.filter(Q(**{f"{column}__gt": value}) | Q(**{column: value, "pk__gt": pk}))
    order = ["pk"] if column == "pk" else [column, "pk"]
    found = list(rows.order_by(*order)[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    value = last.pk if column == "pk" else getattr(last, column)
    return found[:limit], _encode(value, last.pk)
