from __future__ import annotations

import pytest

from tests.conftest import sign_in_with_password
from tests.factories import ActionItemFactory, ReviewFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = "/tmp/wt17-shots"


def shoot(page, name):
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{OUT}/{name}-{width}.png", full_page=True)


@pytest.mark.first_run
def test_setup_pages(page):
    page.goto("/")
    shoot(page, "setup")
    page.get_by_role("button", name="Set up AAR").click()
    shoot(page, "setup-errors")


def test_org_pages(page, settings):
    admin = UserFactory(
        email="admin@example.com", first_name="Ada", last_name="Admin", is_staff=True
    )
    team = TeamFactory(name="Payments", delivery_owner=admin)
    team.members.add(admin, UserFactory(first_name="Bo", last_name="Brown"))
    leaving = UserFactory(email="leaving@example.com", first_name="Lee", last_name="Leaving")
    review = ReviewFactory(team=team)
    ActionItemFactory(owner=leaving, review=review)
    ActionItemFactory(
        owner=leaving, review=review, title="Write the runbook for failover of the primary database"
    )
    sign_in_with_password(page, admin.email)
    page.wait_for_url("**/")
    for path, name in [
        ("/organisation/people/", "org-people"),
        (f"/organisation/people/{leaving.pk}/", "org-person"),
        ("/organisation/teams/", "org-teams"),
        ("/organisation/defaults/", "org-defaults"),
        ("/teams/", "team-list"),
        (f"/teams/{team.slug}/settings/", "team-settings"),
    ]:
        page.goto(path)
        shoot(page, name)


def test_sso_pages(page, live_server, settings, tmp_path):
    from reviews import sso
    from tests.conftest import start_oidc_provider, use_oidc_provider

    provider = start_oidc_provider([live_server.url], tmp_path / "p.log")
    use_oidc_provider(settings, provider)
    page.context.route("**/fonts.googleapis.com/**", lambda r: r.abort())
    page.goto("/accounts/login/")
    shoot(page, "sign-in-sso")
    page.get_by_role("link", name="Sign in with Acme SSO").click()
    page.locator("input[name=login]").fill("outsider")
    page.locator("input[name=password]").fill("x")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("heading", name="You are not signed in").wait_for()
    shoot(page, "sso-refused")
    provider.stop()
    sso.forget_discovery()
    settings.OIDC_ONLY = True
    page.goto("/accounts/login/")
    shoot(page, "sign-in-sso-down")
