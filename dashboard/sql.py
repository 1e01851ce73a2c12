"""SQL pieces the figures are built from: days between two moments, buckets, medians."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
)

from aar_project.dates import day_start


class DaysBetween(Func):
    """Whole calendar days (UTC) from the first date-time to the second, as a number."""

    output_field = FloatField()

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        start, end = self.source_expressions
        s_sql, s_params = compiler.compile(start)
        e_sql, e_params = compiler.compile(end)
        return s_sql, e_sql, [*e_params, *s_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        s_sql, e_sql, params = self._parts(compiler, connection)
        return (
            f"((({e_sql}) AT TIME ZONE 'UTC')::date - (({s_sql}) AT TIME ZONE 'UTC')::date)::float",
            params,
        )

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        s_sql, e_sql, params = self._parts(compiler, connection)
        return f"(julianday(date({e_sql})) - julianday(date({s_sql})))", params


class Bucket(Func):
    """Which of the consecutive intervals [edges[i-1], edges[i]) a date-time falls in: 1..n.

    `width_bucket` over a timestamp array on PostgreSQL (a binary search per row); a CASE
    on SQLite. Rows must already lie within [edges[0], edges[-1]).
    """

    output_field = IntegerField()

    def __init__(self, expression: Any, edges: list[dt.datetime]) -> None:
        super().__init__(expression)
        self.edges = edges

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, %s::timestamptz[])", [*params, self.edges]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        whens, out = [], []
        for i, edge in enumerate(self.edges[1:-1], start=1):
            whens.append(f"WHEN {sql} < %s THEN {i}")
            out += [*params, connection.ops.adapt_datetimefield_value(edge)]
        if not whens:
            return "1", []
        return f"CASE {' '.join(whens)} ELSE {len(self.edges) - 1} END", out


def bucket_of(field: str, days: list[dt.date]) -> Bucket:
    """Which interval between consecutive `days` (each from its first instant) `field` is in."""
    return Bucket(F(field), [day_start(day) for day in days])


def days_between(start: str, end: str) -> Any:
    return DaysBetween(F(start), F(end))


def rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def histogram_median(counts: Iterable[tuple[float, int]]) -> float | None:
    """The median (as percentile_cont(0.5)) of values given as (value, how many) pairs."""
    pairs = sorted((value, n) for value, n in counts if value is not None and n)
    total = sum(n for _, n in pairs)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), counted from 0
    found: list[float] = []
    seen = 0
    for value, n in pairs:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return rounded(sum(found) / len(found))


def median(qs: QuerySet[Any], expression: Any) -> float | None:
    """The median of `expression` over `qs`: SQL counts each distinct value (a few hundred
    at most for whole days), and the median is read off those counts."""
    return histogram_median(
        qs.order_by().annotate(_v=expression).values_list("_v").annotate(n=Count("pk"))
    )
