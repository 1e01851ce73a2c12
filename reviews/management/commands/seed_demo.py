"""Demo data: a team, its people and three reviews in different states. Safe to run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.models import ActionEvent, ActionItem, ActionSize, ActionStatus, ActionType, EventKind
from reviews.models import (
    Account,
    AgendaPhase,
    CausalFactor,
    ContributingFactor,
    EntryKind,
    EntrySource,
    Lesson,
    Participant,
    Review,
    ReviewKind,
    ReviewStatus,
    Role,
    Severity,
    Team,
    TimelineEntry,
    WentWell,
    WhyNode,
)
from reviews.services.people import participant_set
from reviews.services.publish import index_for_search
from reviews.services.reviews import review_create

DEMO_PASSWORD = "aar-demo-2026"  # noqa: S105 - printed for the demo on purpose

PEOPLE = [
    ("dana@example.com", "Dana", "Okafor", "delivery owner"),
    ("farah@example.com", "Farah", "Nasser", "facilitator"),
    ("sam@example.com", "Sam", "Lindqvist", "scribe"),
    ("pat@example.com", "Pat", "Moreno", "participant"),
    ("priya@example.com", "Priya", "Raman", "participant"),
    ("omar@example.com", "Omar", "Haddad", "participant"),
    ("lee@example.com", "Lee", "Chen", "participant"),
]


class Command(BaseCommand):
    help = "Create demo data (idempotent) and print who can sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            people = self._people()
            team = self._team(people)
            created = [
                self._preparing_review(team, people),
                self._ready_review(team, people),
                self._published_review(team, people),
            ]
        made = sum(1 for c in created if c)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({made} review(s) created, {3 - made} already there)."
            )
        )
        self.stdout.write(
            f"Sign in at /accounts/login/ with any of these (password for all: {DEMO_PASSWORD}):"
        )
        for email, first, last, role in PEOPLE:
            self.stdout.write(f"  {email:<22} {first} {last}, {role}")
        self.stdout.write(
            "Or ask for a sign-in link on the sign-in page; it is printed to this console."
        )

    # --- people and team -----------------------------------------------------------------

    def _people(self) -> dict[str, Any]:
        user_model = get_user_model()
        people: dict[str, Any] = {}
        for email, first, last, _role in PEOPLE:
            user, created = user_model._default_manager.get_or_create(
                username=email, defaults={"email": email, "first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            people[first.lower()] = user
        if not people["dana"].is_staff:
            people["dana"].is_staff = True
            people["dana"].is_superuser = True
            people["dana"].save(update_fields=["is_staff", "is_superuser"])
        return people

    def _team(self, people: dict[str, Any]) -> Team:
        team, _ = Team.objects.get_or_create(
            slug="payments-platform",
            defaults={
                "name": "Payments Platform",
                "delivery_owner": people["dana"],
                "stakeholder_emails": "payments-leads@example.com\nsupport-managers@example.com",
                "review_triggers": "Every SEV-1 and SEV-2 incident; every major launch; "
                "any change that needed a rollback.",
            },
        )
        team.members.add(*people.values())
        return team

    def _add_people(self, review: Review, people: dict[str, Any]) -> list[Participant]:
        return [
            participant_set(review=review, user=people[name], role=Role.PARTICIPANT)
            for name in ("pat", "priya", "omar", "lee")
        ]

    def _mark_invited(self, review: Review, when: dt.datetime) -> None:
        """The demo's invitations count as sent, without sending mail to example.com."""
        review.participants.update(invited_at=when)
        Review.objects.filter(pk=review.pk).update(invitations_sent_at=when)

    # --- 1. preparing, half of the accounts written --------------------------------------

    def _preparing_review(self, team: Team, people: dict[str, Any]) -> bool:
        if Review.objects.filter(title="Checkout latency spike", team=team).exists():
            return False
        now = timezone.now().replace(second=0, microsecond=0)
        detected = now - dt.timedelta(days=4, hours=3)
        review = review_create(
            team=team,
            title="Checkout latency spike",
            kind=ReviewKind.INCIDENT,
            severity=Severity.SEV2,
            created_by=people["dana"],
            facilitator=people["farah"],
            scribe=people["sam"],
            status=ReviewStatus.PREPARING,
            event_started_at=detected - dt.timedelta(minutes=12),
            event_detected_at=detected,
            event_ended_at=detected + dt.timedelta(minutes=95),
            scheduled_at=now + dt.timedelta(days=3),
            accounts_due_at=now + dt.timedelta(days=2),
            summary="Checkout p95 latency rose from 400 ms to 9 s for 95 minutes after a cache "
            "node was replaced. About 18% of checkout attempts timed out.",
            impact_users_affected=4200,
            impact_users_segment="Web and mobile shoppers in the EU region",
            impact_duration="1 h 35 min",
            impact_business="Roughly 1,100 abandoned checkouts.",
        )
        pat, priya, omar, lee = self._add_people(review, people)
        self._mark_invited(review, now - dt.timedelta(days=3))
        for who, text in (
            (
                pat,
                "I was on call. The latency alert paged me at the time of detection; I looked "
                "at the checkout dashboard first and saw the cache hit rate drop to 20%.",
            ),
            (
                priya,
                "At 14:32 I noticed the cache cluster had a new node from the scheduled "
                "replacement. I did not know the warm-up job had been disabled last month.",
            ),
        ):
            Account.objects.create(review=review, participant=who, body=text, submitted_at=now)
        Account.objects.create(review=review, participant=omar, body="Draft: I joined the call")
        entries = [
            (-12, EntryKind.OTHER, "Scheduled cache node replacement starts", EntrySource.LOG),
            (0, EntryKind.DETECTION, "Checkout p95 latency alert fires", EntrySource.LOG),
            (4, EntryKind.ACKNOWLEDGMENT, "On-call acknowledges the page", EntrySource.CHAT),
            (
                15,
                EntryKind.SEVERITY_ASSESSED,
                "Declared SEV-2, incident channel opened",
                EntrySource.CHAT,
            ),
            (40, EntryKind.MITIGATION, "Cache warm-up run by hand", EntrySource.CHAT),
            (
                95,
                EntryKind.RESOLUTION,
                "Latency back under 500 ms; incident resolved",
                EntrySource.CHAT,
            ),
        ]
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                review=review,
                occurred_at=detected + dt.timedelta(minutes=m),
                kind=k,
                description=d,
                source=s,
                created_by=people["farah"],
            )
            for m, k, d, s in entries
        )
        del lee
        return True

    # --- 2. ready to start its meeting ----------------------------------------------------

    def _ready_review(self, team: Team, people: dict[str, Any]) -> bool:
        if Review.objects.filter(title="Saved cards launch", team=team).exists():
            return False
        now = timezone.now().replace(second=0, microsecond=0)
        launched = now - dt.timedelta(days=6)
        review = review_create(
            team=team,
            title="Saved cards launch",
            kind=ReviewKind.LAUNCH,
            severity=Severity.MAJOR_LAUNCH,
            created_by=people["dana"],
            facilitator=people["farah"],
            scribe=people["sam"],
            status=ReviewStatus.PREPARING,
            event_started_at=launched,
            event_ended_at=launched + dt.timedelta(hours=6),
            scheduled_at=now + dt.timedelta(minutes=30),
            accounts_due_at=now - dt.timedelta(hours=2),
            summary="Saved cards went live for all customers in two waves. Adoption reached 31% "
            "of returning customers in the first week; one wave was paused for 40 minutes.",
            impact_users_affected=0,
            impact_duration="6 h rollout",
        )
        self._add_people(review, people)
        self._mark_invited(review, now - dt.timedelta(days=5))
        for participant in review.participants.exclude(role=Role.OBSERVER):
            Account.objects.create(
                review=review,
                participant=participant,
                body=f"My account of the launch, as {participant.user.first_name} saw it.",
                submitted_at=now - dt.timedelta(days=1),
            )
        for m, k, d in (
            (0, EntryKind.MILESTONE, "Wave 1 (10% of customers) enabled"),
            (75, EntryKind.DECISION, "Wave 2 paused: tokenisation error rate 2%"),
            (115, EntryKind.MITIGATION, "Retry on tokenisation timeouts deployed"),
            (360, EntryKind.MILESTONE, "100% of customers enabled"),
        ):
            TimelineEntry.objects.create(
                review=review,
                occurred_at=launched + dt.timedelta(minutes=m),
                kind=k,
                description=d,
                source=EntrySource.CHAT,
                created_by=people["farah"],
            )
        return True

    # --- 3. published, with open, overdue and closed actions ------------------------------

    def _published_review(self, team: Team, people: dict[str, Any]) -> bool:
        seeded = Review.objects.filter(title="Database connection pool exhaustion", team=team)
        if seeded.exists():
            for review in seeded.filter(search_text=""):  # seeded before it was indexed
                index_for_search(review)
            return False
        now = timezone.now().replace(second=0, microsecond=0)
        detected = now - dt.timedelta(days=40)
        meeting = detected + dt.timedelta(days=8)
        review = review_create(
            team=team,
            title="Database connection pool exhaustion",
            kind=ReviewKind.INCIDENT,
            severity=Severity.SEV1,
            created_by=people["dana"],
            facilitator=people["farah"],
            scribe=people["sam"],
            status=ReviewStatus.PUBLISHED,
            event_started_at=detected - dt.timedelta(minutes=6),
            event_detected_at=detected,
            event_ended_at=detected + dt.timedelta(minutes=47),
            scheduled_at=meeting,
            accounts_due_at=meeting - dt.timedelta(days=1),
            accounts_revealed_at=meeting + dt.timedelta(minutes=5),
            meeting_started_at=meeting,
            meeting_ended_at=meeting + dt.timedelta(minutes=84),
            published_at=meeting + dt.timedelta(days=2),
            next_review_on=(meeting + dt.timedelta(days=90)).date(),
            summary="The payments API returned errors to 30% of requests for 47 minutes because "
            "its database connection pool was exhausted by a background reconciliation job.",
            impact_users_affected=12500,
            impact_users_segment="All card payments",
            impact_duration="47 min",
            impact_business="About 3,800 failed payments, most retried successfully.",
            lessons="Error paths deserve the same review attention as happy paths.",
        )
        self._add_people(review, people)
        self._mark_invited(review, detected + dt.timedelta(days=1))
        for participant in review.participants.exclude(role=Role.OBSERVER):
            Account.objects.create(
                review=review,
                participant=participant,
                body=f"What {participant.user.first_name} observed during the incident.",
                submitted_at=meeting - dt.timedelta(days=2),
            )
        t = [
            (-6, EntryKind.OTHER, "Reconciliation job starts its nightly run"),
            (0, EntryKind.DETECTION, "Error-rate alert on payments API"),
            (3, EntryKind.ACKNOWLEDGMENT, "On-call acknowledges"),
            (9, EntryKind.SEVERITY_ASSESSED, "SEV-1 declared, incident commander assigned"),
            (21, EntryKind.INVESTIGATION, "Connection pool saturation found in database metrics"),
            (30, EntryKind.MITIGATION, "Reconciliation job paused"),
            (47, EntryKind.RESOLUTION, "Error rate back to baseline; resolved"),
        ]
        entries = TimelineEntry.objects.bulk_create(
            TimelineEntry(
                review=review,
                occurred_at=detected + dt.timedelta(minutes=m),
                kind=k,
                description=d,
                source=EntrySource.LOG,
                created_by=people["sam"],
            )
            for m, k, d in t
        )
        parent = None
        for i, text in enumerate(
            [
                "Why did payments fail? The database connection pool was exhausted.",
                "Why was it exhausted? The reconciliation job opened a connection per batch.",
                "Why did it keep them? Connection cleanup did not run on errors.",
                "Why was that missed? The code review did not cover error paths.",
                "Why not? Our review checklist has nothing on error handling.",
            ]
        ):
            parent = WhyNode.objects.create(review=review, parent=parent, text=text, position=i)
            if i == 1:
                parent.evidence.add(entries[0], entries[4])
        CausalFactor.objects.create(
            review=review,
            text="Pool limit sized for last year's traffic",
            factor_type="configuration",
        )
        ContributingFactor.objects.create(
            review=review, text="No alert on connection pool saturation", category="monitoring"
        )
        ContributingFactor.objects.create(
            review=review, text="The runbook for the job was out of date", category="documentation"
        )
        WentWell.objects.create(review=review, text="The error-rate alert fired within a minute")
        WentWell.objects.create(review=review, text="Pausing the job was quick and safe")
        Lesson.objects.create(
            review=review, text="Background jobs share the API's pool", category="technical"
        )
        AgendaPhase.objects.filter(review=review).update(started_at=meeting, ended_at=meeting)
        today = timezone.localdate()
        for title, owner, due, status, kind, size in (
            (
                "Add alert on connection pool saturation above 80%, paging on-call",
                "pat",
                today - dt.timedelta(days=20),
                ActionStatus.OPEN,
                ActionType.MONITORING,
                ActionSize.HOURS,
            ),
            (
                "Add error-path items to the pull-request checklist",
                "priya",
                today - dt.timedelta(days=3),
                ActionStatus.IN_PROGRESS,
                ActionType.PROCESS,
                ActionSize.DAYS,
            ),
            (
                "Give the reconciliation job its own pool of 10 connections",
                "omar",
                today + dt.timedelta(days=10),
                ActionStatus.OPEN,
                ActionType.CODE,
                ActionSize.DAYS,
            ),
            (
                "Update the reconciliation runbook with the pause procedure",
                "lee",
                today - dt.timedelta(days=12),
                ActionStatus.DONE,
                ActionType.DOCUMENTATION,
                ActionSize.HOURS,
            ),
        ):
            closed = status == ActionStatus.DONE
            action = ActionItem.objects.create(
                review=review,
                title=title,
                owner=people[owner],
                due_on=due,
                status=status,
                action_type=kind,
                size=size,
                definition_of_done="Merged, deployed and checked by a second person.",
                created_by=people["sam"],
                created_at=meeting,
                closed_at=now - dt.timedelta(days=14) if closed else None,
                closing_note="Runbook reviewed in the team meeting; the pause steps were followed "
                "in a drill."
                if closed
                else "",
            )
            ActionEvent.objects.create(
                action=action,
                kind=EventKind.CREATED,
                actor=people["sam"],
                at=meeting,
                review=review,
            )
        index_for_search(review)  # found in the archive, as a report published in the app
        return True
