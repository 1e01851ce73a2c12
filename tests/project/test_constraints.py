"""The rules the database holds, refused by PostgreSQL itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import ActionItem
from reviews.models import Account, AgendaPhase, Participant, Review
from tests.factories import ActionItemFactory, ParticipantFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def test_facilitator_and_scribe_must_differ():
    review = ReviewFactory()
    assert refused(lambda: Review.objects.filter(pk=review.pk).update(scribe=review.facilitator))


def test_the_event_cannot_end_before_it_starts():
    review = ReviewFactory()
    assert refused(
        lambda: Review.objects.filter(pk=review.pk).update(
            event_ended_at=review.event_started_at - dt.timedelta(minutes=1)
        )
    )


def test_planned_minutes_must_be_positive():
    review = ReviewFactory()
    phase = review.agenda.first()
    assert refused(lambda: AgendaPhase.objects.filter(pk=phase.pk).update(planned_minutes=0))


def test_a_participant_has_one_account():
    participant = ParticipantFactory()
    Account.objects.create(review=participant.review, participant=participant, body="first")
    assert refused(
        lambda: Account.objects.create(
            review=participant.review, participant=participant, body="second"
        )
    )


def test_a_user_has_one_participant_row_per_review():
    participant = ParticipantFactory()
    assert refused(
        lambda: Participant.objects.create(review=participant.review, user=participant.user)
    )


def test_an_action_cannot_be_done_without_a_verification_note():
    action = ActionItemFactory()
    assert refused(
        lambda: ActionItem.objects.filter(pk=action.pk).update(
            status="done", closed_at=timezone.now()
        )
    )


def test_an_open_action_has_no_closing_time():
    action = ActionItemFactory()
    assert refused(lambda: ActionItem.objects.filter(pk=action.pk).update(closed_at=timezone.now()))


def test_a_valid_row_is_accepted():
    review = ReviewFactory()
    user = UserFactory()
    assert not refused(lambda: Participant.objects.create(review=review, user=user))
