"""Changing the facilitator or the scribe never opens sealed accounts to the newcomer."""

from __future__ import annotations

import pytest
from django.core import mail

from reviews.models import Participant, Review
from reviews.services.invitations import invitations_send
from tests.reviews.test_review_edit import edit_form_data

pytestmark = pytest.mark.django_db


def test_a_delivery_owner_who_makes_themselves_scribe_cannot_read_sealed_accounts(client, cast):
    invitations_send(review=cast.review)
    mail.outbox.clear()
    account_url = f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/"
    client.force_login(cast.owner)
    assert client.get(account_url).status_code == 404
    data = edit_form_data(client, cast.review)
    data["scribe"] = cast.owner.pk
    assert client.post(f"/reviews/{cast.review.slug}/edit/", data).status_code == 302
    assert Review.objects.get(pk=cast.review.pk).scribe_id == cast.owner.pk

    assert client.get(account_url).status_code == 404
    assert cast.secret not in client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    # The change is recorded and the people concerned are told: old and new scribe, facilitator.
    told = sorted(m.to[0] for m in mail.outbox if "is now the scribe" in m.subject)
    assert told == sorted([cast.scribe.email, cast.owner.email, cast.facilitator.email])


def test_the_facilitator_lets_the_new_scribe_read_the_accounts(client, cast):
    invitations_send(review=cast.review)
    client.force_login(cast.owner)
    data = edit_form_data(client, cast.review)
    data["scribe"] = cast.owner.pk
    client.post(f"/reviews/{cast.review.slug}/edit/", data)
    row = Participant.objects.get(review=cast.review, user=cast.owner)
    assert row.reads_sealed is False

    assert client.post(f"/reviews/{cast.review.slug}/people/{row.pk}/sealed/").status_code == 404
    client.force_login(cast.facilitator)
    page = client.get(f"/reviews/{cast.review.slug}/people/").content.decode()
    assert "reads the sealed accounts once the facilitator agrees" in page
    client.post(f"/reviews/{cast.review.slug}/people/{row.pk}/sealed/")
    client.force_login(cast.owner)
    response = client.get(f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/")
    assert response.status_code == 200 and cast.secret in response.content.decode()


def test_a_scribe_the_facilitator_names_reads_the_accounts_at_once(client, cast):
    invitations_send(review=cast.review)
    client.force_login(cast.facilitator)
    data = edit_form_data(client, cast.review)
    data["scribe"] = cast.participant.pk
    assert client.post(f"/reviews/{cast.review.slug}/edit/", data).status_code == 302
    client.force_login(cast.participant)
    response = client.get(f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/")
    assert response.status_code == 200


def test_a_facilitator_named_by_staff_cannot_read_sealed_accounts(client, cast):
    invitations_send(review=cast.review)
    client.force_login(cast.staff)
    data = edit_form_data(client, cast.review)
    data["facilitator"] = cast.member.pk
    assert client.post(f"/reviews/{cast.review.slug}/edit/", data).status_code == 302
    client.force_login(cast.member)
    response = client.get(f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/")
    assert response.status_code == 404
