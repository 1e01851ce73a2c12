"""Lighthouse (the npm package, on the system Chromium) scores the main pages: accessibility
and best practices 100 each, signed out, as the facilitator and as the delivery owner."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, service_missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIGHTHOUSE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "lighthouse"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def scores(url: str, cookie: str | None, out: Path) -> tuple[dict[str, float], list[str]]:
    command = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-path={CHROMIUM}",
        "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS),
        "--only-categories=accessibility,best-practices",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, timeout=180, check=True, capture_output=True)
    report = json.loads(out.read_text())
    failing = [
        audit["id"]
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    return {k: c["score"] for k, c in report["categories"].items()}, failing


def test_the_main_pages_score_100_for_accessibility_and_best_practices(
    live_server, review_with_everything, tmp_path
):
    if not LIGHTHOUSE.exists():
        service_missing("Lighthouse is not installed (make test-tools)")
    review, _participant = review_with_everything
    slug = review.slug
    facilitator = session_cookie(review.facilitator)
    owner = session_cookie(review.team.delivery_owner)
    pages = [
        ("/accounts/login/", None),
        ("/", facilitator),
        (f"/reviews/{slug}/", facilitator),
        (f"/reviews/{slug}/timeline/", facilitator),
        (f"/reviews/{slug}/meeting/", facilitator),
        ("/dashboard/", owner),
    ]
    below: dict[str, object] = {}
    for n, (url, cookie) in enumerate(pages):
        got, failing = scores(live_server.url + url, cookie, tmp_path / f"{n}.json")
        if any(score != 1 for score in got.values()):
            below[url] = {"scores": got, "failing": failing}
    assert below == {}
