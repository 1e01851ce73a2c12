"""Every form of the project, sent the inputs that broke it in the red-team pass: no 500.

For each URL that takes a POST, someone allowed to post there sends every field name any of
our forms declares, filled with hostile values of the field's type: text with NUL and other
control characters, text with Unicode line separators, and dates at the edges of time.
"""

from __future__ import annotations

import pytest
from django import forms
from django.db import transaction

import actions.forms
import reviews.forms
from reviews.models import Review, TimelineEntry
from reviews.services.meeting import meeting_start
from tests.test_permission_matrix import MATRIX, PUBLIC, url_for

pytestmark = pytest.mark.django_db

NUL_TEXT = "before\x00after \x01\x1f end"
SEPARATED = "line one\u2028line two\u2029paragraph\x85next"
EDGE_DAY, EDGE_MOMENT = "9999-12-31", "0001-01-01T00:00"


def _form_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for module in (reviews.forms, actions.forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                for name, field in value.base_fields.items():
                    fields.setdefault(name, field)
    return fields


def payload(text: str) -> dict[str, object]:
    data: dict[str, object] = {}
    for name, field in _form_fields().items():
        if isinstance(field, forms.DateTimeField):
            data[name] = EDGE_MOMENT
        elif isinstance(field, forms.DateField):
            data[name] = EDGE_DAY
        elif isinstance(field, forms.IntegerField):
            data[name] = "1"
        elif isinstance(field, forms.FileField):
            continue
        else:
            data[name] = text
    # What the meeting and the hints read outside forms.
    data.update({"item": text, "code": text, "review": text, "context": "root_cause", "phase": "1"})
    data.update({f"technical.{k}": text for k in ("backend", "frontend")})
    return data


def poster(name: str) -> str:
    allowed = MATRIX[name].get("POST")
    if allowed == PUBLIC:
        return "anonymous"
    for persona in ("facilitator", "scribe", "delivery_owner", "participant", "staff", "member"):
        if isinstance(allowed, set) and persona in allowed:
            return persona
    return "facilitator"


POST_URLS = sorted(name for name, methods in MATRIX.items() if "POST" in methods)


@pytest.mark.parametrize("text", [NUL_TEXT, SEPARATED], ids=["control-characters", "separators"])
def test_no_form_answers_500_to_hostile_text_or_edge_dates(client, cast, text):
    meeting_start(review=cast.review)
    failures = []
    stored_nul = []
    for name in POST_URLS:
        url = url_for(name, cast)
        persona = poster(name)
        with transaction.atomic():
            client.logout()
            if persona != "anonymous":
                client.force_login(cast.people()[persona])
            response = client.post(url, payload(text))
            if response.status_code >= 500:
                failures.append(f"{name}: {url} -> {response.status_code}")
            for model, column in ((Review, "summary"), (TimelineEntry, "description")):
                if any("\x00" in value for value in model.objects.values_list(column, flat=True)):
                    stored_nul.append(name)
            transaction.set_rollback(True)
    assert failures == []
    assert stored_nul == []


@pytest.mark.parametrize(
    "url",
    ["/?team=a%00b", "/dashboard/?team=a%00b", "/actions/feed/a%00b.ics", "/reports/?q=%00x"],
)
def test_nul_in_a_query_or_a_path_is_no_500(client, cast, url):
    client.force_login(cast.owner)
    assert client.get(url).status_code in (200, 404)


def test_a_nul_in_the_facilitators_notes_is_removed_and_said(client, cast):
    meeting_start(review=cast.review)
    client.force_login(cast.facilitator)
    response = client.post(
        f"/reviews/{cast.review.slug}/meeting/notes/", {"body": "check\x00 the backups"}
    )
    assert response.status_code == 302
    notes = cast.review.private_notes.get()
    assert notes.body == "check the backups"
    page = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    assert "Invisible control characters were removed" in page


def test_line_separators_become_newlines_on_the_way_in(client, cast):
    client.force_login(cast.facilitator)
    client.post(
        f"/reviews/{cast.review.slug}/timeline/add/",
        {"occurred_at": "2026-11-17T12:00", "kind": "other", "description": "one\u2029two"},
    )
    assert TimelineEntry.objects.get(review=cast.review).description == "one\ntwo"


def test_a_day_at_the_edge_is_a_clear_message_on_the_dashboard_lists(client, cast):
    client.force_login(cast.owner)
    response = client.get(f"/actions/team/{cast.team.slug}/?opened_since=0001-01-01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be used and were left out" in page and "between 1970 and 2200" in page
