"""The tallies the dashboard reads: kept through every kind of change, equal to a count from
the rows, and giving the figures a plain count of the rows gives, at any period."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionItem
from actions.services import action_create, action_set_due, action_set_status
from dashboard import rollups
from dashboard.figures import figures
from dashboard.models import ReviewFacts, RollupState, Tally
from dashboard.periods import Period
from dashboard.tallies import split
from reviews.models import AgendaPhase, CausalFactor, ContributingFactor, Review, Team
from reviews.services.meeting import finding_add, finding_delete, finding_update, meeting_undo
from reviews.services.timeline import timeline_entry_add
from reviews.versions import team_version_key
from tests.factories import ActionItemFactory, ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 21)
KINDS = ["incident", "incident", "launch", "project"]
CATEGORIES = ["monitoring", "documentation", "process", "tooling"]


def ago(rng: random.Random, days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=rng.uniform(0, days), minutes=rng.randint(0, 1440))


def make_data(seed: int = 7, reviews: int = 40) -> list[Team]:
    """Teams with reviews of every status and kind over two years, their actions closed
    late and on time, agendas over and under plan, factors; written as the app writes."""
    rng = random.Random(seed)
    teams = [TeamFactory(name=f"Team {i}") for i in range(3)]
    owner = UserFactory()
    for i in range(reviews):
        created = ago(rng, 760)
        event = created - dt.timedelta(hours=rng.randint(1, 40))
        held = rng.random() < 0.8
        review = ReviewFactory(
            team=teams[i % 3],
            kind=rng.choice(KINDS),
            status=rng.choice(["published", "writing", "preparing", "cancelled", "draft"]),
            created_at=created,
            event_started_at=event,
            event_detected_at=event,
            scheduled_at=event + dt.timedelta(days=rng.randint(1, 30)) if held else None,
            meeting_started_at=event + dt.timedelta(days=3) if held else None,
        )
        for phase in rng.sample(list(review.agenda.all()), k=min(3, review.agenda.count())):
            phase.started_at = created
            phase.spent_seconds = int(phase.planned_minutes * 60 * rng.uniform(0.5, 1.7))
            phase.save()
        for _ in range(rng.randint(0, 3)):
            ContributingFactor.objects.create(
                review=review, text="f", category=rng.choice(CATEGORIES)
            )
        if rng.random() < 0.5:
            CausalFactor.objects.create(review=review, text="c", factor_type="configuration")
        for _ in range(rng.randint(0, 6)):
            opened = created + dt.timedelta(days=rng.uniform(0, 10))
            if opened > NOW:
                opened = NOW - dt.timedelta(hours=1)
            closed = opened + dt.timedelta(days=rng.expovariate(1 / 20))
            state = rng.choice(["open", "done", "done", "wont_do"]) if closed < NOW else "open"
            ActionItemFactory(
                review=review,
                owner=owner,
                created_at=opened,
                due_on=(opened + dt.timedelta(days=rng.randint(1, 40))).date()
                if rng.random() < 0.9
                else None,
                status=state,
                closed_at=closed if state != "open" else None,
                closing_note="checked" if state == "done" else "",
            )
    rollups.flush()  # what the commit does, which a test never reaches
    return teams


def reference(team_ids: list[int], kind: str, period: Period) -> dict[str, object]:
    """The figures counted straight from the rows, in Python, by their written definitions."""
    tz = timezone.get_current_timezone()

    def day(moment: dt.datetime) -> dt.date:
        return moment.astimezone(tz).date()

    def inside(moment: dt.datetime | None) -> bool:
        return moment is not None and period.start <= day(moment) <= period.end

    reviews = [
        r
        for r in Review.objects.filter(team_id__in=team_ids).exclude(status="cancelled")
        if not kind or r.kind == kind
    ]
    in_period = [r for r in reviews if inside(r.created_at)]
    actions = [
        a
        for a in ActionItem.objects.filter(team_id__in=team_ids)
        if not kind or a.review.kind == kind
    ]
    done = [a for a in actions if a.status == "done" and inside(a.closed_at)]
    to_close = [
        (a.closed_at.astimezone(dt.UTC).date() - a.created_at.astimezone(dt.UTC).date()).days
        for a in done
    ]
    held = [r for r in in_period if r.scheduled_at and r.event_started_at and r.meeting_started_at]
    to_meeting = [
        (
            r.scheduled_at.astimezone(dt.UTC).date() - r.event_started_at.astimezone(dt.UTC).date()
        ).days
        for r in held
    ]
    ids = {r.pk for r in in_period}
    phases = AgendaPhase.objects.filter(review_id__in=ids, started_at__isnull=False)
    overran = [p for p in phases if p.spent_seconds > p.planned_minutes * 60]
    categories: dict[str, int] = {}
    for factor in ContributingFactor.objects.filter(review_id__in=ids):
        categories[factor.category] = categories.get(factor.category, 0) + 1
    by_status: dict[str, int] = {}
    for r in in_period:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return {
        "by_status": by_status,
        "closed": len(done),
        "on_time": sum(1 for a in done if a.due_on and day(a.closed_at) <= a.due_on),
        "median_to_close": round(statistics.median(to_close), 1) if to_close else None,
        "median_to_meeting": round(statistics.median(to_meeting), 1) if to_meeting else None,
        "opened": sum(1 for a in actions if inside(a.created_at)),
        "closed_any": sum(
            1 for a in actions if a.status in ("done", "wont_do") and inside(a.closed_at)
        ),
        "phases_held": phases.count(),
        "phases_over": len(overran),
        "categories": categories,
    }


def measured(team_ids: list[int], kind: str, period: Period) -> dict[str, object]:
    found = figures(
        teams=Team.objects.filter(pk__in=team_ids), period=period, kind=kind, today=TODAY
    )
    return {
        "by_status": found["by_status"],
        "closed": found["closed"],
        "on_time": found["on_time"],
        "median_to_close": found["median_to_close"],
        "median_to_meeting": found["median_to_meeting"],
        "opened": sum(w["opened"] for w in found["weeks"]),
        "closed_any": sum(w["closed"] for w in found["weeks"]),
        "phases_held": sum(o["held"] for o in found["overruns"]),
        "phases_over": sum(o["over"] for o in found["overruns"]),
        "categories": {r["value"]: r["n"] for r in found["factors"]["categories"] if r["n"]},
    }


PERIODS = [
    Period(TODAY - dt.timedelta(days=29), TODAY),
    Period(TODAY - dt.timedelta(days=89), TODAY),
    Period(TODAY - dt.timedelta(days=364), TODAY),
    Period(dt.date(2024, 11, 22), TODAY),  # two years: months in the middle, days at each end
    Period(dt.date(2025, 2, 14), dt.date(2025, 9, 3)),  # ends inside months
    Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31)),  # exactly one month
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_figures_read_from_the_tallies_equal_a_count_of_the_rows(period):
    with time_machine.travel(NOW, tick=False):
        teams = make_data()
        ids = [t.pk for t in teams]
        for team_ids in (ids, ids[:1], ids[1:]):  # the organisation, one team, two teams
            for kind in ("", "incident", "launch"):
                assert measured(team_ids, kind, period) == reference(team_ids, kind, period), (
                    team_ids,
                    kind,
                )


def test_the_kept_tallies_equal_a_rebuild_after_every_kind_of_change():
    with time_machine.travel(NOW, tick=False):
        teams = make_data(seed=11, reviews=12)
        assert rollups.differences() == []
        review = Review.objects.filter(team=teams[0]).exclude(status="cancelled").first()
        someone = UserFactory()
        # Through the services, as the pages do.
        action = action_create(
            review=review, actor=someone, title="Page on p99 > 2 s", due_on=TODAY
        )
        action_set_status(
            action=action, actor=someone, version=action.version, status="done", note="Seen."
        )
        action.refresh_from_db()
        action_set_status(action=action, actor=someone, version=action.version, status="open")
        action.refresh_from_db()
        action_set_due(
            action=action, actor=someone, version=action.version, due_on=TODAY, reason="Later."
        )
        factor = finding_add(
            review=review, kind="factor", actor=someone, text="x", category="process"
        )
        finding_update(item=factor, version=factor.version, text="x", category="monitoring")
        finding_delete(item=factor)
        meeting_undo(review=review)  # the factor comes back from its snapshot
        assert rollups.differences() == []
        # Saved directly, as the admin and scripts do.
        review.kind = "launch"
        review.save()
        other = Review.objects.filter(team=teams[1]).exclude(status="cancelled").first()
        other.status = "cancelled"
        other.save()
        moved = ActionItem.objects.filter(review__team=teams[2]).first()
        moved.review, moved.team = review, review.team
        moved.save()
        gone = ReviewFactory(team=teams[2], created_at=NOW)  # reviews with actions are kept
        ContributingFactor.objects.create(review=gone, text="g", category="process")
        gone.delete()
        ActionItem.objects.filter(review=review).first().delete()
        ActionItem.objects.bulk_create(
            [ActionItem(review=review, title="bulk", created_at=NOW, due_on=TODAY)] * 1
        )
        assert rollups.differences() == []


def test_a_timeline_line_writes_no_tally_and_keeps_the_teams_figures(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    with time_machine.travel(NOW, tick=False):
        review = ReviewFactory()
        rollups.flush()
        from django.core.cache import cache

        before = cache.get(team_version_key(review.team_id))
        with CaptureQueriesContext(connection) as queries:
            timeline_entry_add(
                review=review, actor=UserFactory(), occurred_at=NOW, description="Paged on-call."
            )
        assert not [q for q in queries if "dashboard_" in q["sql"]]
        assert cache.get(team_version_key(review.team_id)) == before


def test_a_new_action_moves_its_tallies_in_one_statement():
    with time_machine.travel(NOW, tick=False):
        review = ReviewFactory()
        rollups.flush()
        with CaptureQueriesContext(connection) as queries:
            action_create(review=review, actor=None, title="Alert on queue depth over 500")
        writes = [q["sql"] for q in queries if q["sql"].startswith("INSERT INTO dashboard_tally")]
        assert len(writes) == 1
        assert rollups.differences() == []


def test_the_command_finds_a_wrong_tally_and_the_rebuild_mends_it():
    with time_machine.travel(NOW, tick=False):
        make_data(seed=3, reviews=6)
        call_command("rollups", "--check")
        row = Tally.objects.filter(metric="opened").first()
        row.n += 5
        row.save()
        with pytest.raises(CommandError, match="differ from a fresh count"):
            call_command("rollups", "--check")
        call_command("rollups", "--rebuild")
        call_command("rollups", "--check")
        assert ReviewFacts.objects.exists()


def test_a_new_time_zone_counts_the_days_again(settings):
    with time_machine.travel(NOW, tick=False):
        make_data(seed=5, reviews=6)
        rollups.rebuild()
        settings.TIME_ZONE = "Pacific/Kiritimati"  # +14: many moments fall on the next day
        with timezone.override("Pacific/Kiritimati"):
            assert rollups.differences() != []
            rollups.after_migrate()
            assert rollups.differences() == []
            assert RollupState.objects.get().time_zone == "Pacific/Kiritimati"


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        # Whole months are read as months, what is left at either end as days.
        (
            "2025-02-14",
            "2025-09-04",
            ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"],
            [("2025-02-14", "2025-03-01"), ("2025-09-01", "2025-09-04")],
        ),
        ("2025-03-01", "2025-04-01", ["2025-03"], []),
        ("2025-03-03", "2025-03-10", [], [("2025-03-03", "2025-03-10")]),
        ("2025-12-20", "2026-02-01", ["2026-01"], [("2025-12-20", "2026-01-01")]),
    ],
)
def test_a_period_is_read_as_whole_months_and_edge_days(start, end, months, days):
    found_months, found_days = split([(dt.date.fromisoformat(start), dt.date.fromisoformat(end))])
    assert [m.strftime("%Y-%m") for m in found_months] == months
    assert [(a.isoformat(), b.isoformat()) for a, b in found_days] == days


def test_kept_figures_say_so_and_review_health_is_always_current(client, settings):
    """A timeline line moves no figure, so the kept ones stay in use, but the review-health
    list (which reads the timeline) is never kept; the page says when figures were kept."""
    settings.DASHBOARD_CACHE_SECONDS = 60
    with time_machine.travel(NOW, tick=False):
        review = ReviewFactory(status="writing", created_at=NOW - dt.timedelta(days=3))
        client.force_login(review.team.delivery_owner)
        rollups.flush()
        first = client.get("/dashboard/").content.decode()
        assert "There is no timeline." in first
        assert "and kept" not in first  # computed for this look: nothing to say
        timeline_entry_add(
            review=review, actor=UserFactory(), occurred_at=NOW, description="Paged on-call."
        )
        with CaptureQueriesContext(connection) as queries:
            second = client.get("/dashboard/").content.decode()
        assert "There is no timeline." not in second
        assert "were computed at" in second and "and kept" in second
        assert not [q for q in queries if "dashboard_tally" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_next_commits_counted():
    """A change undone by its transaction took its commit callback with it; the next one,
    saved as the admin saves (no service to say it is done), is still counted at its commit."""
    from django.db import transaction

    with time_machine.travel(NOW, tick=False):
        review = ReviewFactory()
        with pytest.raises(RuntimeError), transaction.atomic():
            ActionItemFactory(review=review)
            raise RuntimeError("undone")
        with transaction.atomic():
            ActionItemFactory(review=review, title="kept")
        assert Tally.objects.filter(metric="opened", team_id=review.team_id).exists()
        assert rollups.differences() == []


def test_an_action_carries_its_reviews_kind_and_follows_a_change_of_it():
    review = ReviewFactory(kind="incident")
    made = ActionItemFactory(review=review)
    [bulk] = ActionItem.objects.bulk_create([ActionItem(review=review, title="bulk")])
    assert made.kind == "incident" and ActionItem.objects.get(pk=bulk.pk).kind == "incident"
    review.kind = "launch"
    review.save()
    assert set(ActionItem.objects.filter(review=review).values_list("kind", flat=True)) == {
        "launch"
    }
