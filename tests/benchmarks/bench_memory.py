"""Issue 14: a gunicorn worker's peak memory serving a review with 3,000 timeline entries and
300 findings (the meeting page in its timeline phase, and the timeline page), 20 times each."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import time
from pathlib import Path

from django.utils import timezone

from reviews.models import ContributingFactor, TimelineEntry, WentWell, WhyNode
from reviews.services.meeting import meeting_move, meeting_start
from tests.benchmarks import bench_poll
from tests.benchmarks.common import line
from tests.benchmarks.http import Connection
from tests.factories import ParticipantFactory, ReviewFactory, UserFactory

ENTRIES, FINDINGS_EACH = 3000, 100


def _review() -> tuple[str, str]:
    review = ReviewFactory()
    ParticipantFactory(review=review, user=UserFactory())
    start = timezone.now() - dt.timedelta(days=2)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=review,
            occurred_at=start + dt.timedelta(seconds=30 * i),
            description=f"Entry {i} " + "x" * 120,
            disputed=i % 3 == 0,
        )
        for i in range(ENTRIES)
    )
    for model in (WhyNode, ContributingFactor, WentWell):
        extra = {"category": "process"} if model is ContributingFactor else {}
        model.objects.bulk_create(
            model(review=review, text=f"finding {i}", position=i, **extra)
            for i in range(FINDINGS_EACH)
        )
    meeting_start(review=review)
    meeting_move(review=review, phase_id=review.agenda.get(position=0).pk, step=1)
    return review.slug, bench_poll.session_for(review.scribe)


def _peak_kb(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                peaks.append(int(row.split()[1]))
    return max(peaks)


async def _fetch(path: str, session: str) -> tuple[int, int]:
    conn = Connection(bench_poll.HOST, bench_poll.PORT)
    try:
        status, _, body = await conn.request("GET", path, bench_poll.cookie(session))
        return status, len(body)
    finally:
        conn.close()


def run() -> None:
    slug, session = _review()
    server: subprocess.Popen[bytes] = bench_poll.start_server()
    try:
        time.sleep(1)
        idle = _peak_kb(server.pid)
        for label, path in (
            ("meeting page, timeline phase", f"/reviews/{slug}/meeting/"),
            ("timeline page", f"/reviews/{slug}/timeline/"),
        ):
            sizes = [asyncio.run(_fetch(path, session)) for _ in range(20)]
            assert all(status == 200 for status, _ in sizes), sizes[:3]
            line(f"{label}: HTML per answer", f"{sizes[0][1] / 1024:.0f} KB")
        line(
            f"worker peak resident memory ({ENTRIES} entries, {3 * FINDINGS_EACH} findings)",
            f"{_peak_kb(server.pid) / 1024:.0f} MB (idle {idle / 1024:.0f} MB)",
        )
    finally:
        server.terminate()
        server.wait(10)
