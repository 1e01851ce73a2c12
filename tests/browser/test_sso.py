"""Signing in through a real OpenID Connect provider in Chromium, end to end: the provider is
tests/oidc/provider.mjs (the npm package oidc-provider on Node), on 127.0.0.1."""

from __future__ import annotations

import copy
import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import time_machine

from reviews import sso
from tests.conftest import start_oidc_provider, use_oidc_provider
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.oidc, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server, settings, tmp_path):
    started = start_oidc_provider([live_server.url], tmp_path / "provider.log")
    use_oidc_provider(settings, started, SITE_URL=live_server.url)
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], started.issuer]
    settings.CONTENT_SECURITY_POLICY = policy  # as OIDC_ISSUER in the environment makes it
    yield started
    started.stop()
    sso.forget_discovery()


@pytest.fixture
def tab(page):
    # The provider's development pages ask for a web font; nothing leaves the machine.
    page.context.route("**/fonts.googleapis.com/**", lambda route: route.abort())
    return page


def at_the_provider(tab, login: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_role("link", name="Sign in with Acme SSO").click()
    tab.locator("input[name=login]").fill(login)
    tab.locator("input[name=password]").fill("any password")


def submit_at_the_provider(tab) -> None:
    tab.get_by_role("button", name="Sign-in").click()


def test_a_person_signs_in_through_the_provider_and_out_of_both(tab, provider, live_server):
    UserFactory(email="ana@example.com", first_name="Ana", last_name="Lima")
    at_the_provider(tab, "ana")
    assert tab.url.startswith(provider.issuer)
    submit_at_the_provider(tab)
    tab.wait_for_url(f"{live_server.url}/")
    assert tab.get_by_role("heading", name="Reviews").is_visible()
    assert tab.get_by_text("Ana Lima").is_visible()
    assert tab.csp_violations == []

    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url(f"{provider.issuer}/session/end**")  # the provider asks to confirm
    tab.get_by_role("button", name="Yes, sign me out").click()
    tab.wait_for_url(f"{live_server.url}/accounts/login/")
    assert tab.csp_violations == []
    # The provider's session ended too: signing in again asks for the login.
    tab.get_by_role("link", name="Sign in with Acme SSO").click()
    assert tab.locator("input[name=login]").is_visible()


def test_a_refused_domain_gets_a_clear_page(tab, provider):
    at_the_provider(tab, "outsider")
    submit_at_the_provider(tab)
    tab.get_by_role("heading", name="You are not signed in").wait_for()
    assert tab.get_by_text("addresses at elsewhere.test cannot create one").is_visible()


def test_a_tampered_state_is_refused(tab, provider, live_server):
    UserFactory(email="ana@example.com")

    def tamper(route):
        # The state on its way to the provider is changed; the provider sends it back as is.
        answer = route.fetch(max_redirects=0)
        parts = urlsplit(answer.headers["location"])
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["state"] = "tampered-" + query["state"]
        location = urlunsplit(parts._replace(query=urlencode(query)))
        route.fulfill(status=302, headers={"Location": location})

    tab.route(f"{live_server.url}/accounts/sso/", tamper)
    at_the_provider(tab, "ana")
    submit_at_the_provider(tab)
    tab.get_by_role("heading", name="You are not signed in").wait_for()
    assert tab.get_by_text("not started from this browser").is_visible()
    tab.goto("/")
    assert "/accounts/login/" in tab.url


def test_an_expired_id_token_is_refused(tab, provider):
    UserFactory(email="ana@example.com")
    at_the_provider(tab, "ana")
    # The provider signs an ID token valid for an hour; the app reads it two hours later.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=2), tick=True):
        submit_at_the_provider(tab)
        tab.get_by_role("heading", name="You are not signed in").wait_for()
        assert tab.get_by_text("had expired").is_visible()
