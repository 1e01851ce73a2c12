"""A real Redis stopped under a running worker: saves still succeed, and the work they
recorded is done once Redis is back (the sweeper sends it again; the worker reconnects)."""

from __future__ import annotations

import time

import pytest

from reviews.models import ExportStatus, ReportExport
from reviews.services.publish import review_publish
from reviews.tasks import sweep_pending
from tests.faults.test_exports import ready_review
from tests.silent_server import broker_at

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


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
