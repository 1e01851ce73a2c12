"""Medians read off counts per value, as PostgreSQL's percentile_cont(0.5) gives them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


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
