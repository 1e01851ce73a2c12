"""The external summary of a SEV-1/2 incident names roles, never people, however they are spelt."""

from __future__ import annotations

import pytest

from reviews.models import Review
from reviews.report import external_data
from tests.factories import ParticipantFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "Pat Moreno restarted the primary.",
    "PAT MORENO restarted the primary.",
    "pat moreno restarted the primary.",
    "Moreno restarted the primary.",
    "Pat restarted the primary.",
    "@pat.moreno restarted the primary.",
    "pat.moreno@example.com restarted the primary.",
    "PAT.MORENO@EXAMPLE.COM restarted the primary.",
    "Martin Luther King Jr. restarted the primary.",
    "KING JR. restarted the primary.",
    "RT-FAC@EXAMPLE.NET restarted the primary.",
    "rt-fac restarted the primary.",
]


@pytest.fixture
def incident(db):
    facilitator = UserFactory(first_name="Rita", last_name="Tanaka", email="rt-fac@example.net")
    review = ReviewFactory(kind="incident", severity="sev1", facilitator=facilitator)
    ParticipantFactory(
        review=review,
        user=UserFactory(first_name="Pat", last_name="Moreno", email="pat.moreno@example.com"),
    )
    ParticipantFactory(
        review=review,
        user=UserFactory(first_name="Martin Luther", last_name="King Jr.", email="mlk@example.com"),
    )
    return review


@pytest.mark.parametrize("sentence", SPELLINGS)
def test_a_name_in_any_spelling_becomes_a_role(incident, sentence):
    Review.objects.filter(pk=incident.pk).update(summary=sentence)
    summary = external_data(Review.objects.get(pk=incident.pk))["review"].summary
    assert summary.endswith("restarted the primary.")
    for leak in ("pat", "moreno", "king", "martin", "rt-fac", "example"):
        assert leak not in summary.casefold(), summary
    assert summary.startswith("[")


def test_words_that_only_contain_a_name_are_left_alone(incident):
    Review.objects.filter(pk=incident.pk).update(summary="The patch compatibility check ran.")
    summary = external_data(Review.objects.get(pk=incident.pk))["review"].summary
    assert summary == "The patch compatibility check ran."
