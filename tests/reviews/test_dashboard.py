"""The dashboard's figures on a small hand-built data set, its permissions and its query count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionItem
from reviews.metrics import Period, figures
from reviews.models import AgendaPhase, ContributingFactor, Team
from tests.factories import ActionItemFactory, ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 21)
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def at(days_ago: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


@pytest.fixture
def data(db):
    with time_machine.travel(NOW, tick=False):
        team = TeamFactory()
        pat, lee = UserFactory(), UserFactory()
        held = ReviewFactory(
            team=team,
            status="published",
            event_started_at=at(20),
            event_detected_at=at(20),
            scheduled_at=at(12),
            meeting_started_at=at(12),
            created_at=at(19),
        )
        held2 = ReviewFactory(
            team=team,
            status="writing",
            event_started_at=at(30),
            event_detected_at=at(30),
            scheduled_at=at(20),
            meeting_started_at=at(20),
            meeting_ended_at=at(20),
            created_at=at(29),
        )
        ReviewFactory(
            team=team,
            status="preparing",
            event_started_at=at(16),
            event_detected_at=at(16),
            scheduled_at=at(-2),
            created_at=at(15),
        )
        ReviewFactory(
            team=team,
            status="preparing",
            event_started_at=at(3),
            event_detected_at=at(3),
            scheduled_at=at(-5),
            created_at=at(2),
        )
        # Actions: overdue by 2, 10, 40 and 100 days; one due in 3 days; two closed.
        for late, owner in ((2, pat), (10, pat), (40, lee), (100, pat)):
            ActionItemFactory(
                review=held, owner=owner, due_on=TODAY - dt.timedelta(days=late), created_at=at(120)
            )
        ActionItemFactory(
            review=held, owner=lee, due_on=TODAY + dt.timedelta(days=3), created_at=at(5)
        )
        ActionItemFactory(
            review=held2,
            owner=lee,
            due_on=TODAY - dt.timedelta(days=5),
            status="done",
            closed_at=at(8),
            closing_note="ok",
            created_at=at(18),
        )  # on time, 10 days
        ActionItemFactory(
            review=held2,
            owner=pat,
            due_on=TODAY - dt.timedelta(days=15),
            status="done",
            closed_at=at(4),
            closing_note="ok",
            created_at=at(18),
        )  # late, 14 days
        AgendaPhase.objects.filter(review=held, phase="timeline").update(
            started_at=at(12), spent_seconds=35 * 60
        )  # 10 min over
        AgendaPhase.objects.filter(review=held2, phase="timeline").update(
            started_at=at(20), spent_seconds=20 * 60
        )
        ContributingFactor.objects.create(review=held, text="No alert", category="monitoring")
        ContributingFactor.objects.create(
            review=held2, text="No alert either", category="monitoring"
        )
        ContributingFactor.objects.create(
            review=held2, text="Old runbook", category="documentation"
        )
        TeamFactory()  # another team, with nothing of ours
    return team, pat, lee


def run(team):
    return figures(
        teams=Team.objects.filter(pk=team.pk),
        period=Period(TODAY - dt.timedelta(days=90), TODAY),
        kind="",
        today=TODAY,
    )


def test_every_figure_on_a_hand_built_set(data):
    team, pat, lee = data
    f = run(team)
    assert f["by_status"] == {"published": 1, "writing": 1, "preparing": 2}
    assert [(w["waiting_days"], w["late"]) for w in f["waiting"]] == [(16, True), (3, False)]
    assert f["median_to_meeting"] == 9.0  # 8 and 10 days
    assert [u["title"] for u in f["unpublished"]] == [
        ReviewFactory._meta.model.objects.get(status="writing").title
    ]
    assert (f["open"], f["overdue"], f["due_soon"]) == (5, 4, 1)
    assert [a["n"] for a in f["ageing"]] == [1, 1, 1, 1]
    assert (f["closed"], f["on_time_rate"], f["median_to_close"]) == (2, 50, 12.0)
    assert [(o["owner_id"], o["n"]) for o in f["owners"]] == [(pat.pk, 3), (lee.pk, 1)]
    timeline = next(r for r in f["overruns"] if r["phase"] == "timeline")
    assert (timeline["held"], timeline["over"]) == (2, 1)
    if connection.vendor == "postgresql":
        assert timeline["median_over_minutes"] == 10.0
    assert [(c["category"], c["n"]) for c in f["factors"]["categories"]] == [
        ("monitoring", 2),
        ("documentation", 1),
    ]


def test_the_owner_of_one_team_sees_nothing_of_another(client, data):
    team, _, _ = data
    other = Team.objects.exclude(pk=team.pk).get()
    ActionItemFactory(review=ReviewFactory(team=other), due_on=TODAY - dt.timedelta(days=3))
    client.force_login(team.delivery_owner)
    assert client.get("/dashboard/", {"team": other.slug}).status_code == 404
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 404


def test_the_page_shows_charts_with_their_numbers_and_links(client, data):
    team, _, _ = data
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/dashboard/", {"team": team.slug, "period": "90"}).content.decode()
    assert html.count('<svg role="img"') == 4 and "The numbers" in html
    assert f'href="/actions/team/{team.slug}/?overdue=on">4</a>' in html


def test_the_query_count_is_the_same_with_10_and_with_1000_actions(client, data):
    team, pat, _ = data
    client.force_login(team.delivery_owner)
    review = team.reviews.first()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/", {"team": team.slug}).status_code == 200
        return len(queries)

    ActionItem.objects.bulk_create(
        [ActionItem(review=review, owner=pat, title="x", due_on=TODAY) for _ in range(3)]
    )
    few = count()
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                review=review,
                owner=pat,
                title="x",
                due_on=TODAY - dt.timedelta(days=i % 200),
                created_at=timezone.now(),
            )
            for i in range(1000)
        ]
    )
    assert count() == few
