"""The dashboard's figures on a small hand-built data set, the lists behind its numbers, its
permissions, its kept figures and its query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionItem
from actions.services import action_create, action_set_status
from dashboard import rollups
from dashboard.figures import figures
from dashboard.periods import Buckets, Period
from reviews.models import AgendaPhase, CausalFactor, ContributingFactor, Team
from tests.factories import ActionItemFactory, ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 21)  # a Saturday
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def at(days_ago: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


@pytest.fixture
def data(db):
    with time_machine.travel(NOW, tick=False):
        team = TeamFactory(name="Payments")
        pat, lee = UserFactory(first_name="Pat"), UserFactory(first_name="Lee")
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
            kind="launch",
            status="preparing",
            event_started_at=at(3),
            event_detected_at=at(3),
            scheduled_at=at(-5),
            created_at=at(2),
        )
        ReviewFactory(team=team, status="cancelled", created_at=at(4))  # never counted
        old = ReviewFactory(team=team, status="published", created_at=at(120))  # before 90 days
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
        ActionItemFactory(
            review=held2,
            owner=pat,
            status="wont_do",
            closed_at=at(4),
            created_at=at(18),
        )  # closed, but not done: in the flow chart, not in the closure rate
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
        ContributingFactor.objects.create(review=old, text="Slow pager", category="monitoring")
        CausalFactor.objects.create(review=held, text="Pool size", factor_type="configuration")
        CausalFactor.objects.create(review=old, text="Pool size", factor_type="configuration")
        CausalFactor.objects.create(review=old, text="Bad deploy", factor_type="process")
        other = TeamFactory(name="Quokkas")  # another team, with its own actions
        ActionItemFactory(review=ReviewFactory(team=other), due_on=TODAY - dt.timedelta(days=3))
    rollups.flush()  # what the commit does, which a test never reaches
    return team, pat, lee


def run(team, **kwargs):
    return figures(
        teams=Team.objects.filter(pk=team.pk),
        period=Period(TODAY - dt.timedelta(days=89), TODAY),
        kind=kwargs.get("kind", ""),
        today=TODAY,
    )


def test_every_figure_on_a_hand_built_set(data):
    team, pat, lee = data
    f = run(team)
    assert f["by_status"] == {"published": 1, "writing": 1, "preparing": 2}
    assert f["reviews_in_period"] == 4
    assert [(w["waiting_days"], w["late"]) for w in f["waiting"]] == [(16, True), (3, False)]
    assert (f["waiting_count"], f["waiting_late"]) == (2, 1)
    assert f["median_to_meeting"] == 9.0  # 8 and 10 days
    assert [u["title"] for u in f["unpublished"]] == [team.reviews.get(status="writing").title]
    assert f["unpublished_count"] == 1
    assert (f["open"], f["overdue"], f["due_soon"]) == (5, 4, 1)
    assert [a["n"] for a in f["ageing"]] == [1, 1, 1, 1]
    assert (f["closed"], f["on_time"], f["on_time_rate"], f["median_to_close"]) == (2, 1, 50, 12.0)
    assert [(o["owner_id"], o["n"]) for o in f["owners"]] == [(pat.pk, 3), (lee.pk, 1)]
    timeline = next(r for r in f["overruns"] if r["phase"] == "timeline")
    assert (timeline["held"], timeline["over"], timeline["over_rate"]) == (2, 1, 50)
    assert timeline["median_over_minutes"] == 10.0
    assert [(c["value"], c["n"], c["before"], c["change"]) for c in f["factors"]["categories"]] == [
        ("monitoring", 2, 1, 1),
        ("documentation", 1, 0, 1),
    ]
    assert [(c["value"], c["n"], c["before"]) for c in f["factors"]["types"]] == [
        ("configuration", 1, 1),
        ("process", 0, 1),
    ]
    [row] = f["teams"]
    assert (row["reviews"], row["open"], row["overdue"], row["closed"], row["on_time_rate"]) == (
        4,
        5,
        4,
        2,
        50,
    )


def test_opened_and_closed_per_week_land_in_the_right_week(data):
    team, _, _ = data
    f = run(team)
    weeks = {w["week"]: (w["opened"], w["closed"]) for w in f["weeks"]}
    assert f["buckets"].unit == "week"
    assert len(f["weeks"]) == 13  # Monday 24 Aug to the week of Monday 16 Nov 2026
    assert weeks[dt.date(2026, 11, 2)] == (3, 0)  # created 18 days ago: the Tuesday 3 Nov
    assert weeks[dt.date(2026, 11, 9)] == (0, 1)  # done 8 days ago: Friday 13 Nov
    assert weeks[dt.date(2026, 11, 16)] == (1, 2)  # created 5, closed 4 days ago (+ won't do)
    assert sum(o for o, _ in weeks.values()) == 4  # the four made 120 days ago are outside


def test_kind_narrows_reviews_and_actions(data):
    team, _, _ = data
    f = run(team, kind="launch")
    assert f["by_status"] == {"preparing": 1}
    assert (f["open"], f["closed"]) == (0, 0)


def test_buckets_turn_to_months_over_a_year():
    buckets = Buckets.covering(
        Period(dt.date(2024, 11, 21), dt.date(2026, 11, 21)), weeks_up_to_days=371
    )
    assert buckets.unit == "month"
    assert (buckets.starts[0], buckets.starts[-1], len(buckets)) == (
        dt.date(2024, 11, 1),
        dt.date(2026, 12, 1),
        25,
    )
    assert buckets.label(0) == "Nov 2024"


def test_the_owner_of_one_team_sees_nothing_of_another(client, data):
    team, _, _ = data
    other = Team.objects.get(name="Quokkas")
    client.force_login(team.delivery_owner)
    assert client.get("/dashboard/", {"team": other.slug}).status_code == 404
    assert client.get(f"/actions/team/{other.slug}/").status_code == 404
    assert client.get("/actions/teams/", {"team": other.slug}).status_code == 404
    with time_machine.travel(NOW, tick=False):
        page = client.get("/actions/teams/", {"status": "all"}).content.decode()
        dashboard = client.get("/dashboard/").content.decode()
    assert "Quokkas" not in page, page
    assert 'id="count"><strong>8</strong>' in page  # 5 open, 2 done, 1 won't do
    assert "Quokkas" not in dashboard
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/actions/teams/").status_code == 404


NUMBER_LINK = re.compile(r'<a(?: class="[^"]*")? href="([^"]+)">(\d+)</a>')
LIST_COUNT = re.compile(r'id="count"><strong>(\d+)</strong>')


@pytest.mark.parametrize("params", [{}, {"period": "30"}, {"kind": "incident"}])
def test_every_number_links_to_a_list_of_that_many(client, data, params):
    """Follow each linked number on the page: the list behind it shows the same count."""
    team, _, _ = data
    staff = UserFactory(is_staff=True)  # all teams: the per-team table and the owned list
    with time_machine.travel(NOW, tick=False):
        for user, extra in ((team.delivery_owner, {"team": team.slug}), (staff, {})):
            client.force_login(user)
            html = client.get("/dashboard/", {**params, **extra}).content.decode()
            links = set(NUMBER_LINK.findall(html.replace("&amp;", "&")))
            checked = 0
            for href, number in links:
                if "factor=" in href or "cause=" in href:
                    continue  # factors link to the reviews that have them
                listed = client.get(href)
                assert listed.status_code == 200, href
                found = LIST_COUNT.search(listed.content.decode())
                assert found, href
                assert found.group(1) == number, (href, number, found.group(1))
                checked += 1
            assert checked >= 12


def test_factor_links_list_the_reviews_with_that_factor(client, data):
    team, _, _ = data
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/dashboard/", {"team": team.slug}).content.decode()
        href = re.search(r'href="([^"]*factor=monitoring[^"]*)"', html).group(1)
        listed = client.get(href.replace("&amp;", "&")).content.decode()
    assert (
        'id="count"><strong>2</strong> reviews not cancelled, with a contributing factor in'
        " monitoring"
    ) in listed


def test_the_page_draws_its_charts_with_their_numbers(client, data):
    team, _, _ = data
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/dashboard/", {"team": team.slug, "period": "90"}).content.decode()
    assert html.count('<svg role="img"') == 3
    assert html.count("<summary>The numbers</summary>") == 3
    assert "Actions opened and closed per week" in html
    assert "Contributing factors by category, per week" in html
    assert '<title id="ageing-title">Overdue actions by how late</title>' in html
    assert f'href="/actions/team/{team.slug}/?overdue=on">4</a>' in html
    # Review health across the recent reviews: none of the five has a timeline.
    assert '<th scope="row">No timeline</th><td class="num">5</td>' in html


def test_a_bad_custom_period_says_so_and_shows_90_days(client, data):
    team, _, _ = data
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        for query, message in (
            ({"since": "yesterday"}, "Give the custom period as two dates"),
            ({"since": "2026-11-01", "until": "2026-10-01"}, "ends before it starts"),
            ({"since": "2016-01-01"}, "at most three years"),
        ):
            response = client.get("/dashboard/", {"period": "custom", **query}, follow=True)
            html = response.content.decode()
            assert response.status_code == 200
            assert message in html
            assert "(90 days)" in html


def test_a_custom_period_is_used(client, data):
    team, _, _ = data
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        html = client.get(
            "/dashboard/",
            {"team": team.slug, "period": "custom", "since": "2026-11-01", "until": "2026-11-21"},
        ).content.decode()
    assert "1 Nov 2026 to 21 Nov 2026 (21 days)" in html


def test_unusable_list_filters_are_reported_and_left_out(client, data):
    team, _, _ = data
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        html = client.get(
            f"/actions/team/{team.slug}/", {"late_min": "30", "late_max": "8", "owner": "x"}
        ).content.decode()
    assert "Some filters could not be used" in html
    assert "Overdue by at most (days): The range ends before it starts." in html
    assert 'id="count"><strong>5</strong>' in html  # all open actions: nothing applied


def test_figures_are_kept_until_an_action_changes(client, data, settings):
    team, pat, _ = data
    settings.DASHBOARD_CACHE_SECONDS = 60
    client.force_login(team.delivery_owner)

    def overdue_link() -> str:
        html = client.get("/dashboard/", {"team": team.slug}).content.decode()
        return re.search(r'\?overdue=on">(\d+)</a>', html).group(1)

    with time_machine.travel(NOW, tick=False):
        assert overdue_link() == "4"
        with CaptureQueriesContext(connection) as kept:
            assert overdue_link() == "4"
        action = ActionItem.objects.filter(owner=pat, team=team, status="open").first()
        action_set_status(
            action=action, actor=pat, version=action.version, status="done", note="Verified."
        )
        assert overdue_link() == "3"
    assert len(kept) < 12  # the kept figures: no dashboard query ran


def test_the_query_count_is_the_same_with_10_and_with_1000_actions(client, data, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    team, pat, _ = data
    client.force_login(team.delivery_owner)
    review = team.reviews.first()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/", {"team": team.slug}).status_code == 200
        return len(queries)

    few = count()
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                review=review,
                owner=pat,
                title="x",
                due_on=TODAY - dt.timedelta(days=i % 200),
                created_at=timezone.now() - dt.timedelta(days=i % 80),
            )
            for i in range(1000)
        ]
    )
    assert ActionItem.objects.filter(team=team).count() > 1000
    rollups.flush()  # as at the commit
    assert count() == few
    assert rollups.differences() == []  # and the page read the 1,000 from the tallies


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], None),
        ([(5, 1)], 5.0),
        ([(1, 1), (3, 1)], 2.0),  # even: the mean of the middle two, as percentile_cont(0.5)
        ([(1, 2), (10, 1)], 1.0),
        ([(10, 1), (1, 1), (4, 2)], 4.0),  # unordered pairs
        ([(2, 3), (8, 3)], 5.0),
        ([(None, 4), (7, 0), (3, 1)], 3.0),  # no value, and a value nobody has, are ignored
    ],
)
def test_a_median_read_off_counts_matches_the_median_of_the_values(counts, expected):
    from dashboard.sql import histogram_median

    assert histogram_median(counts) == expected


def test_a_change_in_another_team_keeps_this_teams_figures(client, data, settings):
    team, _, _ = data
    settings.DASHBOARD_CACHE_SECONDS = 60
    other = Team.objects.get(name="Quokkas")
    client.force_login(team.delivery_owner)

    def look() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/dashboard/", {"team": team.slug}).content.decode()
        return html, len(queries)

    def add_overdue(review) -> None:  # as the meeting does
        action_create(
            review=review, actor=None, title="Add an alert", due_on=TODAY - dt.timedelta(days=9)
        )

    with time_machine.travel(NOW, tick=False):
        _, computed = look()
        add_overdue(other.reviews.first())
        _, after_theirs = look()
        add_overdue(team.reviews.first())
        html, after_ours = look()
    assert after_theirs < 12 < computed  # kept: the other team's change is not ours
    assert after_ours == computed  # ours: computed afresh...
    assert '?overdue=on">5</a>' in html  # ...with the new action


@pytest.mark.parametrize("kind", ["", "incident"])  # reusing the figures' counts, or not
def test_review_health_on_the_dashboard_reads_as_on_the_review_page(client, data, kind):
    """An action with neither owner nor date is one loose action, and a review's own overdue
    actions are not its team's "earlier" ones: the same findings as the review page."""
    team, _, _ = data
    review = team.reviews.get(status="writing")
    ActionItemFactory(review=review, owner=None, due_on=None)
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        dashboard = client.get("/dashboard/", {"team": team.slug, "kind": kind}).content.decode()
        page = client.get(f"/reviews/{review.slug}/").content.decode()
    for message in (
        "1 action(s) without an owner or a date.",
        "4 earlier action(s) of this team are still open past their date.",
    ):
        assert message in page
        assert message in dashboard


def test_a_new_review_shows_at_once(client, data, settings):
    from reviews.services.reviews import review_create

    team, _, _ = data
    settings.DASHBOARD_CACHE_SECONDS = 60
    client.force_login(team.delivery_owner)
    with time_machine.travel(NOW, tick=False):
        before = client.get("/dashboard/", {"team": team.slug}).content.decode()
        review_create(team=team, title="Queue backlog", kind="incident", created_by=None)
        after = client.get("/dashboard/", {"team": team.slug}).content.decode()
    assert re.search(r'">4</a></strong> reviews in the period', before)
    assert re.search(r'">5</a></strong> reviews in the period', after)
