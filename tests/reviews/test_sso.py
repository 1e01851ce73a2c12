"""Single sign-on against a real OpenID Connect provider (tests/oidc: oidc-provider on Node).

The test client plays the browser on our side; `requests` plays it at the provider (its
development login form). Nothing of the protocol is mocked: the code is exchanged, the ID
token's signature checked against the provider's JWKS, state, nonce and PKCE verified.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from reviews import sso
from reviews.models import SignInIdentity
from tests.conftest import use_oidc_provider
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.oidc]


@pytest.fixture
def provider(oidc_provider, settings):
    use_oidc_provider(settings, oidc_provider)
    yield oidc_provider
    sso.forget_discovery()


def at_the_provider(client: Client, login: str) -> str:
    """Start signing in here, sign in at the provider as `login`; the address the provider
    sends the browser back to (our callback, with its code and state)."""
    start = client.get("/accounts/sso/")
    assert start.status_code == 302, start
    browser = requests.Session()
    page = browser.get(start.url, timeout=10)
    action = re.search(r'<form[^>]+action="([^"]+)"', page.text)
    assert action, page.text[:500]
    answer = browser.post(
        urljoin(page.url, action.group(1)),
        data={"prompt": "login", "login": login, "password": "any"},
        allow_redirects=False,
        timeout=10,
    )
    for _ in range(10):
        target = urljoin(answer.url, answer.headers["Location"])
        if target.startswith("http://testserver/"):
            return target
        answer = browser.get(target, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def back_here(client: Client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path + "?" + parts.query)


def sign_in_as(client: Client, login: str):
    return back_here(client, at_the_provider(client, login))


def test_the_sign_in_page_offers_the_provider(client, provider):
    page = client.get("/accounts/login/")
    assert b"Sign in with Acme SSO" in page.content
    assert b'name="password"' in page.content  # passwords still work without OIDC_ONLY


def test_the_start_asks_for_pkce_state_and_nonce(client, provider):
    query = parse_qs(urlsplit(client.get("/accounts/sso/").url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["client_id"] == ["aar-tests"]


def test_an_existing_person_signs_in_by_verified_email(client, provider):
    ana = UserFactory(email="ana@example.com")
    response = sign_in_as(client, "ana")
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == ana
    identity = SignInIdentity.objects.get(user=ana)
    assert (identity.issuer, identity.subject) == (provider.issuer, "ana")


def test_a_newcomer_of_an_allowed_domain_gets_an_account(client, provider):
    sign_in_as(client, "newcomer")
    person = get_user_model().objects.get(email="new.person@example.com")
    assert (person.first_name, person.last_name) == ("Nia", "Newton")
    assert not person.has_usable_password() and not person.is_staff
    assert client.get("/").wsgi_request.user == person


def test_a_refused_domain_gets_a_clear_page_and_no_account(client, provider):
    response = sign_in_as(client, "outsider")
    assert response.status_code == 403
    assert b"addresses at elsewhere.test cannot create one" in response.content
    assert not get_user_model().objects.filter(email="eve@elsewhere.test").exists()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_an_unverified_email_is_refused(client, provider):
    UserFactory(email="unverified@example.com")
    response = sign_in_as(client, "unverified")
    assert response.status_code == 403
    assert b"has not verified" in response.content
    assert not SignInIdentity.objects.exists()


def test_an_email_changed_at_the_provider_does_not_take_over_another_account(client, provider):
    ana = UserFactory(email="ana@example.com")
    UserFactory(email="bo@example.com")
    sign_in_as(client, "ana")
    client.logout()
    provider.change_account("ana", email="bo@example.com")  # same sub, Bo's address now
    try:
        sign_in_as(client, "ana")
    finally:
        provider.change_account("ana", email="ana@example.com")
    assert client.get("/").wsgi_request.user == ana


def test_another_subject_with_a_linked_address_is_refused(client, provider):
    ana = UserFactory(email="ana@example.com")
    sign_in_as(client, "ana")
    client.logout()
    response = sign_in_as(client, "impostor")
    assert response.status_code == 403
    assert b"signs in as someone else at the provider" in response.content
    assert list(SignInIdentity.objects.values_list("user", flat=True)) == [ana.pk]


def test_a_deactivated_person_is_refused(client, provider):
    UserFactory(email="ana@example.com", is_active=False)
    response = sign_in_as(client, "ana")
    assert response.status_code == 403
    assert b"deactivated" in response.content


def test_a_tampered_state_is_refused(client, provider):
    UserFactory(email="ana@example.com")
    url = at_the_provider(client, "ana")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-4] + "AAAA"
    response = back_here(client, urlunsplit(parts._replace(query=urlencode(query))))
    assert response.status_code == 400
    assert b"not started from this browser" in response.content
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_callback_in_another_browser_is_refused(client, provider):
    UserFactory(email="ana@example.com")
    url = at_the_provider(client, "ana")
    other = Client()
    response = back_here(other, url)
    assert response.status_code == 400
    assert not other.get("/").wsgi_request.user.is_authenticated


def test_an_expired_id_token_is_refused(client, provider):
    UserFactory(email="ana@example.com")
    url = at_the_provider(client, "ana")
    # The provider signs the ID token now, valid an hour; here it is read two hours later.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=2), tick=True):
        response = back_here(client, url)
    assert response.status_code == 403
    assert b"had expired" in response.content
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_used_callback_cannot_sign_in_again(client, provider):
    UserFactory(email="ana@example.com")
    url = at_the_provider(client, "ana")
    back_here(client, url)
    client.logout()
    assert back_here(client, url).status_code == 400


def test_signing_out_ends_the_provider_session_too(client, provider):
    UserFactory(email="ana@example.com")
    sign_in_as(client, "ana")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url.startswith(provider.issuer + "/session/end?")
    assert "id_token_hint=" in response.url
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_password_sign_out_stays_here(client, provider):
    UserFactory(email="pw@example.com")
    client.post(
        "/accounts/login/", {"email": "pw@example.com", "password": "correct-horse-battery-staple"}
    )
    response = client.post("/accounts/logout/")
    assert response.url == "/accounts/login/"


def test_oidc_only_hides_passwords_but_for_staff(client, provider, settings):
    settings.OIDC_ONLY = True
    page = client.get("/accounts/login/")
    assert b'name="password"' not in page.content
    assert b"Staff break-glass" in page.content
    assert b'name="password"' in client.get("/accounts/login/?staff=1").content
    UserFactory(email="plain@example.com")
    refused = client.post(
        "/accounts/login/",
        {"email": "plain@example.com", "password": "correct-horse-battery-staple"},
    )
    assert refused.status_code == 403
    assert b"passwords are for staff only" in refused.content
    wrong = client.post(  # a wrong password gets the same answer: no oracle of right ones
        "/accounts/login/", {"email": "plain@example.com", "password": "not-the-password-at-all"}
    )
    assert wrong.status_code == 403 and b"passwords are for staff only" in wrong.content
    UserFactory(email="root@example.com", is_staff=True)
    allowed = client.post(
        "/accounts/login/",
        {"email": "root@example.com", "password": "correct-horse-battery-staple"},
    )
    assert allowed.status_code == 302


# --- A provider that is down, or answers garbage -------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Garbage(threading.Thread):
    """Answers every request with 200 and something that is not a discovery document, or
    never answers at all (`silent`)."""

    def __init__(self, silent: bool = False) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.silent = silent
        self.held: list[socket.socket] = []

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.silent:
                self.held.append(conn)
                continue
            conn.recv(4096)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\n<h1>hi</h1>"
            )
            conn.close()

    def stop(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.mark.parametrize("kind", ["down", "garbage", "silent"])
def test_a_broken_provider_is_said_within_5_seconds_and_staff_passwords_work(
    client, settings, kind
):
    server = None
    if kind == "down":
        issuer = f"http://127.0.0.1:{_closed_port()}"
    else:
        server = _Garbage(silent=kind == "silent")
        server.start()
        issuer = f"http://127.0.0.1:{server.port}"
    use_oidc_provider(settings, type("P", (), {"issuer": issuer})(), OIDC_ONLY=True)
    try:
        started = time.monotonic()
        page = client.get("/accounts/login/")
        assert time.monotonic() - started < 5
        assert b"Acme SSO is not answering properly right now" in page.content
        assert b"Sign in with Acme SSO" not in page.content
        assert client.get("/accounts/sso/").url == "/accounts/login/?sso=down"
        UserFactory(email="root@example.com", is_staff=True)
        signed_in = client.post(
            "/accounts/login/",
            {"email": "root@example.com", "password": "correct-horse-battery-staple"},
        )
        assert signed_in.status_code == 302
    finally:
        if server:
            server.stop()
        sso.forget_discovery()


def test_an_issuer_written_with_a_final_slash_works(client, oidc_provider, settings):
    use_oidc_provider(settings, oidc_provider, OIDC_ISSUER=oidc_provider.issuer + "/")
    ana = UserFactory(email="ana@example.com")
    try:
        assert sign_in_as(client, "ana").status_code == 302
    finally:
        sso.forget_discovery()
    assert client.get("/").wsgi_request.user == ana


def test_a_discovery_document_of_another_issuer_is_refused(client, oidc_provider, settings):
    # The provider answers at this address but says it is someone else: not trusted.
    use_oidc_provider(settings, oidc_provider, OIDC_ISSUER=oidc_provider.issuer + "/other")
    settings.OIDC_ISSUER = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    try:
        page = client.get("/accounts/login/")
    finally:
        sso.forget_discovery()
    assert b"not answering properly" in page.content
