"""From an empty database to the first review without the Django admin, in Chromium; and
axe-core on the organisation's and a team's settings pages."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail

from reviews.models import Review, Team
from tests.browser.test_axe import AXE, axe_violations, check, open_for_axe
from tests.conftest import close_quietly, service_missing
from tests.factories import ActionItemFactory, ReviewFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page, label: str):
    return page.get_by_label(label, exact=True).first


@pytest.mark.first_run
def test_a_new_organisation_reaches_its_first_review_without_the_admin(page):
    page.goto("/")
    page.wait_for_url("**/setup/")
    field(page, "Your email (required)").fill("ada@example.com")
    field(page, "Your name (required)").fill("Ada Lovelace")
    field(page, "Password (required)").fill("analytical-engine-1843")
    field(page, "Password again (required)").fill("analytical-engine-1843")
    field(page, "Team name (required)").fill("Payments")
    page.get_by_role("button", name="Set up AAR").click()
    page.wait_for_url("**/organisation/people/")
    assert page.get_by_text("AAR is set up.").is_visible()

    field(page, "Email (required)").fill("farah@example.com")
    field(page, "Name").fill("Farah Nasser")
    page.get_by_label("Team").select_option(label="Payments")
    page.get_by_role("button", name="Send the invitation").click()
    assert page.get_by_text("Invitation with a sign-in link sent to farah@example.com").is_visible()
    assert mail.outbox[-1].to == ["farah@example.com"]

    page.get_by_role("link", name="Teams", exact=True).first.click()
    page.get_by_role("link", name="Payments").click()
    page.get_by_role("link", name="Record a review for Payments").click()
    page.get_by_label("Title").fill("Checkout errors after the deploy")
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_url("**/people/")
    review = Review.objects.get()
    assert review.team == Team.objects.get(name="Payments")
    assert page.csp_violations == []
    assert page.goto("/setup/").status == 404  # one time only


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_settings_pages_have_no_serious_accessibility_violation(browser, live_server, scheme):
    if not AXE.exists():
        service_missing("axe-core is not installed (npm install, see the README)")
    admin = UserFactory(email="admin@example.com", is_staff=True, first_name="Ada")
    team = TeamFactory(name="Payments", delivery_owner=admin)
    leaving = UserFactory(first_name="Lee")
    team.members.add(admin, leaving)
    ActionItemFactory(owner=leaving, review=ReviewFactory(team=team))
    page = open_for_axe(browser, live_server, admin, scheme)
    found: dict[str, list[dict]] = {}
    try:
        check(
            page,
            [
                "/organisation/people/",
                f"/organisation/people/{leaving.pk}/",
                "/organisation/teams/",
                "/organisation/defaults/",
                "/teams/",
                f"/teams/{team.slug}/settings/",
            ],
            found,
        )
        # The pages with their errors shown.
        page.goto("/organisation/defaults/")
        page.get_by_label("Reminder hour (required)").fill("99")
        page.get_by_role("button", name="Save the defaults").click()
        if violations := axe_violations(page):
            found["/organisation/defaults/ (errors)"] = violations
    finally:
        close_quietly(page)
    assert not found, json.dumps(found, indent=1)
