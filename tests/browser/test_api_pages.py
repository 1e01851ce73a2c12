"""The API's pages in a real browser: the docs page under our CSP, a token made and used."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in_with_password
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_works_under_the_content_security_policy(page):
    person = UserFactory()
    sign_in_with_password(page, person.email)
    page.wait_for_url("**/")
    page.goto("/api/v1/docs/")
    page.get_by_role("heading", name="AAR API").first.wait_for()
    page.get_by_text("/api/v1/actions/{action_id}/").first.wait_for()
    assert page.csp_violations == []


def test_a_token_is_made_on_the_settings_page_and_shown_once(page):
    person = UserFactory()
    sign_in_with_password(page, person.email)
    page.wait_for_url("**/")
    page.goto("/actions/settings/")
    page.get_by_label("Name").fill("Incident bot")
    page.get_by_label("May also change things").check()
    page.get_by_role("button", name="Make a token").click()
    token = page.get_by_label("Incident bot").input_value()
    assert token.startswith("aar_")
    page.get_by_role("link", name="Back to settings").click()
    assert page.get_by_role("cell", name="Incident bot").first.is_visible()
    assert token not in page.content()
    assert page.csp_violations == []
