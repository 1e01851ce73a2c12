"""Sign-in limits that stop an attacker without locking people out, behind a proxy too."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from reviews.models import Notification
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def wrong(client, email, **headers):
    return client.post("/accounts/login/", {"email": email, "password": "wrong"}, **headers)


def test_the_right_password_signs_in_after_the_wait_however_many_wrong_ones_came(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (10, 900)
    UserFactory(email="ana@example.com")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(10):
            assert wrong(client, "ana@example.com").status_code == 400
        refused = client.post(
            "/accounts/login/", {"email": "ana@example.com", "password": PASSWORD}
        )
        assert refused.status_code == 429  # at once: slowed
        clock.shift(3)
        signed_in = client.post(
            "/accounts/login/", {"email": "ana@example.com", "password": PASSWORD}
        )
    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session


def test_each_further_wrong_password_doubles_the_wait(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (3, 900)
    UserFactory(email="ana@example.com")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            wrong(client, "ana@example.com")
        waits = []
        for _ in range(4):
            clock.shift(1000)
            wrong(client, "ana@example.com")
            waits.append(wrong(client, "ana@example.com").content.decode())
    assert ["wait 4 seconds" in waits[0], "wait 8 seconds" in waits[1]] == [True, True]


def test_behind_a_proxy_one_clients_attempts_do_not_lock_out_the_others(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (3, 900)
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(12):
        wrong(
            client,
            f"nobody{n}@example.com",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            REMOTE_ADDR="10.0.0.1",
        )
    # The attacker's address is limited ...
    assert wrong(client, "x@example.com", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # ... and a colleague behind the same proxy is not.
    UserFactory(email="bo@example.com")
    response = client.post(
        "/accounts/login/",
        {"email": "bo@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_a_forged_forwarded_for_entry_is_not_trusted(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (3, 900)
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(9):
        # The client writes a new address each time; the proxy appends the real one.
        wrong(client, f"u{n}@example.com", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7")
    assert (
        wrong(client, "z@example.com", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").status_code
        == 429
    )


def test_the_admin_sign_in_is_the_apps_with_its_limits(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (3, 900)
    staff = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    for _ in range(40):
        response = client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert client.get("/admin/login/?next=/admin/").url == "/accounts/login/?next=%2Fadmin%2F"


def test_a_link_request_answers_the_same_whatever_the_address_and_the_mail_server(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens
    UserFactory(email="ana@example.com")
    known = client.post("/accounts/link/", {"email": "ana@example.com"})
    unknown = client.post("/accounts/link/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200

    def page(response, email):
        html = response.content.decode().replace(email, "X")
        return re.sub(r'("X-CSRFToken": "|value="|nonce=")[^"]+', r"\1", html)

    assert page(known, "ana@example.com") == page(unknown, "nobody@example.com")
    # The link waits in the outbox for the mail server, with its purpose and no token.
    row = Notification.objects.get(kind="sign_in_link")
    assert row.sent_at is None and "sesame" not in str(row.payload)
    assert mail.outbox == []
