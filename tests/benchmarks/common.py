from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client


def timed(function: Callable[[], object], repeat: int = 20) -> tuple[float, float]:
    """Median and p95 wall time of `function`, in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


class CountedQueries:
    """`with CountedQueries() as queries:` counts the statements run inside, in `.count`.

    Counted as they run, not from the query log: the log is bounded and off without DEBUG.
    """

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self) -> CountedQueries:
        self._wrapper = connection.execute_wrapper(self._one)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)

    def _one(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def page_queries(client: Client, url: str) -> int:
    with CountedQueries() as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return queries.count


def line(label: str, value: str) -> None:
    print(f"{label:<58} {value}")
