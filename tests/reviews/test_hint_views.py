from __future__ import annotations

import datetime as dt

import pytest

from reviews.models import HintDismissal
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_action_being_typed_gets_its_hints(client, user):
    client.force_login(user)
    response = client.post(
        "/hints/",
        {"context": "action", "title": "improve monitoring", "owner": "", "due_on": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'data-code="action.vague"' in html
        and 'data-code="action.owner"' in html
        and 'data-code="action.due"' in html
    )
    assert "Add an alert when the pool is above 80%" in html  # what to write instead


def test_an_account_with_blame_gets_a_system_question(client, user):
    client.force_login(user)
    html = client.post(
        "/hints/", {"context": "account", "body": "Pat should have checked the logs."}
    ).content.decode()
    assert 'data-code="blame.counterfactual"' in html and "reasonable at the time" in html


def test_names_in_causes_are_pointed_out_for_the_reviews_people(client, cast):
    client.force_login(cast.scribe)
    name = cast.participant.first_name
    html = client.post(
        "/hints/",
        {
            "context": "root_cause",
            "review": cast.review.slug,
            "text": f"{name} restarted the wrong node",
        },
    ).content.decode()
    assert 'data-code="blame.name"' in html


def test_a_review_one_may_not_see_is_404_in_hints(client, cast):
    client.force_login(cast.outsider)
    assert (
        client.post(
            "/hints/", {"context": "root_cause", "review": cast.review.slug, "text": "x"}
        ).status_code
        == 404
    )


def test_a_dismissed_hint_stays_hidden_for_that_item(client, user):
    client.force_login(user)
    action = ActionItemFactory(
        title="Improve monitoring", due_on=dt.date.today() + dt.timedelta(days=3)
    )
    data = {
        "context": "action",
        "item": f"action:{action.pk}",
        "title": "Improve monitoring",
        "owner_name": "Pat",
        "due_on": action.due_on.isoformat(),
        "size": "days",
        "definition_of_done": "x",
    }
    assert 'data-code="action.vague"' in client.post("/hints/", data).content.decode()
    client.post("/hints/dismiss/", {"item": f"action:{action.pk}", "code": "action.vague"})
    assert 'data-code="action.vague"' not in client.post("/hints/", data).content.decode()
    assert HintDismissal.objects.filter(user=user).count() == 1
    other = UserFactory()
    client.force_login(other)
    assert 'data-code="action.vague"' in client.post("/hints/", data).content.decode()


def test_the_review_page_shows_its_health(client, cast):
    client.force_login(cast.facilitator)
    html = client.get(f"/reviews/{cast.review.slug}/").content.decode()
    assert "Review health" in html and 'data-code="health.timeline"' in html


def test_the_dashboard_shows_review_health_across_the_owners_reviews(client, cast, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard import rollups
    from tests.factories import ReviewFactory

    settings.DASHBOARD_CACHE_SECONDS = 0  # compare what computing the figures costs

    client.force_login(cast.owner)
    rollups.flush()  # counted as the commit would (a test never commits)
    with CaptureQueriesContext(connection) as few:
        html = client.get("/dashboard/").content.decode()
    assert "Review health" in html and cast.review.title in html and "There is no timeline." in html
    for _ in range(10):
        ReviewFactory(team=cast.team)
    rollups.flush()
    with CaptureQueriesContext(connection) as many:
        client.get("/dashboard/")
    assert len(few) == len(many)
