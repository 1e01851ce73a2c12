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
