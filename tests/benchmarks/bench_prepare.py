"""Issue 3: importing 5,000 timeline rows; review pages' query counts with 1 and 100 entries."""

from __future__ import annotations

import datetime as dt
import time

from django.test import Client
from django.utils import timezone

from reviews.imports import parse_timeline, timeline_import_apply
from reviews.models import TimelineEntry
from tests.benchmarks.common import line, page_queries, timed
from tests.factories import AccountFactory, ParticipantFactory, ReviewFactory, TimelineEntryFactory


def run() -> None:
    review = ReviewFactory(time_zone="Europe/Berlin")
    rows = ["time,description,kind,source,source_ref"]
    base = dt.datetime(2026, 11, 17, 8, 0)
    for i in range(5000):
        moment = base + dt.timedelta(seconds=17 * i)
        rows.append(
            f"{moment:%Y-%m-%d %H:%M:%S},Log line {i}: worker {i % 7} restarted,other,log,host-{i % 13}"
        )
    raw = ("\n".join(rows) + "\n").encode()
    started = time.perf_counter()
    result = parse_timeline(review, "csv", raw)
    parsed = time.perf_counter()
    outcome = timeline_import_apply(review=review, result=result, actor=None)
    done = time.perf_counter()
    line("import 5,000 CSV rows: parse", f"{(parsed - started) * 1000:.0f} ms")
    line("import 5,000 CSV rows: write", f"{(done - parsed) * 1000:.0f} ms ({outcome.added} added)")
    started = time.perf_counter()
    again = timeline_import_apply(
        review=review, result=parse_timeline(review, "csv", raw), actor=None
    )
    line(
        "the same file again (all skipped)",
        f"{(time.perf_counter() - started) * 1000:.0f} ms ({again.skipped} skipped)",
    )
    assert TimelineEntry.objects.filter(review=review).count() == 5000

    client = Client()
    for n in (1, 100):
        r = ReviewFactory()
        start = timezone.now() - dt.timedelta(days=2)
        for i in range(n):
            TimelineEntryFactory(review=r, occurred_at=start + dt.timedelta(minutes=i))
            AccountFactory(participant=ParticipantFactory(review=r))
        client.force_login(r.facilitator)
        for name, url in (
            ("review page", f"/reviews/{r.slug}/"),
            ("timeline", f"/reviews/{r.slug}/timeline/"),
            ("accounts", f"/reviews/{r.slug}/accounts/"),
            ("people", f"/reviews/{r.slug}/people/"),
        ):
            count = page_queries(client, url)
            median, p95 = timed(lambda url=url: client.get(url), repeat=20)
            line(
                f"{name} with {n} entries/participants",
                f"{count} queries, median {median:.1f} ms, p95 {p95:.1f} ms",
            )
