"""A delivery owner answers "do actions close?" on the dashboard and follows a number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import sign_in_with_password
from tests.factories import ActionItemFactory, ReviewFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_follows_the_overdue_number_to_those_actions(page):
    team = TeamFactory(name="Payments")
    review = ReviewFactory(team=team, status="published", title="Card outage")
    today = timezone.localdate()
    for days_late, title in ((3, "Add a saturation alert"), (40, "Rewrite the runbook")):
        ActionItemFactory(review=review, title=title, due_on=today - dt.timedelta(days=days_late))
    ActionItemFactory(review=review, title="Load test", due_on=today + dt.timedelta(days=20))

    sign_in_with_password(page, team.delivery_owner.email)
    page.wait_for_url("**/")
    page.goto("/dashboard/")
    answer = page.get_by_role("region", name="The answer in one look")
    assert answer.get_by_role("heading", name="Do actions close?").is_visible()
    assert page.get_by_role("img", name="Overdue actions by how late").is_visible()
    answer.get_by_role("link", name="2", exact=True).last.click()
    page.wait_for_url("**/actions/teams/?overdue=on")
    assert page.get_by_role("heading", name="Actions of all my teams").is_visible()
    assert page.locator("#count").inner_text().startswith("2 actions")
    assert page.get_by_role("link", name="Rewrite the runbook").is_visible()
    assert page.get_by_role("link", name="Load test").count() == 0
    assert page.csp_violations == []


def test_choosing_a_date_makes_the_period_custom(page):
    team = TeamFactory(name="Payments")
    sign_in_with_password(page, team.delivery_owner.email)
    page.wait_for_url("**/")
    page.goto("/dashboard/?period=365")
    since = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    page.get_by_label("From", exact=True).fill(since)
    assert page.locator("select[name=period]").input_value() == "custom"
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=custom**")
    assert page.get_by_text("(21 days)").is_visible()
    assert page.csp_violations == []


def test_chart_labels_read_at_12_px_or_more_on_a_desktop_and_a_phone(page):
    team = TeamFactory(name="Payments")
    review = ReviewFactory(team=team, status="published", title="Card outage")
    today = timezone.localdate()
    for days_late in (3, 10, 40):
        ActionItemFactory(review=review, due_on=today - dt.timedelta(days=days_late))
    sign_in_with_password(page, team.delivery_owner.email)
    page.wait_for_url("**/")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/dashboard/")
        sizes = page.evaluate(
            """() => Array.from(document.querySelectorAll("figure.chart svg[role=img]")).map(svg => {
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                const tick = svg.querySelector("text.tick");
                return parseFloat(getComputedStyle(tick).fontSize) * scale;
            })"""
        )
        assert sizes and min(sizes) >= 12, (width, sizes)
        # Titles above the charts, and the page itself does not scroll sideways.
        assert page.evaluate(
            "Array.from(document.querySelectorAll('figure.chart')).every(f => f.firstElementChild.tagName === 'FIGCAPTION')"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
