"""Migrations that move data: an existing database comes out right."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("actions", "0002_settings_resurfacing"), ("reviews", "0008_hint_dismissals")]
AFTER = [("actions", "0003_action_team")]


def test_existing_actions_get_their_reviews_team():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="owner@example.com")
    Team = old.get_model("reviews", "Team")
    Review = old.get_model("reviews", "Review")
    ActionItem = old.get_model("actions", "ActionItem")
    teams = [
        Team.objects.create(name=name, slug=name.lower(), delivery_owner=user)
        for name in ("Payments", "Search")
    ]
    reviews = [
        Review.objects.create(team=team, title=f"{team.name} outage", slug=f"{team.slug}-outage")
        for team in teams
    ]
    for review in reviews:
        for n in range(3):
            ActionItem.objects.create(review=review, title=f"Action {n}")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("actions", "ActionItem").objects.values_list("review__team_id", "team_id")
    assert len(rows) == 6
    assert all(review_team == team for review_team, team in rows)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the others


def test_pull_request_columns_move_to_their_own_row_and_back():
    before = [("reviews", "0011_notification_kinds")]
    after = [("reviews", "0012_pull_request_context")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="owner@example.com")
    team = old.get_model("reviews", "Team").objects.create(
        name="Payments", slug="payments", delivery_owner=user
    )
    Review = old.get_model("reviews", "Review")
    change = Review.objects.create(
        team=team,
        title="Move the job",
        slug="move-the-job",
        kind="pull_request",
        pr_number=4182,
        pr_url="https://code.example.com/pull/4182",
        pr_author="omar",
        pr_reviewers="priya, lee",
        pr_lines_added=212,
        pr_sections={"followup.debt": "Remove the shared pool"},
    )
    Review.objects.create(team=team, title="Outage", slug="outage", kind="incident")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    contexts = list(new.get_model("reviews", "PullRequestContext").objects.all())
    assert [(c.review_id, c.number, c.author, c.lines_added) for c in contexts] == [
        (change.pk, 4182, "omar", 212)
    ]
    assert contexts[0].reviewers == "priya, lee"
    assert contexts[0].sections == {"followup.debt": "Remove the shared pool"}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)  # and back: the columns are filled again
    back = executor.loader.project_state(before).apps
    restored = back.get_model("reviews", "Review").objects.get(pk=change.pk)
    assert (restored.pr_number, restored.pr_author) == (4182, "omar")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
