"""Exactly one digest per owner, proven against the real Redis broker and real worker processes."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest

from actions.tasks import send_overdue_reminders
from reviews.models import Notification
from tests.factories import ActionItemFactory, UserFactory

pytestmark = [pytest.mark.worker]
DAY = dt.date(2026, 11, 23)


def overdue_owners(n: int) -> list[str]:
    owners = [UserFactory(email=f"owner{i:02d}@example.com") for i in range(n)]
    for i, owner in enumerate(owners):
        for j in range(1 + i % 3):  # one to three overdue actions each
            ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=1 + j))
    return [o.email for o in owners]


def wait_until(predicate, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def digests(sink) -> Counter:
    return Counter(m["To"] for m in sink.messages if "overdue action" in m["Subject"])


def all_sent() -> bool:
    return not Notification.objects.pending().exists()


@pytest.fixture
def worker(celery_worker, smtp_sink):
    celery_worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_sink.port}"
    celery_worker.env["NOTIFICATION_CLAIM_SECONDS"] = "3"
    return celery_worker


def test_the_task_run_twice_sends_one_digest_per_owner(worker, smtp_sink):
    emails = overdue_owners(12)
    worker.start()
    send_overdue_reminders.delay(DAY.isoformat())
    send_overdue_reminders.delay(DAY.isoformat())
    wait_until(lambda: len(digests(smtp_sink)) == 12 and all_sent(), what="12 digests")
    time.sleep(1.5)  # let the second run finish: it must add nothing
    assert digests(smtp_sink) == Counter(dict.fromkeys(emails, 1))


def test_five_concurrent_runs_send_one_digest_per_owner(worker, smtp_sink):
    emails = overdue_owners(20)
    worker.pool = ["--pool=prefork", "--concurrency=5"]
    worker.start()
    results = [send_overdue_reminders.delay(DAY.isoformat()) for _ in range(5)]
    wait_until(lambda: len(digests(smtp_sink)) == 20 and all_sent(), what="20 digests")
    time.sleep(2)
    assert len(results) == 5
    assert digests(smtp_sink) == Counter(dict.fromkeys(emails, 1))


def test_a_worker_killed_mid_run_and_restarted_leaves_one_digest_per_owner(worker, smtp_sink):
    emails = overdue_owners(10)
    smtp_sink.hold.add(emails[4])  # the worker hangs while sending the fifth digest
    worker.start()
    send_overdue_reminders.delay(DAY.isoformat())
    assert smtp_sink.held.wait(30), worker.log.read_text()[-2000:]
    assert len(digests(smtp_sink)) == 4
    worker.kill()  # SIGKILL, in the middle of the run
    smtp_sink.hold.clear()
    worker.start()
    time.sleep(3.5)  # the dead worker's claim on the fifth digest expires
    send_overdue_reminders.delay(DAY.isoformat())  # beat's next run, or an operator's rerun
    wait_until(
        lambda: len(digests(smtp_sink)) == 10 and all_sent(), what="10 digests after the restart"
    )
    time.sleep(1)
    assert digests(smtp_sink) == Counter(dict.fromkeys(emails, 1))


def test_an_smtp_failure_for_one_owner_does_not_stop_the_others_and_is_retried_once(
    worker, smtp_sink
):
    emails = overdue_owners(6)
    smtp_sink.refuse[emails[2]] = 1  # the mail server says "try later" once
    worker.start()
    send_overdue_reminders.delay(DAY.isoformat())
    wait_until(lambda: len(digests(smtp_sink)) == 5, what="the five others")
    row = Notification.objects.get(email=emails[2])
    assert row.sent_at is None and "try again later" in row.last_error
    send_overdue_reminders.delay(DAY.isoformat())  # a later run (or the sweeper) retries
    wait_until(lambda: len(digests(smtp_sink)) == 6 and all_sent(), what="the retried digest")
    time.sleep(1)
    assert digests(smtp_sink) == Counter(dict.fromkeys(emails, 1))
