from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from reviews.models import Account, ReviewStatus
from reviews.services.accounts import account_reminders_queue
from tests.factories import AccountFactory, ParticipantFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(client, db):
    participant = ParticipantFactory()
    client.force_login(participant.user)
    return participant


def save(client, participant, body, version, **extra):
    return client.post(
        f"/reviews/{participant.review.slug}/account/save/",
        {"body": body, "version": version, **extra},
        HTTP_HX_REQUEST="true",
    )


def test_the_draft_saves_as_the_person_types_and_says_so(client, writer):
    response = save(client, writer, "At 14:32 I saw the alert.", 1)
    assert response.status_code == 200
    assert b"Saved" in response.content
    assert b'value="2"' in response.content  # the next save carries the new version
    account = Account.objects.get(participant=writer)
    assert (
        account.body == "At 14:32 I saw the alert."
        and account.version == 2
        and account.submitted_at is None
    )


def test_a_late_autosave_never_overwrites_a_newer_save(client, writer):
    save(client, writer, "first draft", 1)
    save(client, writer, "second, newer text", 2)
    response = save(client, writer, "the late one, typed before the second", 2)
    assert response.status_code == 409
    content = response.content.decode()
    assert "second, newer text" in content  # theirs shown
    assert Account.objects.get(participant=writer).body == "second, newer text"


def test_a_conflicting_save_keeps_both_texts_in_the_page(client, writer):
    save(client, writer, "saved in another tab", 1)
    response = client.post(
        f"/reviews/{writer.review.slug}/account/save/",
        {"body": "typed here", "version": 1, "save": "1"},
    )
    assert response.status_code == 409
    assert b"saved in another tab" in response.content
    assert b"typed here" in response.content


def test_submitting_marks_the_account_submitted(client, writer):
    save(client, writer, "my account", 1)
    response = client.post(
        f"/reviews/{writer.review.slug}/account/save/",
        {"body": "my account, final", "version": 2, "submit": "1"},
    )
    assert response.status_code == 302
    account = Account.objects.get(participant=writer)
    assert account.submitted_at is not None and account.body == "my account, final"


def test_a_submitted_account_is_not_overwritten_by_a_late_autosave(client, writer):
    save(client, writer, "draft", 1)
    client.post(
        f"/reviews/{writer.review.slug}/account/save/",
        {"body": "final", "version": 2, "submit": "1"},
    )
    response = save(client, writer, "draft plus a late keystroke", 2)
    assert response.status_code == 409
    assert Account.objects.get(participant=writer).body == "final"


def test_a_submit_racing_an_autosave_of_the_same_text_still_submits(client, writer):
    save(client, writer, "the whole account", 1)
    response = client.post(
        f"/reviews/{writer.review.slug}/account/save/",
        {"body": "the whole account", "version": 1, "submit": "1"},
    )
    assert response.status_code == 302
    assert Account.objects.get(participant=writer).submitted_at is not None


def test_an_autosave_landing_between_the_submits_read_and_write_is_no_conflict(client, writer):
    """The blur's autosave of the same text commits after the page read version 2; the submit
    that follows still carries version 2, and goes through instead of reporting a conflict
    with itself. Two real requests, in the order the browser sends them."""
    save(client, writer, "the whole account", 1)  # version 2, as the page holds it
    assert save(client, writer, "the whole account", 2).status_code == 200  # the blur
    response = client.post(
        f"/reviews/{writer.review.slug}/account/save/",
        {"body": "the whole account", "version": 2, "submit": "1"},
    )
    assert response.status_code == 302
    account = Account.objects.get(participant=writer)
    assert account.submitted_at is not None and account.body == "the whole account"


def test_accounts_close_when_the_meeting_starts_and_the_text_comes_back(client, writer):
    save(client, writer, "draft", 1)
    writer.review.status = ReviewStatus.IN_MEETING
    writer.review.save()
    assert save(client, writer, "typed in the editor", 2).status_code == 409
    response = client.post(
        f"/reviews/{writer.review.slug}/account/save/",
        {"body": "too late but not lost", "version": 2},
    )
    assert response.status_code == 409
    assert b"too late but not lost" in response.content
    assert Account.objects.get(participant=writer).body == "draft"


