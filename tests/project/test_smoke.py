"""gunicorn, a Celery worker and beat, started with the commands of docker-compose.yml against
the local PostgreSQL and Redis: the app answers and a scheduled task is executed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, _database_url_for_worker
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
BIN = Path(sys.executable).parent


def compose_command(service: str) -> list[str]:
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service][
        "command"
    ]
    program = {
        "python": sys.executable,
        "gunicorn": str(BIN / "gunicorn"),
        "celery": str(BIN / "celery"),
    }
    return [program.get(command[0], command[0]), *command[1:]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, _lower(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _lower(exc.headers), exc.read()


def _lower(headers: object) -> dict[str, str]:
    """Header names as uvicorn sends them (lower case), whatever the server."""
    return {name.lower(): value for name, value in headers.items()}  # type: ignore[attr-defined]


def test_gunicorn_worker_and_beat_from_the_compose_commands(settings, tmp_path):
    port = free_port()
    queue = f"aar-smoke-{port}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": "smoke-test-secret-key-long-enough-to-pass-the-checks-1234567890",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "CELERY_QUEUE": queue,
        "HEARTBEAT_SECONDS": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # As the image build does: static files are collected before the server starts.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    beat_command = [*compose_command("beat")]
    beat_command[beat_command.index("--schedule") + 1] = str(tmp_path / "celerybeat-schedule")
    processes = []
    logs = {}
    try:
        for name, command in (
            ("web", compose_command("web")),
            ("worker", compose_command("worker")),
            ("beat", beat_command),
        ):
            logs[name] = (tmp_path / f"{name}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT
                )
            )
        deadline = time.monotonic() + 60
        health: dict[str, object] = {}
        while time.monotonic() < deadline:
            try:
                status, _, body = get(f"http://127.0.0.1:{port}/healthz")
                health = json.loads(body)
                if (
                    status == 200
                    and health.get("worker_seen_seconds_ago") is not None
                    and health["worker_seen_seconds_ago"] < 5
                ):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        output = {
            name: (tmp_path / f"{name}.log").read_text(errors="replace")[-1500:] for name in logs
        }
        assert health.get("database") == "ok" and health.get("broker") == "ok", (health, output)
        assert health.get("worker_seen_seconds_ago") is not None, (
            "beat's heartbeat never reached the worker",
            output,
        )
        # A fresh installation shows its one-time setup page first (followed from the
        # redirect), and the sign-in page once a staff user exists.
        status, _, body = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and b"Set up AAR" in body
        UserFactory(email="smoke-admin@example.com", is_staff=True)
        status, headers, body = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and b"Sign in to AAR" in body
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers.get("x-request-id")
        status, _, _ = get(f"http://127.0.0.1:{port}/static/css/aar.css")
        assert status == 200, "WhiteNoise serves the collected static files"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()
