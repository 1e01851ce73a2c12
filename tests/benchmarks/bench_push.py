"""Issue 22: the live meeting on push, with real streams, on this machine.

20 meetings of 50 viewers: 1,000 open streams while the 20 scribes each add an item every
5-15 s. Measured:

- change-to-screen: the scribe's save sent -> the stream's event, which carries the
  fragments, read (what a person sees);
- the pages' and the fragments' response times under that load (a probe asks for a meeting
  page and a fragment answer once a second each);
- memory per open stream (the server processes' resident memory, before and after);
- 2,000 streams held (1,000 more opened, all held for 10 s): errors.

The server is what `make web` runs (gunicorn with uvicorn workers) unless AAR_BENCH_SERVER
names another candidate: "uvicorn" (uvicorn's own workers) or "granian".
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

from tests.benchmarks.bench_poll import HOST, build, cookie, database_url, scribe
from tests.benchmarks.common import line
from tests.benchmarks.http import Connection

ROOT = Path(__file__).resolve().parents[2]
PORT = 8912
SECONDS = 40


def command(server: str) -> list[str]:
    app = "aar_project.asgi:application"
    bind = f"{HOST}:{PORT}"
    if server == "uvicorn":
        return [
            sys.executable,
            *("-m", "uvicorn", app, "--host", HOST, "--port", str(PORT), "--workers", "2"),
            *("--lifespan", "off", "--no-access-log", "--log-level", "warning"),
        ]
    if server == "granian":
        return [
            str(Path(sys.executable).parent / "granian"),
            *("--interface", "asgi", "--host", HOST, "--port", str(PORT), "--workers", "2"),
            # Its default (backlog / workers = 512 per worker) holds too few open streams.
            *("--backpressure", "4000", "--backlog", "8192"),
            *("--no-ws", "--log-level", "warning", app),
        ]
    return [
        sys.executable,
        *("-m", "gunicorn", app, "--config", "aar_project/gunicorn.conf.py", "--bind", bind),
        *("--log-level", "warning"),
    ]


def start(server: str, channel: str, push: bool = True) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{PORT}",
        "SECRET_KEY": settings.SECRET_KEY,
        "REDIS_URL": settings.REDIS_URL,
        "PUSH_CHANNEL": channel,
        "PUSH_ENABLED": "1" if push else "0",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_MAX_REQUESTS": "0",  # no recycling in the middle of a measurement
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(command(server), cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if asyncio.run(_status("/bench/bare/")) == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{server} did not start")


async def _status(path: str) -> int:
    conn = Connection(HOST, PORT)
    try:
        status, _, _ = await conn.request("GET", path)
        return status
    finally:
        conn.close()


def resident_kb(root: int) -> int:
    """Resident memory of a process and its children, in KiB."""
    pids = [root]
    children = Path(f"/proc/{root}/task/{root}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmRSS:"):
                total += int(row.split()[1])
    return total


class Stream:
    """One open stream read on asyncio: the versions it is told, as they come."""

    def __init__(self, slug: str, session: str) -> None:
        self.slug, self.session = slug, session
        self.told: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
        self.writer: asyncio.StreamWriter | None = None
        self.error: str | None = None
        self.seen = 0

    async def open(self) -> None:
        reader, self.writer = await asyncio.open_connection(HOST, PORT)
        self.writer.write(
            (
                f"GET /reviews/{self.slug}/meeting/stream/ HTTP/1.1\r\nHost: {HOST}\r\n"
                f"Accept: text/event-stream\r\nCookie: sessionid={self.session}\r\n\r\n"
            ).encode()
        )
        await self.writer.drain()
        status = await reader.readuntil(b"\r\n")
        if b" 200 " not in status:
            raise ConnectionError(status.decode(errors="replace").strip())
        self.reader = reader

    async def read(self, stop: float) -> None:
        event = ""
        try:
            while time.monotonic() < stop:
                raw = await asyncio.wait_for(self.reader.readline(), stop - time.monotonic())
                if not raw:
                    self.error = "closed"
                    return
                text = raw.decode(errors="replace").strip()
                if text.startswith("event:"):
                    event = text[6:].strip()
                elif text.startswith("id:") and event == "fragments":
                    self.told.put_nowait((int(text[3:]), time.monotonic()))
                elif text.startswith("data:") and event == "changed":
                    self.seen = int(json.loads(text[5:])["v"])
        except TimeoutError:
            return
        except (OSError, ValueError) as exc:
            self.error = repr(exc)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def open_all(streams: list[Stream], errors: list[str]) -> None:
    for begin in range(0, len(streams), 50):
        results = await asyncio.gather(
            *(s.open() for s in streams[begin : begin + 50]), return_exceptions=True
        )
        errors += [repr(r) for r in results if isinstance(r, BaseException)]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[int(p * (len(values) - 1))]


async def load(meetings: list[dict[str, object]], versions: dict[str, int], pid: int) -> None:
    errors: list[str] = []
    streams = [Stream(str(m["slug"]), s) for m in meetings for s, _ in m["viewers"]]  # type: ignore[attr-defined]
    before = resident_kb(pid)
    started = time.monotonic()
    await open_all(streams, errors)
    opened = time.monotonic() - started
    await asyncio.sleep(2)
    after = resident_kb(pid)
    line(
        f"{len(streams)} streams opened",
        f"in {opened:.1f} s; {(after - before) / len(streams):.1f} KiB resident per stream "
        f"({before // 1024} -> {after // 1024} MiB for the server)",
    )
    stop = time.monotonic() + SECONDS
    changes: dict[str, list[tuple[int, float]]] = {str(m["slug"]): [] for m in meetings}
    screen: list[float] = []
    missed: list[int] = []
    fragment_times: list[float] = []
    page_times: list[float] = []

    arrivals: dict[Stream, list[tuple[int, float]]] = {s: [] for s in streams}

    async def viewer(stream: Stream) -> None:
        """A page: each change arrives with its fragments; on screen once read."""
        while time.monotonic() < stop:
            try:
                version, at = await asyncio.wait_for(stream.told.get(), stop - time.monotonic())
            except TimeoutError:
                break
            arrivals[stream].append((version, at))

    async def probe() -> None:
        """A person opening a meeting page, and a page asking for the fragments it missed,
        once a second each, while all this goes on."""
        conn = Connection(HOST, PORT)
        meeting = meetings[0]
        session, token = meeting["viewers"][0]  # type: ignore[index]
        asks = (
            (f"/reviews/{meeting['slug']}/meeting/", page_times, "page"),
            (
                f"/reviews/{meeting['slug']}/meeting/poll/?t={token}&v=0",
                fragment_times,
                "fragments",
            ),
        )
        while time.monotonic() < stop:
            for path, times, what in asks:
                asked = time.monotonic()
                status, _, _ = await conn.request("GET", path, cookie(session))
                if status != 200:
                    errors.append(f"{what} {status}")
                times.append(time.monotonic() - asked)
            await asyncio.sleep(1)
        conn.close()

    readers = [asyncio.create_task(s.read(stop)) for s in streams]
    await asyncio.gather(
        *(viewer(s) for s in streams),
        *(
            scribe(str(m["slug"]), str(m["scribe"]), stop, changes, errors, port=PORT)
            for m in meetings
        ),
        probe(),
    )
    await asyncio.gather(*readers)
    # Each change, for each page of its meeting: the first event at or past its version (the
    # saver's answer may come back after the pages have theirs, so this is matched at the end).
    for stream, seen in arrivals.items():
        for made, sent in changes[stream.slug]:
            first = next((at for version, at in seen if version >= made), None)
            if first is not None:
                screen.append(first - sent)
            else:
                missed.append(made)
    errors += [f"stream {s.error}" for s in streams if s.error]
    made = sum(len(c) for c in changes.values())
    line(f"load: {len(streams)} streams, {len(meetings)} scribes, {SECONDS} s", f"{made} changes")
    if screen:
        line(
            "change-to-screen p50 / p95 (targets 150 / 500 ms): save sent -> fragments read",
            f"{statistics.median(screen) * 1000:.0f} ms / {pct(screen, 0.95) * 1000:.0f} ms "
            f"over {len(screen)}",
        )
    if fragment_times:
        line(
            "fragment answer p50 / p95 (target p95 <= 50 ms)",
            f"{statistics.median(fragment_times) * 1000:.0f} ms / "
            f"{pct(fragment_times, 0.95) * 1000:.0f} ms",
        )
    if page_times:
        line(
            "meeting page p50 / p95 (target p95 <= 150 ms)",
            f"{statistics.median(page_times) * 1000:.0f} ms / {pct(page_times, 0.95) * 1000:.0f} ms",
        )
    line("errors (target 0)", f"{len(errors)} {sorted(set(errors))[:4] if errors else ''}")
    line("changes a page never received (target 0)", str(len(missed)))
    # 2,000 streams held.
    more = [Stream(s.slug, s.session) for s in streams]
    more_errors: list[str] = []
    await open_all(more, more_errors)
    hold = time.monotonic() + 10
    await asyncio.gather(*(s.read(hold) for s in streams + more))
    held_errors = more_errors + [f"stream {s.error}" for s in streams + more if s.error]
    line(
        f"{len(streams) + len(more)} streams held for 10 s",
        f"{len(held_errors)} errors{' ' + str(sorted(set(held_errors))[:3]) if held_errors else ''};"
        f" server {resident_kb(pid) // 1024} MiB",
    )
    for s in streams + more:
        s.close()


def run() -> None:
    server = os.environ.get("AAR_BENCH_SERVER", "gunicorn")
    if not settings.REDIS_URL:
        line("push", "skipped: needs REDIS_URL (push rides on Redis pub/sub)")
        return
    started = time.perf_counter()
    meetings = build()
    line("data", f"{len(meetings)} meetings, built in {time.perf_counter() - started:.1f} s")
    from reviews.models import Review

    versions = {str(m["slug"]): Review.objects.get(slug=m["slug"]).version for m in meetings}
    process = start(server, f"aar:bench-live:{uuid.uuid4().hex[:8]}")
    line("server", " ".join(command(server)[1:6]))
    try:
        asyncio.run(load(meetings, versions, process.pid))
    finally:
        process.terminate()
        process.wait(20)
