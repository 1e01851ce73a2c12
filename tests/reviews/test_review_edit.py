"""Editing a review never writes over what others changed meanwhile."""

from __future__ import annotations

from django.utils import timezone

from reviews.models import Review, ReviewStatus
from reviews.services.meeting import meeting_start

DATETIMES = (
    "event_started_at",
    "event_detected_at",
    "event_ended_at",
    "scheduled_at",
    "accounts_due_at",
)


def edit_form_data(client, review):
    """What the edit page's form would post back untouched, as a browser holds it."""
    form = client.get(f"/reviews/{review.slug}/edit/").context["form"]
    values = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in values.items() if v is not None}
    for name in DATETIMES:
        value = values.get(name)
        data[name] = value.strftime("%Y-%m-%dT%H:%M") if value else ""  # shown in local time
    data["next_review_on"] = data.get("next_review_on") or ""
    data["no_actions"] = "on" if values.get("no_actions") else ""
    data["facilitator"], data["scribe"] = review.facilitator_id, review.scribe_id
    return data


def test_an_edit_opened_before_the_meeting_does_not_revert_the_scribes_summary(client, cast):
    client.force_login(cast.owner)
    stale_page = edit_form_data(client, cast.review)  # opened before the meeting
    meeting_start(review=cast.review)
    client.force_login(cast.scribe)
    summary_url = f"/reviews/{cast.review.slug}/meeting/summary/"
    client.post(summary_url, {"text": "The scribe's summary", "version": 1}, HTTP_HX_REQUEST="true")
    before = Review.objects.get(pk=cast.review.pk)
    assert before.summary == "The scribe's summary"

    client.force_login(cast.owner)
    stale_page["summary"] = "The owner's summary"
    response = client.post(f"/reviews/{cast.review.slug}/edit/", stale_page)

    assert response.status_code == 409
    html = response.content.decode()
    assert "The scribe&#x27;s summary" in html and "The owner&#x27;s summary" in html
    after = Review.objects.get(pk=cast.review.pk)
    assert after.summary == "The scribe's summary"
    assert after.status == ReviewStatus.IN_MEETING
    assert after.version == before.version and after.summary_version == before.summary_version
    # Saving again from the conflict page goes against the newer version and is taken.
    form = response.context["form"]
    assert str(form.data["summary_version"]) == str(before.summary_version)


def test_an_edit_saves_only_its_own_columns(client, cast):
    client.force_login(cast.owner)
    stale_page = edit_form_data(client, cast.review)
    meeting_start(review=cast.review)
    Review.objects.filter(pk=cast.review.pk).update(paused_at=timezone.now())
    before = Review.objects.get(pk=cast.review.pk)

    stale_page["impact_duration"] = "47 minutes"
    response = client.post(f"/reviews/{cast.review.slug}/edit/", stale_page)

    assert response.status_code == 302, response.content.decode()[:2000]
    after = Review.objects.get(pk=cast.review.pk)
    assert after.impact_duration == "47 minutes"
    assert after.status == ReviewStatus.IN_MEETING
    assert after.paused_at == before.paused_at
    assert after.meeting_started_at == before.meeting_started_at
    assert after.version > before.version  # bumped from the stored one, not written back


def test_a_summary_edited_on_the_form_with_the_current_version_is_saved(client, cast):
    client.force_login(cast.owner)
    data = edit_form_data(client, cast.review)
    data["summary"] = "Drafted before the meeting"
    assert client.post(f"/reviews/{cast.review.slug}/edit/", data).status_code == 302
    review = Review.objects.get(pk=cast.review.pk)
    assert review.summary == "Drafted before the meeting" and review.summary_version == 2
