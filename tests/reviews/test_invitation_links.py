"""An invitation's link keeps working for that person and that review until the meeting ends
(#15 bug 9: opened a second time it said "This sign-in link no longer works")."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from reviews.models import InvitationLink
from reviews.services.meeting import meeting_end, meeting_start
from reviews.services.people import participant_remove

pytestmark = pytest.mark.django_db


def invited_link(client, cast) -> str:
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    client.logout()
    message = next(m for m in mail.outbox if m.to == [cast.participant.email])
    match = re.search(r"http://testserver(/accounts/link/open/\?\S+)", message.body)
    assert match, message.body
    return match.group(1)


def open_and_confirm(client, link):
    """What a person does with the link: open it, press Continue."""
    page = client.get(link)
    assert page.status_code == 200, page.content.decode()[:300]
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.content.decode())
    )
    return client.post("/accounts/link/open/", fields)


def test_the_invitation_link_works_again_on_another_day_and_device(cast):
    link = invited_link(Client(), cast)
    account_page = f"/reviews/{cast.review.slug}/account/"
    for _ in range(3):  # the laptop, the phone, the laptop again after signing out
        browser = Client()
        signed_in = open_and_confirm(browser, link)
        assert signed_in.status_code == 302 and signed_in.url == account_page
        assert browser.get(account_page).status_code == 200
    assert InvitationLink.objects.get(participant=cast.participant_row).last_used_at is not None


def test_someone_signed_in_as_that_person_simply_lands_on_the_page(client, cast):
    link = invited_link(client, cast)
    client.force_login(cast.participant)
    response = client.get(link)
    assert response.status_code == 302 and response.url == f"/reviews/{cast.review.slug}/account/"


def test_opening_the_link_does_not_sign_in_without_the_confirmation(client, cast):
    link = invited_link(client, cast)
    assert client.get(link).status_code == 200
    assert "_auth_user_id" not in client.session


def test_only_a_digest_of_the_token_is_stored(client, cast):
    link = invited_link(client, cast)
    token = re.search(r"[?&]t=([^&]+)", link).group(1)
    stored = InvitationLink.objects.get(participant=cast.participant_row)
    assert token not in stored.digest and len(stored.digest) == 64
    assert not InvitationLink.objects.filter(digest=token).exists()


def test_the_link_stops_working_when_the_meeting_ends(client, cast):
    link = invited_link(client, cast)
    meeting_start(review=cast.review)
    assert open_and_confirm(Client(), link).status_code == 302  # during the meeting
    meeting_end(review=cast.review)
    assert Client().get(link).status_code == 400


def test_the_link_stops_working_for_someone_removed_from_the_review(client, cast):
    link = invited_link(client, cast)
    participant_remove(review=cast.review, participant=cast.participant_row)
    response = Client().get(link)
    assert response.status_code == 400
    assert "no longer works" in response.content.decode()


def test_an_ordinary_sign_in_link_still_works_once(client, cast):
    client.post("/accounts/link/", {"email": cast.participant.email})
    match = re.search(r"http://testserver(/accounts/link/open/\?\S+)", mail.outbox[-1].body)
    link = match.group(1)
    assert open_and_confirm(Client(), link).status_code == 302
    assert Client().get(link).status_code == 400


def test_confirming_links_is_rate_limited(client, cast, settings):
    settings.SIGN_IN_RATE_LIMIT = (2, 900)
    statuses = [
        client.post("/accounts/link/open/", {"t": f"inv-guess{n}", "next": "/"}).status_code
        for n in range(8)
    ]
    assert statuses[0] == 400 and statuses[-1] == 429
