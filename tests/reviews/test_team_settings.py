"""Team settings: the team's delivery owner and staff manage its members, communication
plan, triggers, facilitator rota and default agenda; anyone else gets 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reviews.models import FacilitatorRota, Review, Team
from reviews.services.organisation import team_next_facilitator
from tests.factories import ReviewFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    made = TeamFactory(name="Payments", slug="payments")
    made.members.add(made.delivery_owner)
    return made


@pytest.fixture
def owner_client(client, team):
    client.force_login(team.delivery_owner)
    return client


def url(name, team, **kwargs):
    return reverse(f"teams:{name}", kwargs={"slug": team.slug, **kwargs})


def test_the_delivery_owner_sees_the_settings(owner_client, team):
    page = owner_client.get(url("settings", team))
    assert page.status_code == 200
    assert b"Facilitator rota" in page.content


def test_a_delivery_owner_of_another_team_gets_404_everywhere(client, team):
    client.force_login(TeamFactory().delivery_owner)
    member = UserFactory()
    team.members.add(member)
    assert client.get(url("settings", team)).status_code == 404
    for name, kwargs in [
        ("settings", {}),
        ("member_add", {}),
        ("member_role", {"pk": member.pk}),
        ("member_remove", {"pk": member.pk}),
        ("stakeholders_test", {}),
        ("rota", {}),
    ]:
        assert client.post(url(name, team, **kwargs), {"role": "member"}).status_code == 404
    assert member in team.members.all()


def test_a_member_gets_404(client, team):
    member = UserFactory()
    team.members.add(member)
    client.force_login(member)
    assert client.get(url("settings", team)).status_code == 404
    assert client.get(reverse("teams:list")).status_code == 404


def test_an_unknown_team_or_member_is_404(owner_client, team):
    assert owner_client.get(reverse("teams:settings", args=["no-such-team"])).status_code == 404
    outsider = UserFactory()
    response = owner_client.post(url("member_role", team, pk=outsider.pk), {"role": "member"})
    assert response.status_code == 404


def test_staff_manage_any_team(client, team):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url("settings", team)).status_code == 200


def test_members_are_added_and_their_role_changed(owner_client, team):
    person = UserFactory(email="new@example.com")
    owner_client.post(url("member_add", team), {"email": "NEW@example.com", "role": "member"})
    assert person in team.members.all()
    owner_client.post(url("member_role", team, pk=person.pk), {"role": "delivery_owner"})
    team.refresh_from_db()
    assert team.delivery_owner == person


def test_adding_an_unknown_address_says_so(owner_client, team):
    response = owner_client.post(
        url("member_add", team), {"email": "ghost@example.com", "role": "member"}
    )
    assert response.status_code == 400
    assert b"No active account has this address" in response.content
    assert b"ghost@example.com" in response.content


def test_removing_a_member_takes_them_off_the_rota(owner_client, team):
    person = UserFactory()
    team.members.add(person)
    FacilitatorRota.objects.create(team=team, user=person, position=0)
    owner_client.post(url("member_remove", team, pk=person.pk))
    assert person not in team.members.all()
    assert not FacilitatorRota.objects.filter(team=team).exists()


def test_the_plan_triggers_and_agenda_are_saved(owner_client, team):
    response = owner_client.post(
        url("settings", team),
        {
            "stakeholder_emails": "CTO@example.com\n\nsupport@example.com\ncto@example.com",
            "review_triggers": "Every SEV-1 and SEV-2, every major launch.",
            "trigger_kinds": ["incident", "launch"],
            "trigger_severities": ["sev1", "sev2", "major_launch"],
            "minutes_timeline": "30",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.stakeholder_email_list() == ["cto@example.com", "support@example.com"]
    assert team.trigger_kinds == ["incident", "launch"]
    asked = Review.objects.filter(team=team).filter(Team.objects.review_required())
    sev1 = ReviewFactory(team=team, kind="incident", severity="sev1")
    sev3 = ReviewFactory(team=team, kind="incident", severity="sev3")
    assert set(asked) >= {sev1} and sev3 not in set(asked)  # what the dashboard counts
    assert team.agenda_minutes == {"timeline": 30}
    review = ReviewFactory(team=team)
    planned = dict(review.agenda.values_list("phase", "planned_minutes"))
    assert planned["timeline"] == 30 and planned["summary"] == 5


def test_a_bad_address_is_named_and_nothing_changes(owner_client, team):
    Team.objects.filter(pk=team.pk).update(stakeholder_emails="kept@example.com")
    response = owner_client.post(
        url("settings", team),
        {"stakeholder_emails": "ok@example.com\nnot-an-address", "minutes_summary": "0"},
    )
    assert response.status_code == 400
    assert b"Not an email address: not-an-address" in response.content
    team.refresh_from_db()
    assert team.stakeholder_emails == "kept@example.com"


def test_an_unknown_trigger_kind_is_refused(owner_client, team):
    response = owner_client.post(url("settings", team), {"trigger_kinds": ["coffee"]})
    assert response.status_code == 400
    team.refresh_from_db()
    assert team.trigger_kinds == []


def test_the_test_email_reaches_every_stakeholder(owner_client, team):
    Team.objects.filter(pk=team.pk).update(stakeholder_emails="a@example.com\nb@example.com")
    owner_client.post(url("stakeholders_test", team))
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    assert "Payments" in mail.outbox[0].subject


def test_the_rota_names_who_has_waited_longest(owner_client, team):
    ana, bo, cy = (
        UserFactory(first_name="Ana"),
        UserFactory(first_name="Bo"),
        UserFactory(first_name="Cy"),
    )
    team.members.add(ana, bo, cy)
    response = owner_client.post(
        url("rota", team), {f"place_{ana.pk}": "1", f"place_{bo.pk}": "2", f"place_{cy.pk}": ""}
    )
    assert response.status_code == 302
    assert list(FacilitatorRota.objects.filter(team=team).values_list("user", flat=True)) == [
        ana.pk,
        bo.pk,
    ]
    assert team_next_facilitator(team) == ana  # nobody has facilitated yet: the first
    ReviewFactory(team=team, facilitator=ana)
    assert team_next_facilitator(team) == bo
    old = ReviewFactory(team=team, facilitator=bo)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    assert team_next_facilitator(team) == bo  # facilitated longer ago than Ana
    assert b"Next to facilitate:</strong> Bo" in owner_client.get(url("settings", team)).content


def test_a_rota_place_out_of_range_is_refused(owner_client, team):
    person = UserFactory()
    team.members.add(person)
    response = owner_client.post(url("rota", team), {f"place_{person.pk}": "9"})
    assert response.status_code == 400
    assert not FacilitatorRota.objects.exists()


def test_the_dashboard_counts_only_the_events_the_checklist_asks_a_review_for(owner_client, team):
    old = timezone.now() - dt.timedelta(days=20)
    for kind, severity in [("incident", "sev1"), ("incident", "sev4"), ("launch", "minor_launch")]:
        ReviewFactory(team=team, kind=kind, severity=severity, event_started_at=old)

    def waiting():
        html = owner_client.get("/dashboard/", {"team": team.slug}).content.decode()
        href, number = re.search(r'of <a href="([^"]+)">(\d+)</a> waiting', html).groups()
        listed = owner_client.get(href.replace("&amp;", "&")).content.decode()
        return int(number), int(re.search(r'id="count"><strong>(\d+)</strong>', listed).group(1))

    assert waiting() == (3, 3)
    owner_client.post(
        url("settings", team),
        {"trigger_kinds": ["incident"], "trigger_severities": ["sev1", "sev2"]},
    )
    assert waiting() == (1, 1)  # at once: saving the checklist drops the kept figures


def test_a_new_review_of_the_team_suggests_the_next_facilitator(owner_client, team):
    ana, bo = UserFactory(first_name="Ana"), UserFactory(first_name="Bo")
    team.members.add(ana, bo)
    FacilitatorRota.objects.create(team=team, user=ana, position=0)
    FacilitatorRota.objects.create(team=team, user=bo, position=1)
    ReviewFactory(team=team, facilitator=ana)
    page = owner_client.get(reverse("reviews:new"), {"team": team.slug}).content.decode()
    chosen = re.search(r'<select name="facilitator"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(rf'<option value="{bo.pk}" selected>', chosen)
