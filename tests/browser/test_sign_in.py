from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.conftest import sign_in_with_password
from tests.factories import ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_with_a_password_and_sees_their_reviews(page):
    participant = ParticipantFactory(review__title="Checkout latency spike")
    sign_in_with_password(page, participant.user.email)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Reviews").is_visible()
    assert page.get_by_text("Checkout latency spike").is_visible()
    assert page.csp_violations == []


def test_a_person_signs_in_with_an_emailed_link(page):
    participant = ParticipantFactory(review__title="Saved cards launch")
    page.goto("/accounts/login/")
    page.get_by_role("textbox", name="Email").last.fill(participant.user.email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    assert page.get_by_text("Saved cards launch").is_visible()


def test_a_link_used_twice_shows_that_it_no_longer_works(page):
    user = UserFactory()
    page.goto("/accounts/link/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    assert page.get_by_role("heading", name="This sign-in link no longer works").is_visible()
