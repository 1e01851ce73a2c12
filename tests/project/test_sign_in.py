from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def link_from_outbox() -> str:
    assert mail.outbox, "no email was sent"
    match = re.search(r"http://testserver(/accounts/link/open/\?\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_person_signs_in_with_email_and_password(client):
    user = UserFactory(email="Ana@Example.com")
    response = client.post("/accounts/login/", {"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("reviews:list")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_email(client):
    UserFactory(email="ana@example.com")
    response = client.post("/accounts/login/", {"email": "ana@example.com", "password": "wrong"})
    assert response.status_code == 400
    assert b"do not match" in response.content
    assert b'value="ana@example.com"' in response.content
    assert "_auth_user_id" not in client.session


def test_password_sign_in_is_slowed_after_wrong_passwords(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (3, 900)
    UserFactory(email="ana@example.com")
    for _ in range(3):
        client.post("/accounts/login/", {"email": "ana@example.com", "password": "wrong"})
    response = client.post("/accounts/login/", {"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "wait 2 seconds" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_only_redirects_to_this_site(client):
    UserFactory(email="ana@example.com")
    response = client.post(
        "/accounts/login/",
        {"email": "ana@example.com", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("reviews:list")


def test_a_sign_in_link_is_emailed_to_a_known_address(client):
    UserFactory(email="ana@example.com")
    response = client.post("/accounts/link/", {"email": "ana@example.com"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert "\n" not in mail.outbox[0].subject
    assert mail.outbox[0].alternatives, "the email has an HTML part"


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    UserFactory(email="ana@example.com")
    known = client.post("/accounts/link/", {"email": "ana@example.com"})
    unknown = client.post("/accounts/link/", {"email": "nobody@example.com"})
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code

    def normalised(content: bytes, email: bytes) -> bytes:
        content = re.sub(rb'"X-CSRFToken": "\w+"', b"", content.replace(email, b"X"))
        return re.sub(rb'nonce="[^"]*"', b"", content)

    assert normalised(known.content, b"ana@example.com") == normalised(
        unknown.content, b"nobody@example.com"
    )


def test_opening_a_link_asks_for_confirmation_and_does_not_sign_in(client):
    UserFactory(email="ana@example.com")
    client.post("/accounts/link/", {"email": "ana@example.com"})
    response = client.get(link_from_outbox())
    assert response.status_code == 200
    assert b"Continue" in response.content
    assert "_auth_user_id" not in client.session


def test_confirming_a_link_signs_in_and_the_token_is_not_in_the_redirect(client):
    user = UserFactory(email="ana@example.com")
    client.post("/accounts/link/", {"email": "ana@example.com", "next": "/actions/mine/"})
    link = link_from_outbox()
    token = re.search(r"[?&]t=([^&]+)", link).group(1)
    response = client.post("/accounts/link/open/", {"t": token, "next": "/actions/mine/"})
    assert response.status_code == 302
    assert response.url == "/actions/mine/"
    assert token not in response.url
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_link_used_twice_fails_with_a_clear_page(client):
    UserFactory(email="ana@example.com")
    client.post("/accounts/link/", {"email": "ana@example.com"})
    token = re.search(r"[?&]t=([^&]+)", link_from_outbox()).group(1)
    client.post("/accounts/link/open/", {"t": token})
    client.logout()
    response = client.post("/accounts/link/open/", {"t": token})
    assert response.status_code == 400
    assert b"no longer works" in response.content
    assert "_auth_user_id" not in client.session


def test_an_expired_link_fails(client):
    UserFactory(email="ana@example.com")
    with time_machine.travel("2026-11-21 10:00:00 +0000", tick=False):
        client.post("/accounts/link/", {"email": "ana@example.com"})
    token = re.search(r"[?&]t=([^&]+)", link_from_outbox()).group(1)
    with time_machine.travel("2026-11-21 10:16:00 +0000", tick=False):
        response = client.post("/accounts/link/open/", {"t": token})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_tampered_link_fails(client):
    UserFactory(email="ana@example.com")
    client.post("/accounts/link/", {"email": "ana@example.com"})
    token = re.search(r"[?&]t=([^&]+)", link_from_outbox()).group(1)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(f"/accounts/link/open/?t={tampered}").status_code == 400
    assert client.post("/accounts/link/open/", {"t": tampered}).status_code == 400


def test_link_requests_are_rate_limited(client, settings):
    settings.SIGN_IN_RATE_LIMIT = (2, 900)
    UserFactory(email="ana@example.com")
    for _ in range(2):
        client.post("/accounts/link/", {"email": "ana@example.com"})
    response = client.post("/accounts/link/", {"email": "ana@example.com"})
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_sign_out_needs_a_post(signed_in):
    assert signed_in.get("/accounts/logout/").status_code == 405
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session


def test_pages_ask_anonymous_people_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_request_log_never_holds_the_token(client, caplog):
    UserFactory(email="ana@example.com")
    client.post("/accounts/link/", {"email": "ana@example.com"})
    link = link_from_outbox()
    token = re.search(r"[?&]t=([^&]+)", link).group(1)
    with caplog.at_level("INFO", logger="aar.request"):
        client.get(link)
    assert "path=/accounts/link/open/" in caplog.text
    assert token not in caplog.text


def test_the_plain_text_email_keeps_the_links_destination(client):
    """Text emails are not HTML-escaped: `&amp;next=` had lost the destination."""
    user = UserFactory(email="ana@example.com")
    client.post("/accounts/link/", {"email": "ana@example.com", "next": "/reviews/?team=sre"})
    body = mail.outbox[-1].body
    assert "&amp;" not in body and "&next=" in body
    page = client.get(link_from_outbox()).content.decode()  # the confirmation page
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert fields["next"] == "/reviews/?team=sre"
    confirmed = client.post("/accounts/link/open/", fields)
    assert confirmed.status_code == 302 and confirmed.url == "/reviews/?team=sre"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_no_plain_text_email_escapes_what_it_quotes(settings):
    """Every text template renders through the engine that escapes nothing; the HTML part
    still escapes."""
    from pathlib import Path

    from django.template.loader import render_to_string

    from aar_project.mail import build_message

    names = sorted(p.stem for p in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.txt"))
    assert len(names) >= 10
    quoted = "Ana & Bo <ops>"
    context = {"name": quoted, "review": {"title": quoted}, "link": "http://x/?a=1&b=2"}
    for name in names:
        text = render_to_string(f"emails/{name}.txt", context, using="text")
        assert "&amp;" not in text and "&lt;" not in text, name
        assert quoted in text or "http://x/?a=1&b=2" in text, name
    message = build_message(
        to=["a@example.com"],
        subject="s",
        template="sign_in_link",
        context={"link": "http://x/?a=1&b=<2>", "minutes": 15},
    )
    assert "http://x/?a=1&b=<2>" in message.body
    html = message.alternatives[0][0]
    assert "&amp;b=&lt;2&gt;" in html  # the HTML part is still escaped
