"""Running the room: the speaker queue, the ready check, one controlling window, handing the
facilitation over, and passages kept out of the reveal (issue 15)."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.utils import timezone

from reviews.display import display_name
from reviews.models import Participant, Review
from reviews.services.meeting import meeting_move, meeting_reveal, meeting_start, suggestion_add
from reviews.services.room import paragraph_digest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cast(db):
    made = Cast()
    meeting_start(review=made.review)
    return made


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(cast, name: str) -> str:
    return f"/reviews/{cast.review.slug}/meeting/{name}/"


def room_html(client, cast) -> str:
    page = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    start = page.index('id="m-room"')
    return html.unescape(page[start : page.index("</section>", start)])


# --- Hands ---------------------------------------------------------------------------------


def test_hands_queue_in_the_order_raised_and_the_facilitator_lowers_them(cast):
    other = cast.other_row.user
    first, second = client_of(cast.participant), client_of(other)
    before = Review.objects.get(pk=cast.review.pk).version
    assert first.post(url(cast, "hand"), {"raised": "1"}, **HTMX).status_code == 200
    second.post(url(cast, "hand"), {"raised": "1"})
    first.post(url(cast, "hand"), {"raised": "1"})  # again: keeps its place
    assert Review.objects.get(pk=cast.review.pk).version == before + 2
    queue = list(
        Participant.objects.filter(review=cast.review, hand_raised_at__isnull=False)
        .order_by("hand_raised_at", "pk")
        .values_list("user_id", flat=True)
    )
    assert queue == [cast.participant.pk, other.pk]
    facilitator = client_of(cast.facilitator)
    shown = room_html(facilitator, cast)
    assert shown.index("Lower the hand of") < shown.rindex("Lower the hand of")
    assert "Lower every hand" in shown
    facilitator.post(url(cast, "control/hands/lower"), {"participant": cast.participant_row.pk})
    assert list(
        Participant.objects.filter(review=cast.review, hand_raised_at__isnull=False).values_list(
            "user_id", flat=True
        )
    ) == [other.pk]
    second.post(url(cast, "hand"), {"raised": "0"})
    assert not Participant.objects.filter(review=cast.review, hand_raised_at__isnull=False).exists()


def test_every_page_lists_the_queue_and_marks_whose_hand_is_whose(cast):
    client_of(cast.participant).post(url(cast, "hand"), {"raised": "1"})
    other = room_html(client_of(cast.other_row.user), cast)
    assert f'data-hands="{cast.participant.pk}"' in other
    assert "Queue: 1." in other and 'data-room="hand"' in other


def test_hands_are_raised_only_in_a_running_meeting_and_never_for_someone_else(cast):
    client = client_of(cast.participant)
    assert client.post(url(cast, "hand"), {"raised": "maybe"}, **HTMX).status_code == 400
    assert client_of(cast.outsider).post(url(cast, "hand"), {"raised": "1"}).status_code == 404
    assert client_of(cast.member).post(url(cast, "hand"), {"raised": "1"}).status_code == 404
    # A participant cannot lower another's hand: that is the facilitator's control.
    assert client.post(url(cast, "control/hands/lower"), {"participant": "all"}).status_code == 404
    meeting_end_now(cast)
    refused = client.post(url(cast, "hand"), {"raised": "1"}, **HTMX)
    assert refused.status_code == 409 and "not running" in refused.content.decode()


def meeting_end_now(cast):
    from reviews.services.meeting import meeting_end

    meeting_end(review=cast.review)


# --- The ready check -----------------------------------------------------------------------


def test_the_ready_check_counts_participants_and_closes_when_the_phase_moves(cast):
    facilitator = client_of(cast.facilitator)
    participant = client_of(cast.participant)
    # Nobody can answer before the facilitator asks.
    early = participant.post(url(cast, "ready"), {"ready": "1"}, **HTMX)
    assert early.status_code == 409 and "has not asked" in early.content.decode()
    assert "Ask: ready to move on?" in room_html(facilitator, cast)
    facilitator.post(url(cast, "control/ready"))
    assert "Ready to move on?" in room_html(participant, cast)
    # Only those counted are asked: the scribe and observers are not.
    assert "I'm ready" not in room_html(client_of(cast.scribe), cast)
    assert "I'm ready" not in room_html(client_of(cast.observer), cast)
    participant.post(url(cast, "ready"), {"ready": "1"})
    shown = room_html(facilitator, cast)
    # Two participants are expected (the observer, the facilitator and the scribe are not).
    assert "Ready: 1 of 2" in shown and "waiting for" in shown
    assert str(cast.other_row.user.first_name) in shown.split("waiting for")[1]
    # A new question starts afresh.
    facilitator.post(url(cast, "control/ready"))
    assert "Ready: 0 of 2" in room_html(facilitator, cast)
    participant.post(url(cast, "ready"), {"ready": "1"})
    participant.post(url(cast, "ready"), {"ready": "0"})
    assert "Ready: 0 of 2" in room_html(facilitator, cast)
    review = Review.objects.get(pk=cast.review.pk)
    meeting_move(review=review, phase_id=review.agenda.get(position=0).pk, step=1)
    assert Review.objects.get(pk=cast.review.pk).ready_asked_at is None
    assert "Ask: ready to move on?" in room_html(facilitator, cast)


# --- Who has not been heard from -----------------------------------------------------------


def test_the_facilitator_sees_who_has_not_been_heard_from_in_this_phase(cast):
    suggestion_add(
        review=cast.review,
        author=cast.participant,
        kind="went_well",
        text="The alert fired early.",
        payload={},
    )
    shown = room_html(client_of(cast.facilitator), cast)
    quiet = shown.split("Not heard from yet in this phase:")[1].split(".")[0]
    assert cast.other_row.user.first_name in quiet
    assert cast.participant.first_name not in quiet
    # Only the facilitator sees the hint.
    assert "Not heard from" not in room_html(client_of(cast.scribe), cast)


# --- One controlling window ---------------------------------------------------------------


def test_a_second_window_of_the_facilitator_cannot_fight_the_first(cast):
    laptop, phone = client_of(cast.facilitator), client_of(cast.facilitator)
    review = Review.objects.get(pk=cast.review.pk)
    phase = review.agenda.get(position=0).pk
    assert laptop.post(url(cast, "control/pause"), **HTMX).status_code == 200
    refused = phone.post(url(cast, "control/resume"), **HTMX)
    assert refused.status_code == 409
    assert "Another window of yours runs the meeting" in html.unescape(refused.content.decode())
    assert Review.objects.get(pk=cast.review.pk).paused_at is not None  # nothing changed
    # The phone takes control; now the laptop is the one refused.
    phone.post(url(cast, "control/take"), **HTMX)
    assert phone.post(url(cast, "control/resume"), **HTMX).status_code == 200
    assert laptop.post(url(cast, "control/next"), {"phase": phase}, **HTMX).status_code == 409
    # Each page knows which window it is; the room says which one controls.
    page = laptop.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    window = page.split('data-window="')[1].split('"')[0]
    controller = page.split('data-controller="')[1].split('"')[0]
    assert window and controller and window != controller
    assert "Take control here" in page


# --- Handing the facilitation over ---------------------------------------------------------


def test_the_facilitator_hands_over_to_a_participant_and_becomes_one(cast):
    old = client_of(cast.facilitator)
    answer = old.post(url(cast, "control/hand-over"), {"to": cast.participant.pk}, **HTMX)
    assert answer.status_code == 204 and answer["HX-Refresh"] == "true"
    review = Review.objects.get(pk=cast.review.pk)
    assert review.facilitator_id == cast.participant.pk and review.controller == ""
    roles = dict(Participant.objects.filter(review=review).values_list("user_id", "role"))
    assert roles[cast.participant.pk] == "facilitator"
    assert roles[cast.facilitator.pk] == "participant"
    # The old facilitator's controls are gone; the new one's work.
    assert old.post(url(cast, "control/pause"), **HTMX).status_code == 404
    assert client_of(cast.participant).post(url(cast, "control/pause"), **HTMX).status_code == 200


@pytest.mark.parametrize("who", ["scribe", "observer", "outsider"])
def test_the_facilitation_goes_only_to_a_participant(cast, who):
    user = getattr(cast, who)
    answer = client_of(cast.facilitator).post(
        url(cast, "control/hand-over"), {"to": user.pk}, **HTMX
    )
    assert answer.status_code == 409
    assert "to a participant of the review" in html.unescape(answer.content.decode())
    assert Review.objects.get(pk=cast.review.pk).facilitator_id == cast.facilitator.pk


# --- Passages kept out of the reveal -------------------------------------------------------


@pytest.fixture
def moderated_cast(db):
    made = Cast()
    account = made.other_account
    account.body = (
        "I restarted the primary at 23:10.\n\nBob should have known better.\n\nThen it recovered."
    )
    account.submitted_at = timezone.now()
    account.save()
    return made


def test_the_facilitator_keeps_a_passage_out_of_the_reveal_and_the_author_is_told(moderated_cast):
    cast = moderated_cast
    facilitator = client_of(cast.facilitator)
    detail = f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/"
    page = facilitator.get(detail).content.decode()
    assert page.count("Keep out of the reveal") == 3  # one per paragraph
    digest = paragraph_digest("Bob should have known better.")
    facilitator.post(detail + "withhold/", {"passage": digest, "withhold": "1"})
    meeting_start(review=cast.review)
    meeting_reveal(review=cast.review)
    participant_view = client_of(cast.participant).get(f"/reviews/{cast.review.slug}/accounts/")
    text = html.unescape(participant_view.content.decode())
    assert "I restarted the primary at 23:10." in text and "Then it recovered." in text
    assert "Bob should have known better." not in text
    assert "kept a passage of this account out of the reveal" in text
    meeting = html.unescape(
        client_of(cast.participant).get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    )
    assert "Bob should have known better." not in meeting
    # The author reads it whole and is told what was kept out; so does the facilitator.
    own = html.unescape(
        client_of(cast.other_row.user).get(f"/reviews/{cast.review.slug}/account/").content.decode()
    )
    assert "keeps a passage of your account out of the reveal" in own
    assert "“Bob should have known better.”" in own
    assert "Bob should have known better." in html.unescape(
        facilitator.get(detail).content.decode()
    )


def test_nothing_is_withheld_once_revealed_or_by_anyone_but_the_facilitator(moderated_cast):
    cast = moderated_cast
    detail = f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/withhold/"
    digest = paragraph_digest("Bob should have known better.")
    assert (
        client_of(cast.scribe).post(detail, {"passage": digest, "withhold": "1"}).status_code == 404
    )
    facilitator = client_of(cast.facilitator)
    facilitator.post(detail, {"passage": "0" * 16, "withhold": "1"})
    meeting_start(review=cast.review)
    meeting_reveal(review=cast.review)
    after = facilitator.post(detail, {"passage": digest, "withhold": "1"}, follow=True)
    assert "revealed already" in html.unescape(after.content.decode())
    cast.other_account.refresh_from_db()
    assert cast.other_account.withheld == []


def test_the_ready_check_and_hands_follow_on_every_screen_at_the_next_version(cast):
    """A raised hand changes the version, so the poll of everyone else brings the new room."""
    participant = client_of(cast.participant)
    facilitator = client_of(cast.facilitator)
    page = facilitator.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    token = page.split("/meeting/poll/?t=")[1].split('"')[0].split("&")[0]
    version = Review.objects.get(pk=cast.review.pk).version
    participant.post(url(cast, "hand"), {"raised": "1"})
    answer = facilitator.get(
        f"/reviews/{cast.review.slug}/meeting/poll/", {"t": html.unescape(token), "v": version}
    )
    assert answer.status_code == 200
    assert f'data-hands="{cast.participant.pk}"' in answer.content.decode()


# --- Lessons, captured and fixed in the meeting --------------------------------------------


def test_lessons_are_added_edited_and_deleted_in_the_meeting_with_undo(cast):
    from reviews.models import Lesson

    scribe = client_of(cast.scribe)
    base = f"/reviews/{cast.review.slug}/meeting/findings/lesson/"
    page = html.unescape(scribe.get(f"/reviews/{cast.review.slug}/meeting/").content.decode())
    assert "Add a lesson" not in page  # the summary phase captures no lesson
    scribe.post(
        base,
        {"text": "Backups nobody restores are not backups", "lesson_category": "technical"},
        **HTMX,
    )
    lesson = Lesson.objects.get()
    assert lesson.category == "technical" and lesson.created_by == cast.scribe
    edited = scribe.post(
        f"{base}{lesson.pk}/",
        {
            "text": "Restore the backups every week",
            "version": lesson.version,
            "lesson_category": "process",
        },
        **HTMX,
    )
    assert edited.status_code == 200
    lesson.refresh_from_db()
    assert (lesson.text, lesson.category) == ("Restore the backups every week", "process")
    scribe.post(f"{base}{lesson.pk}/delete/", **HTMX)
    assert not Lesson.objects.exists()
    scribe.post(f"/reviews/{cast.review.slug}/meeting/undo/", **HTMX)
    assert Lesson.objects.get().text == "Restore the backups every week"
    # A participant can only suggest.
    assert client_of(cast.participant).post(base, {"text": "x"}).status_code == 404


def test_the_what_went_well_phase_captures_lessons(cast):
    review = Review.objects.get(pk=cast.review.pk)
    agenda = list(review.agenda.order_by("position"))
    for phase in agenda[:4]:
        meeting_move(review=review, phase_id=phase.pk, step=1)
    page = html.unescape(
        client_of(cast.scribe).get(f"/reviews/{review.slug}/meeting/").content.decode()
    )
    assert "Add a lesson" in page and "No lessons yet" in page


# --- Idle -----------------------------------------------------------------------------------


def test_a_page_marks_its_person_idle_and_back_and_the_presence_list_says_so(cast):
    from reviews.views.stream import _presence

    here = f"/reviews/{cast.review.slug}/meeting/here/"
    observer = client_of(cast.observer)
    assert observer.post(here, {"idle": "maybe"}).status_code == 400
    assert client_of(cast.outsider).post(here, {"idle": "1"}).status_code == 404
    assert observer.post(here, {"idle": "1"}).status_code == 204
    shown = _presence(cast.review.pk, [cast.observer.pk, cast.participant.pk])
    assert "2 here" in shown and shown.count("avatar idle") == 1
    assert shown.index(", idle") > shown.index(display_name(cast.participant))  # idle last
    observer.post(here, {"idle": "0"})
    assert "idle" not in _presence(cast.review.pk, [cast.observer.pk, cast.participant.pk])


def test_the_summary_phase_shows_no_empty_capture_card_to_the_scribe(cast):
    page = client_of(cast.scribe).get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    start = page.index('id="m-capture"')
    capture = page[start : page.index("</section>", start)]
    assert 'class="panel"' not in capture
    # A participant still gets the suggestion form there.
    theirs = client_of(cast.participant).get(f"/reviews/{cast.review.slug}/meeting/")
    text = theirs.content.decode()
    start = text.index('id="m-capture"')
    assert "Your suggestion" in text[start : text.index("</section>", start)]


def test_a_hand_lowered_by_the_facilitator_still_counts_as_heard(cast):
    client_of(cast.participant).post(url(cast, "hand"), {"raised": "1"})
    facilitator = client_of(cast.facilitator)
    facilitator.post(url(cast, "control/hands/lower"), {"participant": "all"})
    shown = room_html(facilitator, cast)
    quiet = shown.split("Not heard from yet in this phase:")[1].split(".")[0]
    assert cast.participant.first_name not in quiet
    assert cast.other_row.user.first_name in quiet
