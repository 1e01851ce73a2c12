"""A real Redis stopped under a running worker: saves still succeed, and the work they
recorded is done once Redis is back (the sweeper sends it again; the worker reconnects)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviews.models import ExportStatus, ReportExport
from reviews.services.publish import review_publish
from reviews.tasks import sweep_pending
from tests.conftest import service_missing
from tests.faults.test_exports import ready_review
from tests.silent_server import broker_at

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


class PrivateRedis:
    """A redis-server of the test's own, on a fixed port, that can be stopped and started."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_missing("redis-server is not installed")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(self.binary),
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(predicate, seconds: float, step: float = 0.5, between=lambda: None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        between()
        if predicate():
            return True
        time.sleep(step)
    return False


def test_work_saved_while_redis_was_down_is_done_when_it_returns(celery_worker, private_redis):
    celery_worker.env["REDIS_URL"] = private_redis.url
    with broker_at(private_redis.url):
        celery_worker.start()
        private_redis.stop()  # under the running worker

        review = ready_review()
        review_publish(review=review)  # the save succeeds; the export message cannot be sent
        review.refresh_from_db()
        assert review.status == "published"
        files = ReportExport.objects.filter(review=review)
        assert set(files.values_list("status", flat=True)) == {ExportStatus.PENDING}
        time.sleep(3)  # the worker sees the broker gone and keeps trying to reconnect
        assert celery_worker.process is not None and celery_worker.process.poll() is None

        private_redis.start()
        back = time.monotonic()

        def all_done() -> bool:
            return set(files.values_list("status", flat=True)) == {ExportStatus.DONE}

        # What beat does every EXPORT_SWEEP_SECONDS; the broker breaker lets sends through
        # again within its 15 s, and the worker's reconnection picks the message up.
        done = wait_for(all_done, 60, step=1, between=sweep_pending)
        log = celery_worker.log.read_text(errors="replace")
        assert done, log[-3000:]
        assert files.count() == 3  # one file each
        assert "reconnect" in log.lower() or "connection to broker lost" in log.lower()
        print(f"files done {time.monotonic() - back:.1f} s after Redis came back")
