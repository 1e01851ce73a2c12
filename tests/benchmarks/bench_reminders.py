"""Issue 5: overdue reminders over 100,000 actions (5,000 overdue, 500 owners)."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from actions.models import ActionItem
from actions.reminders import reminders_run
from reviews.models import Review, Team
from tests.benchmarks.common import CountedQueries, line

DAY = dt.date(2026, 11, 23)


def _users(prefix: str, n: int) -> list:
    model = get_user_model()
    model.objects.bulk_create(
        [
            model(
                username=f"{prefix}{i}@example.com",
                email=f"{prefix}{i}@example.com",
                first_name=f"P{i}",
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    return list(model.objects.filter(username__startswith=prefix).order_by("pk"))


def build(total: int = 100_000, owners_n: int = 500, overdue_each: int = 10) -> tuple[list, list]:
    rng = random.Random(7)
    leads = _users("lead", 20)
    teams = Team.objects.bulk_create(
        [
            Team(name=f"Reminder team {i}", slug=f"reminder-team-{i}", delivery_owner=leads[i])
            for i in range(20)
        ]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                team=teams[i % 20],
                title=f"Review {i}",
                slug=f"bench-review-{i}",
                status="published",
            )
            for i in range(400)
        ]
    )
    owners = _users("owner", owners_n)
    others = _users("other", owners_n)
    now = timezone.now()
    rows = []
    for owner in owners:  # 5,000 overdue, 1 to 60 days late
        for _ in range(overdue_each):
            rows.append(
                ActionItem(
                    review=rng.choice(reviews),
                    owner=owner,
                    title="Overdue action",
                    due_on=DAY - dt.timedelta(days=rng.randint(1, 60)),
                )
            )
    while len(rows) < total:  # the rest: closed, or open and not yet due
        closed = rng.random() < 0.7
        rows.append(
            ActionItem(
                review=rng.choice(reviews),
                owner=rng.choice(owners + others),
                title="Other action",
                due_on=DAY + dt.timedelta(days=rng.randint(3, 90))
                if not closed
                else DAY - dt.timedelta(days=rng.randint(1, 300)),
                status="done" if closed else "open",
                closed_at=now if closed else None,
                closing_note="verified" if closed else "",
            )
        )
    ActionItem.objects.bulk_create(rows, batch_size=5000)
    return owners, others


def run() -> None:
    started = time.perf_counter()
    owners, others = build()
    line(
        "data: 100,000 actions, 5,000 overdue, 500 owners",
        f"built in {time.perf_counter() - started:.1f} s",
    )
    mail.outbox = []
    with CountedQueries() as queries:
        started = time.perf_counter()
        report = reminders_run(day=DAY)
        elapsed = time.perf_counter() - started
    digests = [m for m in mail.outbox if "overdue action" in m.subject]
    line(
        "first run: overdue digests sent",
        f"{len(digests)} (to {len({m.to[0] for m in digests})} owners)",
    )
    line("first run: all emails (digests, nudges, escalations)", f"{report.sent}")
    line("first run: time", f"{elapsed:.2f} s (target <= 30 s)")
    line(
        "first run: queries",
        f"{queries.count} ({queries.count / max(report.sent, 1):.1f} per email)",
    )
    mail.outbox = []
    started = time.perf_counter()
    again = reminders_run(day=DAY)
    line(
        "second run the same day: emails sent",
        f"{len(mail.outbox)} ({again.already} already sent), {time.perf_counter() - started:.2f} s",
    )

    # The same owners with one overdue action each instead of ten: the query count per
    # digest must not change with the number of actions per owner.
    ActionItem.objects.filter(title="Overdue action").update(
        status="done", closed_at=timezone.now(), closing_note="x"
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                review_id=Review.objects.values_list("pk", flat=True).first(),
                owner=o,
                title="One overdue",
                due_on=DAY,
            )
            for o in owners
        ]
    )
    next_day = DAY + dt.timedelta(days=1)
    ActionItem.objects.filter(due_on=next_day + dt.timedelta(days=2)).update(
        due_on=next_day + dt.timedelta(days=20)
    )
    mail.outbox = []
    with CountedQueries() as one_each:
        single = reminders_run(day=next_day)
    single_digests = [m for m in mail.outbox if "overdue action" in m.subject]
    per_digest_ten = queries.count / max(report.sent, 1)
    per_digest_one = one_each.count / max(single.sent, 1)
    line(
        "one overdue action per owner: digests, queries",
        f"{len(single_digests)}, {one_each.count} ({per_digest_one:.1f} per email vs {per_digest_ten:.1f} with ten each)",
    )
    del others
