"""A participant's suggestion is filed under the phase it was made in, and the scribe can see
and change what it is, its text and (for a timeline entry) its time and kind before
accepting it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from actions.models import ActionItem
from reviews.models import Review, Suggestion, TimelineEntry, WentWell
from reviews.services.meeting import meeting_move, meeting_start
from tests.reviews.test_meeting import current_id

pytestmark = pytest.mark.django_db


def go_to(review, phase: str) -> None:
    while review.agenda.get(pk=current_id(review)).phase != phase:
        meeting_move(review=review, phase_id=current_id(review), step=1)


def suggest_form(client, review) -> dict[str, str]:
    """The fields the participant's suggestion form posts, as the page renders them."""
    page = client.get(f"/reviews/{review.slug}/meeting/").content.decode()
    form = page.split("<h3>Suggest</h3>")[1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def suggested(client, cast, phase: str, text: str) -> Suggestion:
    """The meeting in `phase`, a participant's suggestion sent from its form, the scribe
    signed in to decide it."""
    meeting_start(review=cast.review)
    go_to(cast.review, phase)
    client.force_login(cast.participant)
    client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/",
        {**suggest_form(client, cast.review), "text": text},
        HTTP_HX_REQUEST="true",
    )
    client.force_login(cast.scribe)
    return Suggestion.objects.get(review=cast.review)


def test_a_suggestion_made_in_the_summary_phase_is_a_summary_suggestion(client, cast):
    meeting_start(review=cast.review)
    cast.review.refresh_from_db()
    assert cast.review.agenda.get(pk=current_id(cast.review)).phase == "summary"
    client.force_login(cast.participant)
    fields = suggest_form(client, cast.review)
    assert fields["kind"] == "summary"
    response = client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/",
        {**fields, "text": "Customers could not log in for 40 minutes."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    suggestion = Suggestion.objects.get(review=cast.review)
    assert suggestion.kind == "summary"
    assert not WentWell.objects.filter(review=cast.review).exists()
    # The scribe sees it as a summary suggestion; accepted, it is added to the summary.
    client.force_login(cast.scribe)
    page = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    assert "Summary from" in page
    Review.objects.filter(pk=cast.review.pk).update(summary="The database was deleted.")
    client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/{suggestion.pk}/",
        {"decision": "accept", "kind": "summary", "text": suggestion.text},
        HTTP_HX_REQUEST="true",
    )
    assert Review.objects.get(pk=cast.review.pk).summary == (
        "The database was deleted.\n\nCustomers could not log in for 40 minutes."
    )


@pytest.mark.parametrize(
    ("phase", "kind"),
    [
        ("timeline", "entry"),
        ("root_cause", "why"),
        ("contributing_factors", "factor"),
        ("went_well", "went_well"),
        ("action_items", "action"),
    ],
)
def test_every_phase_files_its_own_kind(client, cast, phase, kind):
    meeting_start(review=cast.review)
    go_to(cast.review, phase)
    client.force_login(cast.participant)
    assert suggest_form(client, cast.review)["kind"] == kind


def test_the_scribe_sees_and_corrects_a_suggested_entrys_time_and_kind(client, cast):
    zone = ZoneInfo("Europe/Berlin")
    Review.objects.filter(pk=cast.review.pk).update(time_zone="Europe/Berlin")
    cast.review.refresh_from_db()
    meeting_start(review=cast.review)
    go_to(cast.review, "timeline")
    client.force_login(cast.participant)
    fields = suggest_form(client, cast.review)
    client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/",
        {
            **fields,
            "text": "Replication lag alert fired",
            "occurred_at": "2017-01-31T23:00",
            "entry_kind": "detection",
        },
        HTTP_HX_REQUEST="true",
    )
    suggestion = Suggestion.objects.get(review=cast.review)
    assert suggestion.payload["entry_kind"] == "detection"

    client.force_login(cast.scribe)
    page = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    decision = page.split(
        f'hx-post="/reviews/{cast.review.slug}/meeting/suggestions/{suggestion.pk}/"'
    )[1].split("</form>")[0]
    # What was suggested can be seen in the form: its time in the review's zone, its kind.
    assert 'name="occurred_at" value="2017-01-31T23:00"' in decision
    assert re.search(r'<option value="detection" selected>', decision)
    client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/{suggestion.pk}/",
        {
            "decision": "accept",
            "kind": "entry",
            "text": "Replication lag alert fired on db2",
            "occurred_at": "2017-01-31T23:05",
            "entry_kind": "detection",
        },
        HTTP_HX_REQUEST="true",
    )
    entry = TimelineEntry.objects.get(review=cast.review)
    assert entry.kind == "detection" and entry.description == "Replication lag alert fired on db2"
    assert entry.occurred_at == dt.datetime(2017, 1, 31, 23, 5, tzinfo=zone)


def test_the_scribe_can_file_a_suggestion_as_another_kind(client, cast):
    suggestion = suggested(client, cast, "went_well", "We should test restores weekly")
    client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/{suggestion.pk}/",
        {"decision": "accept", "kind": "action", "text": "Test a restore of the backups weekly"},
        HTTP_HX_REQUEST="true",
    )
    assert not WentWell.objects.filter(review=cast.review).exists()
    assert (
        ActionItem.objects.get(review=cast.review).title == "Test a restore of the backups weekly"
    )


def test_filing_as_an_entry_without_a_time_is_refused_and_keeps_the_suggestion(client, cast):
    suggestion = suggested(client, cast, "went_well", "The restore finished")
    response = client.post(
        f"/reviews/{cast.review.slug}/meeting/suggestions/{suggestion.pk}/",
        {"decision": "accept", "kind": "entry", "text": "The restore finished"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "needs its time" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "pending" and not TimelineEntry.objects.exists()
