"""Realistic data in bulk, for the dashboard's benchmark: `seed_load --reviews N --actions M`."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from reviews.models import (
    DEFAULT_AGENDA,
    AgendaPhase,
    CausalFactor,
    ContributingFactor,
    FactorCategory,
    Review,
    ReviewKind,
    Team,
)

BATCH = 5000


class Command(BaseCommand):
    help = "Create many teams, people, reviews and actions quickly (for load and benchmarks)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reviews", type=int, default=10_000)
        parser.add_argument("--actions", type=int, default=100_000)
        parser.add_argument("--teams", type=int, default=20)
        parser.add_argument("--people", type=int, default=600)
        parser.add_argument("--seed", type=int, default=42)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        now = timezone.now()
        user_model = get_user_model()
        unusable = make_password(None)
        prefix = f"load{int(now.timestamp())}"
        user_model.objects.bulk_create(
            [
                user_model(
                    username=f"{prefix}-{i}@example.com",
                    email=f"{prefix}-{i}@example.com",
                    first_name=f"Person{i}",
                    password=unusable,
                )
                for i in range(options["people"])
            ],
            batch_size=BATCH,
        )
        people = list(
            user_model.objects.filter(username__startswith=prefix).values_list("pk", flat=True)
        )
        teams = Team.objects.bulk_create(
            [
                Team(name=f"Load team {i}", slug=f"{prefix}-team-{i}", delivery_owner_id=people[i])
                for i in range(options["teams"])
            ]
        )
        kinds = [ReviewKind.INCIDENT] * 6 + [
            ReviewKind.LAUNCH,
            ReviewKind.PROJECT,
            ReviewKind.RELEASE,
            ReviewKind.PULL_REQUEST,
        ]
        reviews = []
        for i in range(options["reviews"]):
            event = now - dt.timedelta(days=rng.uniform(0, 730))
            meeting = event + dt.timedelta(days=rng.choice([3, 5, 7, 8, 10, 12, 15, 21, 30]))
            held = meeting < now
            ended = meeting + dt.timedelta(minutes=rng.randint(55, 100)) if held else None
            status = "preparing" if not held else rng.choice(["published"] * 8 + ["writing"] * 2)
            reviews.append(
                Review(
                    team=teams[i % len(teams)],
                    kind=rng.choice(kinds),
                    title=f"Load review {i}",
                    slug=f"{prefix}-r{i}",
                    severity=rng.choice(["sev1", "sev2", "sev3", "sev4", ""]),
                    status=status,
                    event_started_at=event,
                    event_detected_at=event,
                    scheduled_at=meeting,
                    meeting_started_at=meeting if held else None,
                    meeting_ended_at=ended,
                    published_at=ended + dt.timedelta(days=rng.randint(1, 9))
                    if status == "published" and ended
                    else None,
                    created_at=event + dt.timedelta(hours=rng.randint(1, 48)),
                    summary="Load data.",
                )
            )
        reviews = Review.objects.bulk_create(reviews, batch_size=BATCH)
        held_reviews = [r for r in reviews if r.meeting_started_at]
        AgendaPhase.objects.bulk_create(
            [
                AgendaPhase(
                    review=r,
                    phase=phase,
                    position=i,
                    planned_minutes=minutes,
                    started_at=r.meeting_started_at,
                    ended_at=r.meeting_ended_at,
                    spent_seconds=int(minutes * 60 * rng.uniform(0.6, 1.6)),
                )
                for r in held_reviews
                for i, (phase, minutes) in enumerate(DEFAULT_AGENDA)
            ],
            batch_size=BATCH,
        )
        ContributingFactor.objects.bulk_create(
            [
                ContributingFactor(
                    review=r, text="A factor", category=rng.choice(FactorCategory.values)
                )
                for r in held_reviews
                for _ in range(2)
            ],
            batch_size=BATCH,
        )
        CausalFactor.objects.bulk_create(
            [
                CausalFactor(
                    review=r,
                    text="A cause",
                    factor_type=rng.choice(["technical", "configuration", "monitoring", "process"]),
                )
                for r in held_reviews
            ],
            batch_size=BATCH,
        )
        actions: list[ActionItem] = []
        made = 0
        for _ in range(options["actions"]):
            review = rng.choice(held_reviews)
            created = review.meeting_ended_at or now
            due = (created + dt.timedelta(days=rng.randint(3, 60))).date()
            # Most actions close within weeks; some linger and a few are never closed.
            takes = dt.timedelta(days=1 + rng.expovariate(1 / 25))
            closed = rng.random() > 0.08 and created + takes <= now
            closed_at = created + takes if closed else None
            actions.append(
                ActionItem(
                    review=review,
                    team_id=review.team_id,
                    title="A load action",
                    owner_id=rng.choice(people),
                    due_on=due,
                    action_type=rng.choice(["monitoring", "process", "code", "documentation"]),
                    size=rng.choice(["hours", "days", "weeks"]),
                    status="done" if closed else rng.choice(["open", "in_progress"]),
                    closed_at=closed_at,
                    closing_note="Verified." if closed else "",
                    created_at=created,
                )
            )
            if len(actions) >= 10 * BATCH:  # a million actions need not be in memory at once
                made += len(ActionItem.objects.bulk_create(actions, batch_size=BATCH))
                actions = []
        made += len(ActionItem.objects.bulk_create(actions, batch_size=BATCH))
        loaded = time.perf_counter() - started
        # The rows went in bulk, past the models' signals: the dashboard counts them afresh.
        call_command("rollups", "--rebuild", stdout=self.stdout)
        self.stdout.write(
            f"Created {len(people)} people, {len(teams)} teams, {len(reviews)} reviews and {made} actions "
            f"in {loaded:.1f} s, counted in {time.perf_counter() - started - loaded:.1f} s. "
            f"Delivery owner of the first team: {prefix}-0@example.com"
        )
