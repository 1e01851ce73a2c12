"""The pages' markup is valid HTML by the Nu HTML checker (vnu-jar from npm, run with
Java), apart from htmx's own attributes (hx-*, sse-*), which HTML leaves to libraries."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from reviews.services.meeting import meeting_move, meeting_start
from tests.conftest import service_missing
from tests.factories import (
    AccountFactory,
    ActionItemFactory,
    ParticipantFactory,
    ReviewFactory,
    TimelineEntryFactory,
)

pytestmark = pytest.mark.django_db
VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
# htmx and its SSE extension use attributes of their own: the checker names them, nothing else.
LIBRARY_ATTRIBUTE = re.compile(r"Attribute “(hx-[\w:-]+|sse-[\w-]+)” not allowed")


def pages(client, tmp_path: Path) -> list[Path]:
    review = ReviewFactory(title="GitLab.com database outage")
    participant = ParticipantFactory(review=review)
    AccountFactory(participant=participant, body="At 23:27 I ran it.", submitted_at=timezone.now())
    for _ in range(2):
        TimelineEntryFactory(review=review)
    action = ActionItemFactory(review=review, owner=participant.user)
    slug = review.slug
    client.force_login(review.facilitator)
    urls = [
        "/",
        f"/reviews/{slug}/",
        f"/reviews/{slug}/edit/",
        f"/reviews/{slug}/people/",
        f"/reviews/{slug}/accounts/",
        f"/reviews/{slug}/accounts/{participant.pk}/",
        f"/reviews/{slug}/timeline/",
        f"/reviews/{slug}/timeline/import/",
        f"/reviews/{slug}/meeting/",
        f"/actions/{action.pk}/",
        "/actions/mine/",
        "/reports/",
    ]
    files = []
    for n, url in enumerate(urls):
        answer = client.get(url)
        assert answer.status_code == 200, url
        path = tmp_path / f"{n:02d}.html"
        path.write_bytes(answer.content)
        files.append(path)
    meeting_start(review=review)
    for phase in list(review.agenda.order_by("position"))[:2]:
        meeting_move(review=review, phase_id=phase.pk, step=1)
    live = tmp_path / "meeting-live.html"
    live.write_bytes(client.get(f"/reviews/{slug}/meeting/").content)
    files.append(live)
    client.force_login(review.team.delivery_owner)
    dash = tmp_path / "dashboard.html"
    dash.write_bytes(client.get("/dashboard/").content)
    files.append(dash)
    client.logout()
    sign_in = tmp_path / "sign-in.html"
    sign_in.write_bytes(client.get("/accounts/login/").content)
    files.append(sign_in)
    return files


def test_every_main_page_is_valid_html(client, tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        service_missing("the Nu HTML checker needs Java and vnu-jar (make test-tools)")
    files = pages(client, tmp_path)
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" and not LIBRARY_ATTRIBUTE.search(m["message"])
    ]
    assert errors == [], "\n".join(errors)
