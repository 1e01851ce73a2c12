"""Actions through the API: what one sees, and changes made with the page's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from actions.models import ActionEvent, ActionItem
from tests.api.conftest import token_for
from tests.factories import ActionItemFactory, ReviewFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/actions/"


def url(action: ActionItem) -> str:
    return f"/api/v1/actions/{action.pk}/"


@pytest.fixture
def action(cast):
    return ActionItemFactory(
        review=cast.review, owner=cast.participant, title="Alert on pool saturation"
    )


# --- list and detail ----------------------------------------------------------------------


def test_the_list_holds_the_actions_one_may_see(api, cast, action):
    ActionItemFactory(title="Someone else's")
    body = api("GET", LIST, token_for(cast.member, write=False)).json()
    assert [a["id"] for a in body["results"]] == [action.pk]
    assert body["results"][0]["owner"] == {
        "email": "participant@example.com",
        "name": cast.participant.get_full_name(),
    }
    assert body["results"][0]["review"] == cast.review.slug
    assert api("GET", LIST, token_for(cast.outsider)).json()["results"] == []


def test_the_list_filters_by_owner_team_status_overdue_and_due_date(api, cast, action):
    today = timezone.localdate()
    late = ActionItemFactory(
        review=cast.review, owner=cast.facilitator, due_on=today - dt.timedelta(days=2)
    )
    done = ActionItemFactory(
        review=cast.review,
        owner=cast.facilitator,
        status="done",
        closed_at=timezone.now(),
        closing_note="Verified",
    )
    elsewhere = ActionItemFactory(review=ReviewFactory(), owner=cast.participant)
    token = token_for(cast.staff)
    get = lambda **params: sorted(a["id"] for a in api.get(LIST, token, **params).json()["results"])  # noqa: E731
    assert get() == sorted([action.pk, late.pk, elsewhere.pk])  # open ones by default
    assert get(status="all", team=cast.team.slug) == sorted([action.pk, late.pk, done.pk])
    assert get(status="done") == [done.pk]
    assert get(owner="participant@example.com") == sorted([action.pk, elsewhere.pk])
    assert get(overdue="true") == [late.pk]
    assert get(due_before=today.isoformat()) == [late.pk]
    mine = api.get(LIST, token_for(cast.participant), owner="me").json()["results"]
    assert sorted(a["id"] for a in mine) == sorted([action.pk, elsewhere.pk])  # theirs, anywhere


def test_the_action_list_pages_with_a_cursor(api, cast):
    made = [ActionItemFactory(review=cast.review).pk for _ in range(5)]
    token = token_for(cast.owner)
    first = api.get(LIST, token, limit=2).json()
    second = api.get(LIST, token, limit=2, cursor=first["next_cursor"]).json()
    third = api.get(LIST, token, limit=2, cursor=second["next_cursor"]).json()
    assert [a["id"] for page in (first, second, third) for a in page["results"]] == made
    assert third["next_cursor"] is None


def test_the_detail_of_an_action(api, cast, action):
    response = api("GET", url(action), token_for(cast.observer, write=False))
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["status"], body["version"]) == (
        "Alert on pool saturation",
        "open",
        1,
    )
    assert body["url"].endswith(f"/actions/{action.pk}/")


def test_an_outsider_gets_404_for_an_action(api, cast, action):
    token = token_for(cast.outsider)
    assert api("GET", url(action), token).status_code == 404
    assert api("PATCH", url(action), token, {"status": "in_progress"}).status_code == 404
    assert api("GET", "/api/v1/actions/999999/", token_for(cast.owner)).status_code == 404


# --- update -------------------------------------------------------------------------------


def test_a_script_closes_an_action_with_a_verification_note(api, cast, action):
    response = api(
        "PATCH",
        url(action),
        token_for(cast.participant),
        {"status": "done", "note": "Alert fired in the drill"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    action.refresh_from_db()
    assert (action.status, action.closing_note) == ("done", "Alert fired in the drill")
    assert action.closed_at is not None
    event = ActionEvent.objects.get(action=action, kind="status")
    assert (event.actor, event.new_value, event.reason) == (
        cast.participant,
        "done",
        "Alert fired in the drill",
    )


def test_done_needs_a_verification_note(api, cast, action):
    response = api("PATCH", url(action), token_for(cast.participant), {"status": "done"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "note": ["Say how we know it worked: closing as done needs a verification note."]
    }
    action.refresh_from_db()
    assert action.status == "open"


def test_wont_do_needs_a_reason(api, cast, action):
    response = api("PATCH", url(action), token_for(cast.owner), {"status": "wont_do", "note": "  "})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["note"]


def test_moving_a_due_date_needs_a_reason(api, cast, action):
    new_day = (action.due_on + dt.timedelta(days=7)).isoformat()
    refused = api("PATCH", url(action), token_for(cast.facilitator), {"due_on": new_day})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["reason"]
    moved = api(
        "PATCH",
        url(action),
        token_for(cast.facilitator),
        {"due_on": new_day, "reason": "Waiting on the vendor"},
    )
    assert moved.status_code == 200
    assert moved.json()["due_on"] == new_day
    assert ActionEvent.objects.get(action=action, kind="due_date").reason == "Waiting on the vendor"


def test_a_ticket_url_is_set_and_checked(api, cast, action):
    token = token_for(cast.scribe)
    bad = api("PATCH", url(action), token, {"ticket_url": "not a url"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["ticket_url"]
    good = api("PATCH", url(action), token, {"ticket_url": "https://tickets.example.com/OPS-12"})
    assert good.json()["ticket_url"] == "https://tickets.example.com/OPS-12"
    assert ActionEvent.objects.get(action=action, kind="edited").field == "ticket_url"


def test_a_refused_change_changes_nothing_of_the_rest(api, cast, action):
    body = {"ticket_url": "https://tickets.example.com/OPS-12", "status": "done"}
    assert api("PATCH", url(action), token_for(cast.participant), body).status_code == 400
    action.refresh_from_db()
    assert (action.ticket_url, action.status, action.version) == ("", "open", 1)
    assert not ActionEvent.objects.filter(action=action).exists()


def test_a_stale_version_is_refused_with_the_current_one(api, cast, action):
    token = token_for(cast.participant)
    api("PATCH", url(action), token, {"status": "in_progress", "version": 1})
    stale = api("PATCH", url(action), token, {"status": "open", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_only_those_who_may_change_it_on_the_page_may_change_it(api, cast, action):
    for person in (cast.member, cast.observer, cast.staff):
        assert (
            api("PATCH", url(action), token_for(person), {"status": "in_progress"}).status_code
            == 404
        )
    action.refresh_from_db()
    assert action.status == "open"


def test_a_read_token_cannot_change_an_action(api, cast, action):
    response = api(
        "PATCH", url(action), token_for(cast.participant, write=False), {"status": "in_progress"}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


def test_bad_json_and_bad_values_are_400(api, cast, action):
    token = token_for(cast.participant)
    assert api("PATCH", url(action), token, raw="{status: done}").status_code == 400
    wrong = api("PATCH", url(action), token, {"status": "finished", "due_on": "next week"})
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"status", "due_on"}
    not_a_number = api("GET", "/api/v1/actions/abc/", token)
    assert not_a_number.status_code == 400
    assert list(not_a_number.json()["errors"]) == ["action_id"]


def test_one_patch_is_one_event_for_the_webhooks(api, cast, action, settings):
    """A ticket, a new date and done in one call: the receiver hears action.closed once."""
    from api.models import WebhookDelivery
    from tests.factories import WebhookFactory

    settings.WEBHOOK_ALLOW_PRIVATE = True
    WebhookFactory(team=cast.team, events=["action.updated", "action.closed"])
    response = api(
        "PATCH",
        url(action),
        token_for(cast.owner),
        {
            "ticket_url": "https://tickets.example.com/OPS-7",
            "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "reason": "The vendor ships on Friday.",
            "status": "done",
            "note": "The alert fired in the drill within two minutes.",
        },
    )
    assert response.status_code == 200, response.content
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event == "action.closed"
    assert delivery.payload["action"]["ticket_url"] == "https://tickets.example.com/OPS-7"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_on": None, "reason": "Clear it."}, "due_on"),
        ({"note": "Verified in the drill."}, "note"),
        ({"reason": "Later."}, "reason"),
    ],
)
def test_a_part_that_would_be_ignored_is_refused_by_name(api, cast, action, body, field):
    before = ActionEvent.objects.count()
    response = api("PATCH", url(action), token_for(cast.owner), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert ActionEvent.objects.count() == before


def test_a_bad_filter_is_named_as_the_client_wrote_it(api, cast, action):
    response = api.get("/api/v1/actions/", token_for(cast.owner), status="bogus")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]