def test_a_bad_version_is_refused_and_the_text_is_kept(client, writer):
    assert save(client, writer, "precious words", "not-a-number").status_code == 400
    response = client.post(
        f"/reviews/{writer.review.slug}/account/save/", {"body": "precious words", "version": "x"}
    )
    assert response.status_code == 400
    assert b"precious words" in response.content
    assert not Account.objects.exists()


def test_an_observer_has_no_account_to_write(client, db):
    observer = ParticipantFactory(role="observer")
    client.force_login(observer.user)
    assert client.get(f"/reviews/{observer.review.slug}/account/").status_code == 404
    assert save(client, observer, "x", 1).status_code == 404


# --- Reminders -------------------------------------------------------------------------


def invited_review(**kwargs):
    review = ReviewFactory(invitations_sent_at=timezone.now(), **kwargs)
    return review


def test_each_writer_without_a_submitted_account_gets_one_reminder_before_the_deadline(
    db, django_capture_on_commit_callbacks
):
    now = timezone.now()
    review = invited_review(
        accounts_due_at=now + dt.timedelta(hours=20), scheduled_at=now + dt.timedelta(days=1)
    )
    late = ParticipantFactory(review=review)
    done = ParticipantFactory(review=review)
    AccountFactory(participant=done, submitted_at=now)
    ParticipantFactory(review=review, role="observer")
    with django_capture_on_commit_callbacks(execute=True):
        # The participant who has not submitted; not the facilitator and the scribe, who run
        # the review and are not expected to write, nor the observer.
        assert account_reminders_queue(now) == 1
    assert [m.to[0] for m in mail.outbox] == [late.user.email]
    assert account_reminders_queue(now + dt.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_outside_the_last_24_hours(db):
    now = timezone.now()
    invited_review(
        accounts_due_at=now + dt.timedelta(hours=30), scheduled_at=now + dt.timedelta(days=2)
    )
    invited_review(accounts_due_at=now - dt.timedelta(hours=1))
    assert account_reminders_queue(now) == 0
    assert mail.outbox == []


def test_the_reminder_task_runs_the_same_job(db, django_capture_on_commit_callbacks):
    from reviews.tasks import send_account_reminders

    now = timezone.now()
    review = invited_review(
        accounts_due_at=now + dt.timedelta(hours=3), scheduled_at=now + dt.timedelta(days=1)
    )
    writer = ParticipantFactory(review=review)
    with django_capture_on_commit_callbacks(execute=True):
        send_account_reminders.delay()
    assert [m.to[0] for m in mail.outbox] == [writer.user.email]


def test_the_facilitator_reminds_one_person_at_most_once_an_hour(client, cast):
    client.force_login(cast.facilitator)
    url = f"/reviews/{cast.review.slug}/accounts/{cast.participant_row.pk}/remind/"
    with time_machine.travel("2026-11-21 10:05 +0000", tick=False):
        client.post(url)
        client.post(url)
    assert [m.to for m in mail.outbox] == [[cast.participant.email]]
    with time_machine.travel("2026-11-21 11:10 +0000", tick=False):
        client.post(url)
    assert len(mail.outbox) == 2


def test_a_participant_cannot_remind_others(client, cast):
    client.force_login(cast.participant)
    assert (
        client.post(f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/remind/").status_code
        == 404
    )
    assert mail.outbox == []


def test_only_the_people_expected_to_write_are_counted_and_reminded(client, cast):
    """The facilitator and the scribe run the review: not "3 of 6", no Remind for themselves."""
    client.force_login(cast.facilitator)
    detail = client.get(f"/reviews/{cast.review.slug}/").content.decode()
    writers = cast.review.participants.filter(role="participant").count()
    assert f"Accounts: 0 of {writers} submitted" in detail
    listing = client.get(f"/reviews/{cast.review.slug}/accounts/").content.decode()
    assert f"Remind {cast.facilitator.get_full_name() or cast.facilitator.email}" not in listing
    assert f"Remind {cast.scribe.get_full_name() or cast.scribe.email}" not in listing
    assert listing.count('aria-label="Remind ') == writers
