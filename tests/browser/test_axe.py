"""axe-core (the npm package, injected with Playwright) on every main page, as the
facilitator, a participant and the delivery owner: no critical or serious violation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from actions.models import ActionItem
from reviews.services.meeting import finding_add, meeting_move, meeting_start
from reviews.services.publish import review_publish
from tests.conftest import close_quietly, service_missing, sign_in_with_password
from tests.faults.test_exports import ready_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}


def open_for_axe(browser, live_server, user, scheme="light"):
    """A signed-in page whose context lets the test inject axe (the site's CSP forbids the
    injected script, rightly, for everything else)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1366, "height": 900},
        bypass_csp=True,
        color_scheme=scheme,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in_with_password(page, user.email)
    page.wait_for_url(re.compile(r".*/$"))
    return page


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
            "count": len(v["nodes"]),
        }
        for v in result
        if v["impact"] in BLOCKING
    ]


def pages_for(review, participant) -> dict[str, list[str]]:
    slug = review.slug
    action = ActionItem.objects.filter(review=review).first()
    review_pages = [
        f"/reviews/{slug}/",
        f"/reviews/{slug}/people/",
        f"/reviews/{slug}/accounts/",
        f"/reviews/{slug}/timeline/",
        f"/reviews/{slug}/meeting/",
    ]
    return {
        "facilitator": [
            "/",
            *review_pages,
            f"/reviews/{slug}/edit/",
            f"/reviews/{slug}/timeline/import/",
            f"/reviews/{slug}/accounts/{participant.pk}/",
            "/reviews/new/",
            "/actions/",
            f"/actions/{action.pk}/",
        ],
        "participant": [
            "/",
            f"/reviews/{slug}/",
            f"/reviews/{slug}/account/",
            f"/reviews/{slug}/meeting/",
            "/actions/",
        ],
        "delivery_owner": ["/", "/dashboard/", f"/reviews/{slug}/", "/reports/"],
    }


def check(page, urls: list[str], found: dict[str, list[dict]]) -> None:
    for url in urls:
        page.goto(url)
        violations = axe_violations(page)
        if violations:
            found[url] = violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_has_a_critical_or_serious_accessibility_violation(
    browser, live_server, review_with_everything, scheme
):
    if not AXE.exists():
        service_missing("axe-core is not installed (npm install, see the README)")
    review, participant = review_with_everything
    people = {
        "facilitator": review.facilitator,
        "participant": participant.user,
        "delivery_owner": review.team.delivery_owner,
    }
    found: dict[str, dict[str, list[dict]]] = {}
    urls = pages_for(review, participant)
    for persona, user in people.items():
        page = open_for_axe(browser, live_server, user, scheme)
        try:
            found[persona] = {}
            check(page, urls[persona], found[persona])
            if persona == "facilitator":
                # The meeting running, in a phase with capture forms, and after it.
                meeting_start(review=review)
                agenda = list(review.agenda.order_by("position"))
                meeting_move(review=review, phase_id=agenda[0].pk, step=1)
                meeting_move(review=review, phase_id=agenda[1].pk, step=1)
                finding_add(review=review, kind="why", actor=review.scribe, text="Why db1?")
                check(page, [f"/reviews/{review.slug}/meeting/"], found[persona])
        finally:
            close_quietly(page)
    # A published report, its publish preview before that, and the pages anyone meets.
    published = ready_review()
    page = open_for_axe(browser, live_server, published.facilitator, scheme)
    try:
        found["publisher"] = {}
        check(page, [f"/reviews/{published.slug}/publish/"], found["publisher"])
        review_publish(review=published)
        check(page, [f"/reports/{published.slug}/", "/reports/"], found["publisher"])
    finally:
        close_quietly(page)
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    try:
        found["anonymous"] = {}
        check(page, ["/accounts/login/", "/accounts/link/"], found["anonymous"])
    finally:
        close_quietly(page)
    problems = {p: v for p, v in found.items() if v}
    assert not problems, json.dumps(problems, indent=1)
