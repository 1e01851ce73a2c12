"""The smaller holes: the poll's policy header, the hints' answer for ids, escaping once."""

from __future__ import annotations

import re

import pytest

from reviews.models import WhyNode
from reviews.services.meeting import meeting_move, meeting_start

pytestmark = pytest.mark.django_db


def test_the_poll_answer_carries_a_content_security_policy(client, cast):
    meeting_start(review=cast.review)
    client.force_login(cast.participant)
    response = client.get(f"/reviews/{cast.review.slug}/meeting/poll/", {"v": "0"})
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_hints_answer_the_same_for_an_existing_and_a_missing_owner_id(client, cast):
    client.force_login(cast.outsider)
    answers = [
        client.post(
            "/hints/",
            {"context": "action", "title": "Add an alert on replication lag", "owner": owner},
        ).content
        for owner in (str(cast.owner.pk), "987654321")
    ]
    assert answers[0] == answers[1]


def test_an_aria_label_with_quotes_and_ampersands_is_escaped_once(client, cast):
    meeting_start(review=cast.review)
    WhyNode.objects.create(review=cast.review, text='Tom\'s "fix" <b> & co')
    for position in (0, 1):
        phase = cast.review.agenda.get(position=position).pk
        meeting_move(review=cast.review, phase_id=phase, step=1)
    client.force_login(cast.scribe)
    html = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    labels = re.findall(r'aria-label="Answer to: ([^"]*)"', html)
    assert labels == ["Tom&#x27;s &quot;fix&quot; &lt;b&gt; &amp; co"]
