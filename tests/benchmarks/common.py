from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext


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


def page_queries(client: Client, url: str) -> int:
    reset_queries()  # the log is bounded: a full one would make the capture count nothing
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def line(label: str, value: str) -> None:
    print(f"{label:<58} {value}")
