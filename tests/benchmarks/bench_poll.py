"""Issues 4 and 22: the meeting's fallback poll (push turned off), on what `make web` runs.

1. Throughput of the "nothing changed" poll (304) side by side with a bare Django view on the
   same gunicorn (target ratio >= 0.6).
2. A load run: 1,000 viewers polling every 2 s while 20 scribes each add an item every 5-15 s,
   20 meetings of 50 viewers: change-to-screen latency p50/p95 (target p95 <= 2.5 s), errors,
   and the poll's response times.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connection

from reviews.live import poll_token
from reviews.services.meeting import meeting_start
from tests.benchmarks.common import line
from tests.benchmarks.http import Connection
from tests.factories import ParticipantFactory, ReviewFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
HOST, PORT = "127.0.0.1", 8911
CSRF = "benchmarkcsrfsecret0123456789abc"  # 32 characters: an unmasked CSRF secret
MEETINGS, VIEWERS_EACH = 20, 50


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s.get("USER") or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "reviews.auth.EmailBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key or ""


def build() -> list[dict[str, object]]:
    meetings = []
    for _ in range(MEETINGS):
        review = ReviewFactory()
        viewers = [
            ParticipantFactory(review=review, user=UserFactory()).user for _ in range(VIEWERS_EACH)
        ]
        meeting_start(review=review)
        for _ in range(4):  # to "what went well", where the scribes add items
            phase = review.agenda.get(started_at__isnull=False, ended_at__isnull=True)
            from reviews.services.meeting import meeting_move

            meeting_move(review=review, phase_id=phase.pk, step=1)
        review.refresh_from_db()
        meetings.append(
            {
                "slug": review.slug,
                "scribe": session_for(review.scribe),
                "viewers": [(session_for(u), poll_token(review, u.pk)) for u in viewers],
            }
        )
    return meetings


def start_server() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{PORT}",
        "SECRET_KEY": settings.SECRET_KEY,
        "REDIS_URL": settings.REDIS_URL,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update({"PUSH_ENABLED": "0", "GUNICORN_MAX_REQUESTS": "0"})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "aar_project.asgi:application",
            "--config",
            "aar_project/gunicorn.conf.py",
            "--bind",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            status = asyncio.run(_get("/bench/bare/"))
            if status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


async def _get(path: str) -> int:
    conn = Connection(HOST, PORT)
    try:
        status, _, _ = await conn.request("GET", path)
        return status
    finally:
        conn.close()


def cookie(session: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}"}


# --- 1. Throughput, side by side ------------------------------------------------------------------


async def hammer(
    path: str, headers: dict[str, str], seconds: float, clients: int = 16
) -> tuple[float, dict[int, int]]:
    stop = time.monotonic() + seconds
    statuses: dict[int, int] = {}

    async def client() -> None:
        conn = Connection(HOST, PORT)
        while time.monotonic() < stop:
            status, _, _ = await conn.request("GET", path, headers)
            statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return sum(statuses.values()) / (time.monotonic() - started), statuses


def throughput(meetings: list[dict[str, object]]) -> None:
    from reviews.models import Review

    meeting = meetings[0]
    version = Review.objects.get(slug=meeting["slug"]).version
    viewer, token = meeting["viewers"][0]  # type: ignore[index]
    poll_path = f"/reviews/{meeting['slug']}/meeting/poll/?t={token}&v={version}"
    headers = cookie(viewer)
    asyncio.run(hammer(poll_path, headers, 2))  # warm up both
    asyncio.run(hammer("/bench/bare/", headers, 2))
    # Short windows, interleaved, so that noise from the machine falls on both alike.
    rates: dict[str, list[float]] = {"bare": [], "poll": []}
    for _ in range(10):
        for name, path in (("bare", "/bench/bare/"), ("poll", poll_path)):
            rate, statuses = asyncio.run(hammer(path, headers, 1.5))
            expected = 200 if name == "bare" else 304
            assert set(statuses) == {expected}, (name, statuses)
            rates[name].append(rate)
    bare, poll = statistics.mean(rates["bare"]), statistics.mean(rates["poll"])
    ratios = sorted(p / b for p, b in zip(rates["poll"], rates["bare"], strict=True))
    line("bare Django view on `make web` (2 uvicorn workers)", f"{bare:.0f} req/s")
    line("meeting poll, nothing changed (304)", f"{poll:.0f} req/s")
    line(
        "ratio poll / bare (target >= 0.6)",
        f"{poll / bare:.2f} (rounds: {ratios[0]:.2f} to {ratios[-1]:.2f})",
    )


# --- 2. The load run ----------------------------------------------------------------------------


async def scribe(
    slug: str,
    session: str,
    stop: float,
    changes: dict[str, list[tuple[int, float]]],
    errors: list[str],
    saves: list[float] | None = None,
    port: int = PORT,
) -> None:
    """A scribe adding an item every 5-15 s until shortly before `stop` (on the server at
    `port`); each change made is recorded as (its version, when its save was sent), and the
    time its answer took in `saves`."""
    conn = Connection(HOST, port)
    await asyncio.sleep(random.uniform(1, 5))
    n = 0
    while time.monotonic() < stop - 3:
        n += 1
        headers = {
            **cookie(session),
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": CSRF,
            "HX-Request": "true",
        }
        sent = time.monotonic()
        try:
            status, response_headers, _ = await conn.request(
                "POST",
                f"/reviews/{slug}/meeting/findings/went_well/",
                headers,
                f"text=Item+{n}+that+went+well".encode(),
            )
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors.append(repr(exc))
            conn.close()
            continue
        if status != 200:
            errors.append(f"change {status}")
        else:
            changes[slug].append((int(response_headers["x-aar-version"]), sent))
            if saves is not None:
                saves.append(time.monotonic() - sent)
        await asyncio.sleep(random.uniform(5, 15))
    conn.close()


async def load(
    meetings: list[dict[str, object]], versions: dict[str, int], seconds: float = 40
) -> None:
    changes: dict[str, list[tuple[int, float]]] = {m["slug"]: [] for m in meetings}  # type: ignore[misc]
    latencies: list[float] = []
    times = {"304": [], "200": [], "save": []}  # type: dict[str, list[float]]
    errors: list[str] = []
    stop = time.monotonic() + seconds

    async def viewer(slug: str, session: str, token: str) -> None:
        conn = Connection(HOST, PORT)
        seen = versions[slug]
        await asyncio.sleep(random.uniform(0, 2))
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                status, headers, _ = await conn.request(
                    "GET",
                    f"/reviews/{slug}/meeting/poll/?t={token}&v={seen}",
                    cookie(session),
                )
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(repr(exc))
                conn.close()
                await asyncio.sleep(2)
                continue
            now = time.monotonic()
            if status == 304:
                times["304"].append(now - started)
            elif status == 200:
                times["200"].append(now - started)
                new = int(headers.get("x-aar-version", seen))
                for version, at in changes[slug]:
                    if seen < version <= new:
                        latencies.append(now - at)
                seen = new
            else:
                errors.append(f"poll {status}")
            await asyncio.sleep(max(0, 2 - (time.monotonic() - started)))
        conn.close()

    tasks = [viewer(m["slug"], s, t) for m in meetings for s, t in m["viewers"]]  # type: ignore[attr-defined]
    tasks += [
        scribe(str(m["slug"]), str(m["scribe"]), stop, changes, errors, times["save"])
        for m in meetings
    ]
    await asyncio.gather(*tasks)
    made = sum(len(c) for c in changes.values())
    line(
        f"load: {MEETINGS * VIEWERS_EACH} viewers, {MEETINGS} scribes, {seconds:.0f} s",
        f"{made} changes, {len(times['304']) + len(times['200'])} polls",
    )
    if latencies:
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        line(
            "change-to-screen latency p50 / p95 (target p95 <= 2.5 s)",
            f"{statistics.median(latencies):.2f} s / {p95:.2f} s over {len(latencies)} deliveries",
        )
    for kind, values in times.items():
        if values:
            values.sort()
            line(
                f"{'the save' if kind == 'save' else 'poll ' + kind} response time p50 / p95",
                f"{statistics.median(values) * 1000:.0f} ms / {values[int(0.95 * (len(values) - 1))] * 1000:.0f} ms ({len(values)})",
            )
    line(
        "errors (target 0)",
        f"{len(errors)}{': ' + ', '.join(sorted(set(errors))[:5]) if errors else ''}",
    )


def run() -> None:
    started = time.perf_counter()
    meetings = build()
    line(
        "data",
        f"{MEETINGS} meetings x {VIEWERS_EACH} viewers, built in {time.perf_counter() - started:.1f} s",
    )
    server = start_server()
    try:
        throughput(meetings)
        from reviews.models import Review

        versions = {str(m["slug"]): Review.objects.get(slug=m["slug"]).version for m in meetings}
        asyncio.run(load(meetings, versions))
    finally:
        server.terminate()
        server.wait(10)
