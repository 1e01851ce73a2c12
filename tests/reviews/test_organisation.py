"""Organisation settings: people, teams and defaults, for staff only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, ActionStatus
from reviews.auth import invitation_link, sign_in_link_message
from reviews.models import InvitationLink, Notification, Organisation, Team
from tests.factories import (
    ActionItemFactory,
    ParticipantFactory,
    ReviewFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    person = UserFactory(email="admin@example.com", is_staff=True)
    client.force_login(person)
    return person


STAFF_PAGES = [
    ("org:people", {}),
    ("org:teams", {}),
    ("org:defaults", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_the_pages_answer_staff(client, staff, name, kwargs):
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_the_pages_are_404_to_a_delivery_owner(client, name, kwargs):
    client.force_login(TeamFactory().delivery_owner)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_an_unknown_person_is_404(client, staff):
    assert client.get(reverse("org:person", args=[99999])).status_code == 404
    assert client.post(reverse("org:deactivate", args=[99999])).status_code == 404


def test_inviting_creates_the_account_and_emails_a_sign_in_link(client, staff):
    team = TeamFactory()
    response = client.post(
        reverse("org:people"),
        {"email": "New.Person@Example.com", "name": "New Person", "team": team.pk},
    )
    assert response.status_code == 302
    person = get_user_model().objects.get(email="new.person@example.com")
    assert not person.has_usable_password()
    assert person in team.members.all()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/link/open/" in word)
    anonymous = Client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert anonymous.get("/" + path).status_code == 200  # the confirmation page
    token = path.split("t=", 1)[1].split("&", 1)[0]
    assert anonymous.post("/accounts/link/open/", {"t": token}).status_code == 302
    assert anonymous.get("/").wsgi_request.user == person


def test_inviting_a_bad_address_says_so_and_changes_nothing(client, staff):
    response = client.post(reverse("org:people"), {"email": "not an address"})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert get_user_model().objects.count() == 1
    assert not mail.outbox


def test_deactivating_ends_sessions_voids_links_and_keeps_history(client, staff):
    person = UserFactory(email="leaving@example.com")
    review = ReviewFactory()
    row = ParticipantFactory(review=review, user=person)
    action = ActionItemFactory(owner=person, review=review)
    their_browser = Client()
    their_browser.force_login(person)
    assert their_browser.get("/").status_code == 200
    one_time = sign_in_link_message(user=person).body
    token = one_time.split("t=", 1)[1].split()[0].split("&")[0]
    invite = invitation_link(row, "/").split("t=", 1)[1].split("&")[0]

    response = client.post(reverse("org:deactivate", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    their_session = their_browser.session.session_key
    assert not Session.objects.filter(session_key=their_session).exists()  # the session is gone
    assert their_browser.get("/").status_code == 302  # signed out
    assert not InvitationLink.objects.filter(participant__user=person).exists()
    for t in (token, invite):
        assert Client().post("/accounts/link/open/", {"t": t}).status_code == 400
    # History stays: the participant row and the action are still theirs.
    assert review.participants.filter(user=person).exists()
    assert ActionItem.objects.get(pk=action.pk).owner == person
    page = client.get(reverse("org:person", args=[person.pk]))
    assert action.title.encode() in page.content


def test_a_deactivated_person_cannot_sign_in_with_a_password(client, staff):
    person = UserFactory(email="gone@example.com")
    client.post(reverse("org:deactivate", args=[person.pk]))
    response = Client().post(
        "/accounts/login/",
        {"email": "gone@example.com", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 400


def test_the_last_staff_user_cannot_be_deactivated_or_unstaffed(client, staff):
    other = UserFactory(is_staff=True)
    client.post(reverse("org:deactivate", args=[other.pk]))
    response = client.post(reverse("org:staff", args=[staff.pk]), {"staff": "0"}, follow=True)
    assert b"last active staff user" in response.content
    staff.refresh_from_db()
    assert staff.is_staff and staff.is_active


def test_nobody_deactivates_themselves(client, staff):
    UserFactory(is_staff=True)
    response = client.post(reverse("org:deactivate", args=[staff.pk]), follow=True)
    assert b"cannot deactivate yourself" in response.content
    staff.refresh_from_db()
    assert staff.is_active


def test_open_actions_are_reassigned_with_the_reason_in_their_history(client, staff):
    person = UserFactory()
    heir = UserFactory()
    first, second = ActionItemFactory(owner=person), ActionItemFactory(owner=person)
    done = ActionItemFactory(
        owner=person, status=ActionStatus.DONE, closed_at=timezone.now(), closing_note="seen"
    )
    client.post(reverse("org:deactivate", args=[person.pk]))
    client.post(reverse("org:reassign", args=[person.pk]), {"action": first.pk, "owner": heir.pk})
    assert ActionItem.objects.get(pk=first.pk).owner == heir
    assert ActionItem.objects.get(pk=second.pk).owner == person
    client.post(reverse("org:reassign", args=[person.pk]), {"action": "all", "owner": heir.pk})
    assert ActionItem.objects.get(pk=second.pk).owner == heir
    assert ActionItem.objects.get(pk=done.pk).owner == person  # closed ones keep their owner
    assert "was deactivated" in ActionItem.objects.get(pk=first.pk).events.last().reason


def test_reassigning_to_a_deactivated_person_is_refused(client, staff):
    person, gone = UserFactory(), UserFactory(is_active=False)
    action = ActionItemFactory(owner=person)
    response = client.post(
        reverse("org:reassign", args=[person.pk]), {"action": "all", "owner": gone.pk}, follow=True
    )
    assert b"Choose an active person" in response.content
    assert ActionItem.objects.get(pk=action.pk).owner == person


def test_teams_are_created_renamed_and_archived(client, staff):
    owner = UserFactory()
    client.post(reverse("org:teams"), {"name": "Search & Ranking", "delivery_owner": owner.pk})
    team = Team.objects.get(name="Search & Ranking")
    assert team.slug == "search-ranking" and team.delivery_owner == owner
    client.post(reverse("org:team_rename", args=[team.slug]), {"name": "Search"})
    client.post(reverse("org:team_archive", args=[team.slug]), {"archived": "1"})
    team.refresh_from_db()
    assert team.name == "Search" and team.archived_at is not None
    assert team not in Team.objects.active()


def test_a_blank_team_name_is_refused(client, staff):
    team = TeamFactory(name="Kept")
    response = client.post(reverse("org:teams"), {"name": "   "})
    assert response.status_code == 400
    client.post(reverse("org:team_rename", args=[team.slug]), {"name": ""})
    team.refresh_from_db()
    assert team.name == "Kept"
    assert Team.objects.count() == 1


def test_an_archived_team_is_not_offered_for_a_new_review(client):
    team = TeamFactory(name="Old team")
    TeamFactory(name="Live team", delivery_owner=team.delivery_owner)
    Team.objects.filter(pk=team.pk).update(archived_at="2026-01-01T00:00Z")
    client.force_login(team.delivery_owner)
    page = client.get(reverse("reviews:new")).content.decode()
    assert "Live team" in page and "Old team" not in page


def test_the_defaults_are_saved_and_used_by_new_reviews(client, staff):
    data = {"time_zone": "Asia/Tokyo", "reminder_hour": 7}
    data |= {
        f"minutes_{p}": m
        for p, m in [
            ("summary", 3),
            ("timeline", 30),
            ("root_cause", 15),
            ("contributing_factors", 10),
            ("went_well", 5),
            ("action_items", 12),
        ]
    }
    assert client.post(reverse("org:defaults"), data).status_code == 302
    organisation = Organisation.objects.current()
    assert (organisation.time_zone, organisation.reminder_hour) == ("Asia/Tokyo", 7)
    review = ReviewFactory()
    planned = dict(review.agenda.values_list("phase", "planned_minutes"))
    assert planned["summary"] == 3 and planned["action_items"] == 12
    assert b'value="Asia/Tokyo" selected' in client.get(reverse("reviews:new")).content


def test_bad_defaults_are_refused_and_change_nothing(client, staff):
    response = client.post(
        reverse("org:defaults"), {"time_zone": "Mars/Olympus", "reminder_hour": 25}
    )
    assert response.status_code == 400
    assert Organisation.objects.current().time_zone == "UTC"
    assert not Notification.objects.exists()


@pytest.mark.parametrize("owner", ["²", "9" * 40, "1 OR 1=1", ""])
def test_a_malformed_owner_id_is_refused_and_changes_nothing(client, staff, owner):
    person = UserFactory()
    action = ActionItemFactory(owner=person)
    response = client.post(
        reverse("org:reassign", args=[person.pk]), {"action": "all", "owner": owner}, follow=True
    )
    assert b"Choose an active person" in response.content
    assert ActionItem.objects.get(pk=action.pk).owner == person
