"""Issue 6: Markdown and PDF of a large review; search over 10,000 published reports."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from actions.models import ActionItem
from reviews.models import ContributingFactor, Review, Team, TimelineEntry, WentWell, WhyNode
from reviews.report import render_markdown_report, report_data
from reviews.services.publish import render_pdf
from tests.benchmarks.common import line, timed
from tests.factories import ReviewFactory, UserFactory

WORDS = [
    "cache",
    "pool",
    "connection",
    "saturation",
    "latency",
    "checkout",
    "payments",
    "worker",
    "queue",
    "rollback",
    "deploy",
    "alert",
    "pager",
    "runbook",
    "database",
    "index",
    "replica",
    "timeout",
    "retry",
    "migration",
    "config",
    "flag",
    "canary",
]


def big_review() -> Review:
    review = ReviewFactory(
        title="A long incident", summary="Checkout latency rose for hours. " * 10
    )
    start = timezone.now() - dt.timedelta(days=3)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=review,
            occurred_at=start + dt.timedelta(minutes=i),
            kind="investigation",
            description=f"Step {i}: checked the {WORDS[i % len(WORDS)]} | again",
            source="chat",
        )
        for i in range(300)
    )
    parent = None
    for i in range(8):
        parent = WhyNode.objects.create(
            review=review, parent=parent, text=f"Why {i}? Because of the {WORDS[i]}."
        )
    ContributingFactor.objects.bulk_create(
        ContributingFactor(review=review, text=f"Factor {i}", category="monitoring")
        for i in range(10)
    )
    WentWell.objects.bulk_create(WentWell(review=review, text=f"Went well {i}") for i in range(10))
    owner = UserFactory()
    ActionItem.objects.bulk_create(
        ActionItem(
            review=review,
            title=f"Action {i}: add an alert on {WORDS[i % len(WORDS)]} above 80%",
            owner=owner,
            due_on=timezone.localdate(),
        )
        for i in range(50)
    )
    return review


def run() -> None:
    review = big_review()
    median, p95 = timed(lambda: render_markdown_report(review), repeat=20)
    line(
        "Markdown, 300 timeline entries and 50 actions (with its queries)",
        f"median {median:.0f} ms, p95 {p95:.0f} ms (target <= 100 ms)",
    )
    data = report_data(review)
    started = time.perf_counter()
    pdf = render_pdf(review, data)
    first = time.perf_counter() - started
    median, _ = timed(lambda: render_pdf(review, data), repeat=3)
    line(
        "PDF of the same",
        f"first {first:.2f} s, then median {median / 1000:.2f} s, {len(pdf) // 1024} KB (target <= 3 s)",
    )

    rng = random.Random(5)
    # A vocabulary like real reports': a few words everywhere, most of them rare.
    vocabulary = WORDS + [f"term{i}" for i in range(3000)]
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    member = get_user_model().objects.create(
        username="reader@example.com", email="reader@example.com"
    )
    teams = Team.objects.bulk_create(
        [Team(name=f"Search team {i}", slug=f"search-team-{i}") for i in range(20)]
    )
    for team in teams:
        team.members.add(member)
    now = timezone.now()
    Review.objects.bulk_create(
        (
            Review(
                team=teams[i % 20],
                title=f"Report {i} about {rng.choice(WORDS)}",
                slug=f"search-report-{i}",
                status="published",
                published_at=now - dt.timedelta(days=i % 700),
                report_version=1,
                search_text=" ".join(rng.choices(vocabulary, weights, k=400)),
            )
            for i in range(10_000)
        ),
        batch_size=2000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_review SET search_vector = to_tsvector('english'::regconfig, COALESCE(search_text, ''))"
        )
        cursor.execute("ANALYZE reviews_review")
    client = Client()
    client.force_login(member)
    for query in ("cache", "rollback canary", "term120", "term2500", "nothingmatches"):
        median, p95 = timed(lambda q=query: client.get("/reports/", {"q": q}), repeat=20)
        line(
            f"archive search over 10,000 reports: {query!r}",
            f"median {median:.0f} ms, p95 {p95:.0f} ms (100 results shown)",
        )
