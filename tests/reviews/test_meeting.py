from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from reviews.access import review_access
from reviews.display import agenda_report
from reviews.models import Review, Suggestion, WentWell, WhyNode
from reviews.services.meeting import (
    MeetingRefused,
    agenda_plan,
    agenda_warning,
    clock_for,
    finding_add,
    finding_update,
    meeting_end,
    meeting_extend,
    meeting_move,
    meeting_pause,
    meeting_resume,
    meeting_start,
    suggestion_add,
    suggestion_decide,
)
from reviews.versions import Stale
from tests.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db
T = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def state(review, at):
    review.refresh_from_db()
    agenda = list(review.agenda.order_by("position"))
    return clock_for(review, agenda, at), agenda


def current_id(review):
    return review.agenda.get(started_at__isnull=False, ended_at__isnull=True).pk


@pytest.fixture
def review(db):
    return ReviewFactory()


# --- The clock ------------------------------------------------------------------------------


def test_starting_runs_the_first_phase_with_its_time_box(review):
    meeting_start(review=review, now=T)
    clock, agenda = state(review, T + dt.timedelta(minutes=3))
    assert review.status == "in_meeting" and clock.phase == agenda[0]
    assert clock.remaining == 120 and clock.state == "amber" and clock.running


def test_time_left_counts_down_and_turns_amber_in_the_last_two_minutes(review):
    meeting_start(review=review, now=T)
    meeting_move(review=review, phase_id=current_id(review), step=1, now=T)
    assert state(review, T + dt.timedelta(minutes=22))[0].state == "ok"
    amber = state(review, T + dt.timedelta(minutes=23, seconds=30))[0]
    assert amber.state == "amber" and amber.remaining == 90


def test_pausing_stops_the_clock_and_resuming_starts_it_again(review):
    meeting_start(review=review, now=T)
    meeting_pause(review=review, now=T + dt.timedelta(minutes=1))
    paused = state(review, T + dt.timedelta(minutes=11))[0]
    assert paused.remaining == 240 and not paused.running
    meeting_resume(review=review, now=T + dt.timedelta(minutes=11))
    assert state(review, T + dt.timedelta(minutes=12))[0].remaining == 180
    assert review.agenda.get(position=0).paused_seconds == 600


def test_extending_adds_five_minutes(review):
    meeting_start(review=review, now=T)
    meeting_extend(review=review, phase_id=current_id(review))
    assert state(review, T + dt.timedelta(minutes=4))[0].remaining == 360


def test_an_overrun_counts_up(review):
    meeting_start(review=review, now=T)
    clock = state(review, T + dt.timedelta(minutes=7, seconds=30))[0]
    assert clock.state == "over" and clock.remaining == -150 and clock.overrun == 150


def test_a_late_extend_for_a_phase_already_left_does_nothing(review):
    meeting_start(review=review, now=T)
    first = current_id(review)
    meeting_move(review=review, phase_id=first, step=1, now=T + dt.timedelta(minutes=5))
    meeting_extend(review=review, phase_id=first)
    assert review.agenda.get(position=0).extended_minutes == 0


# --- Phases -----------------------------------------------------------------------------------


def test_the_timeline_phase_reveals_the_accounts_by_default(review):
    meeting_start(review=review, now=T)
    assert Review.objects.get(pk=review.pk).accounts_revealed_at is None
    meeting_move(
        review=review, phase_id=current_id(review), step=1, now=T + dt.timedelta(minutes=5)
    )
    assert Review.objects.get(pk=review.pk).accounts_revealed_at == T + dt.timedelta(minutes=5)


def test_going_back_continues_the_time_of_the_earlier_phase(review):
    meeting_start(review=review, now=T)
    meeting_move(
        review=review, phase_id=current_id(review), step=1, now=T + dt.timedelta(minutes=4)
    )
    meeting_move(
        review=review, phase_id=current_id(review), step=-1, now=T + dt.timedelta(minutes=10)
    )
    clock, agenda = state(review, T + dt.timedelta(minutes=11))
    assert clock.phase == agenda[0] and clock.remaining == 0  # 4 + 1 of 5 minutes used
    assert agenda[1].spent_seconds == 360


def test_a_press_naming_a_phase_that_is_no_longer_current_moves_nothing(review):
    meeting_start(review=review, now=T)
    first = current_id(review)
    assert meeting_move(review=review, phase_id=first, step=1, now=T) is True
    assert meeting_move(review=review, phase_id=first, step=1, now=T) is False
    assert review.agenda.get(started_at__isnull=False, ended_at__isnull=True).position == 1


def test_there_is_no_phase_after_the_last(review):
    meeting_start(review=review, now=T)
    for _ in range(5):
        meeting_move(review=review, phase_id=current_id(review), step=1, now=T)
    with pytest.raises(MeetingRefused, match="last phase"):
        meeting_move(review=review, phase_id=current_id(review), step=1, now=T)


def test_ending_records_actual_minutes_against_the_plan(review):
    meeting_start(review=review, now=T)
    minutes = [7, 20, 25, 10, 5, 12]
    moment = T
    for i, spent in enumerate(minutes):
        moment += dt.timedelta(minutes=spent)
        if i < 5:
            meeting_move(review=review, phase_id=current_id(review), step=1, now=moment)
    meeting_end(review=review, now=moment)
    review.refresh_from_db()
    assert review.status == "writing" and review.meeting_ended_at == moment
    report = agenda_report(list(review.agenda.order_by("position")), moment + dt.timedelta(hours=1))
    assert [r["actual_minutes"] for r in report] == [7.0, 20.0, 25.0, 10.0, 5.0, 12.0]
    assert [r["over"] for r in report] == [True, False, True, False, False, True]


def test_a_meeting_starts_once(review):
    meeting_start(review=review, now=T)
    with pytest.raises(MeetingRefused):
        meeting_start(review=review, now=T)


def test_the_agenda_is_planned_before_the_start_with_a_warning_outside_60_to_90(review):
    phases = list(review.agenda.order_by("position"))
    total = agenda_plan(review=review, minutes={phases[1].pk: 40, phases[2].pk: 30})
    assert total == 105 and "60 to 90" in agenda_warning(total)
    assert agenda_warning(80) == ""
    with pytest.raises(MeetingRefused):
        agenda_plan(review=review, minutes={phases[0].pk: 0})
    meeting_start(review=review, now=T)
    with pytest.raises(MeetingRefused):
        agenda_plan(review=review, minutes={phases[0].pk: 3})


# --- Capture and suggestions --------------------------------------------------------------------


def test_a_stale_save_is_refused_with_the_newer_text(review):
    why = finding_add(
        review=review, kind="why", actor=review.facilitator, text="Why did checkout slow down?"
    )
    finding_update(item=why, version=1, text="Why did checkout p95 reach 9 s?")
    with pytest.raises(Stale) as refused:
        finding_update(
            item=WhyNode.objects.get(pk=why.pk), version=1, text="Why was the cache cold?"
        )
    assert (
        refused.value.current_text == "Why did checkout p95 reach 9 s?"
        and refused.value.version == 2
    )


def test_an_accepted_suggestion_becomes_an_item_and_cannot_be_decided_twice(review):
    meeting_start(review=review, now=T)
    person = UserFactory()
    suggestion = suggestion_add(
        review=review,
        author=person,
        kind="went_well",
        text="The page reached on-call in a minute",
        payload={},
    )
    suggestion_decide(
        suggestion=suggestion,
        actor=review.scribe,
        accept=True,
        text="Paging reached on-call within a minute",
    )
    assert list(WentWell.objects.filter(review=review).values_list("text", flat=True)) == [
        "Paging reached on-call within a minute"
    ]
    with pytest.raises(MeetingRefused):
        suggestion_decide(suggestion=suggestion, actor=review.facilitator, accept=False)


def test_a_suggested_action_is_accepted_with_an_owner_and_date(review):
    meeting_start(review=review, now=T)
    owner = UserFactory()
    suggestion = suggestion_add(
        review=review,
        author=UserFactory(),
        kind="action",
        text="Alert on pool saturation",
        payload={},
    )
    action = suggestion_decide(
        suggestion=suggestion,
        actor=review.scribe,
        accept=True,
        text="Alert on pool saturation above 80%",
        fields={
            "owner": owner,
            "due_on": dt.date(2026, 12, 5),
            "action_type": "monitoring",
            "size": "hours",
        },
    )
    assert (action.owner, action.due_on, action.title) == (
        owner,
        dt.date(2026, 12, 5),
        "Alert on pool saturation above 80%",
    )


def test_a_suggested_entry_keeps_its_time(review):
    meeting_start(review=review, now=T)
    suggestion = suggestion_add(
        review=review,
        author=UserFactory(),
        kind="entry",
        text="Rollback started",
        payload={"occurred_at": "2026-11-20T14:32:00+00:00"},
    )
    entry = suggestion_decide(suggestion=suggestion, actor=review.scribe, accept=True)
    assert (
        entry.occurred_at == dt.datetime(2026, 11, 20, 14, 32, tzinfo=dt.UTC)
        and entry.source == "meeting"
    )


def test_suggestions_are_made_during_the_meeting_only(review):
    with pytest.raises(MeetingRefused):
        suggestion_add(review=review, author=UserFactory(), kind="why", text="x", payload={})


# --- Through HTTP ------------------------------------------------------------------------------


def test_the_facilitator_drives_the_meeting_through_the_controls(client, review):
    client.force_login(review.facilitator)
    url = f"/reviews/{review.slug}/meeting/control/"
    assert client.post(url + "start/").status_code == 302
    response = client.post(url + "next/", {"phase": current_id(review)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="m-state"' in response.content.decode() and response["X-AAR-Version"]
    assert review.agenda.get(started_at__isnull=False, ended_at__isnull=True).phase == "timeline"


def test_two_facilitator_presses_of_next_with_the_same_phase_advance_once(client, review):
    client.force_login(review.facilitator)
    url = f"/reviews/{review.slug}/meeting/control/"
    client.post(url + "start/")
    phase = current_id(review)
    client.post(url + "next/", {"phase": phase})
    client.post(url + "next/", {"phase": phase})
    assert review.agenda.get(started_at__isnull=False, ended_at__isnull=True).position == 1


def test_a_participant_cannot_drive_or_edit(client, cast):
    meeting_start(review=cast.review, now=T)
    client.force_login(cast.participant)
    assert (
        client.post(
            f"/reviews/{cast.review.slug}/meeting/control/next/", {"phase": current_id(cast.review)}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/reviews/{cast.review.slug}/meeting/findings/went_well/", {"text": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/reviews/{cast.review.slug}/meeting/suggestions/",
            {"kind": "went_well", "text": "Good paging"},
        ).status_code
        == 302
    )
    assert Suggestion.objects.filter(review=cast.review).count() == 1
    assert current_id(cast.review) == cast.review.agenda.get(position=0).pk


def test_a_summary_saved_over_a_newer_one_shows_both_texts(client, review):
    meeting_start(review=review, now=T)
    client.force_login(review.scribe)
    url = f"/reviews/{review.slug}/meeting/summary/"
    client.post(url, {"text": "First amendment", "version": 1}, HTTP_HX_REQUEST="true")
    response = client.post(
        url, {"text": "My parallel amendment", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "First amendment" in html and "My parallel amendment" in html
    assert Review.objects.get(pk=review.pk).summary == "First amendment"


def poll_url(client, review):
    page = client.get(f"/reviews/{review.slug}/meeting/").content.decode()
    return re.search(r'id="m-live"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")


def test_the_poll_answers_304_in_at_most_two_queries_while_nothing_changed(client, review):
    meeting_start(review=review, now=T)
    client.force_login(review.facilitator)
    review.refresh_from_db()
    url = poll_url(client, review) + f"&v={review.version}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 304
    assert len(queries) <= 2, [q["sql"] for q in queries]


def test_a_forged_poll_token_gets_no_shortcut(client, review):
    meeting_start(review=review, now=T)
    review.refresh_from_db()
    other = ReviewFactory()
    client.force_login(other.facilitator)
    forged = poll_url(client, other).split("t=")[1]
    response = client.get(f"/reviews/{review.slug}/meeting/poll/?t={forged}&v={review.version}")
    assert response.status_code == 404
    tampered = forged[:-2] + ("aa" if not forged.endswith("aa") else "bb")
    assert (
        client.get(
            f"/reviews/{review.slug}/meeting/poll/?t={tampered}&v={review.version}"
        ).status_code
        == 404
    )


def test_someone_removed_from_the_review_gets_404_on_the_next_poll(client, cast):
    from reviews.services.people import participant_remove

    meeting_start(review=cast.review, now=T)
    cast.review.refresh_from_db()
    client.force_login(cast.observer)
    url = poll_url(client, cast.review)
    assert client.get(url + f"&v={cast.review.version}").status_code == 304
    participant_remove(review=cast.review, participant=cast.observer_row)
    cast.review.refresh_from_db()
    assert client.get(url + f"&v={cast.review.version - 1}").status_code == 404


def test_a_changed_answer_is_the_roles_fragments_swapped_by_id_with_no_ones_token(client, cast):
    meeting_start(review=cast.review, now=T)
    client.force_login(cast.participant)
    url = poll_url(client, cast.review)
    suggestion_add(
        review=cast.review,
        author=cast.participant,
        kind="went_well",
        text="My own idea",
        payload={},
    )
    cast.review.refresh_from_db()
    response = client.get(url + f"&v={cast.review.version - 1}")
    html = response.content.decode()
    assert response.status_code == 200 and int(response["X-AAR-Version"]) == cast.review.version
    for name in ("m-state", "m-phase", "m-capture", "m-suggestions", "m-accounts"):
        assert f'<section id="{name}" hx-swap-oob="true"' in html
    assert "csrfmiddlewaretoken" not in html  # htmx sends each person's own, in a header
    assert "My own idea" in html  # their own suggestions: rendered for them alone
    # Another participant gets the same shared fragments, without the first one's suggestion.
    client.force_login(cast.observer)
    other = client.get(poll_url(client, cast.review) + f"&v={cast.review.version - 1}")
    assert other.status_code == 200 and "My own idea" not in other.content.decode()


def test_a_changed_answer_decides_access_once_per_person_and_version(client, review):
    meeting_start(review=review, now=T)
    client.force_login(review.facilitator)
    review.refresh_from_db()
    url = poll_url(client, review) + f"&v={review.version - 1}"
    assert client.get(url).status_code == 200  # renders once, decides access once
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.status_code == 200
    # The version, the session and its user: no access query, no render.
    assert len(queries) <= 3, [q["sql"] for q in queries]


def test_after_a_change_the_first_answer_decides_access_for_the_whole_room(client, cast):
    other = cast.other_row.user  # a participant too: the same fragments as the first
    meeting_start(review=cast.review, now=T)
    cast.review.refresh_from_db()
    urls = {}
    for person in (cast.participant, other):
        client.force_login(person)
        urls[person.pk] = poll_url(client, cast.review)
    finding_add(review=cast.review, kind="went_well", actor=cast.scribe, text="Paging worked")
    cast.review.refresh_from_db()
    changed = f"&v={cast.review.version - 1}"
    client.force_login(cast.participant)
    assert client.get(urls[cast.participant.pk] + changed).status_code == 200
    client.force_login(other)  # their first answer at this version
    with CaptureQueriesContext(connection) as queries:
        theirs = client.get(urls[other.pk] + changed)
    assert theirs.status_code == 200 and int(theirs["X-AAR-Version"]) == cast.review.version
    # The version, the session, its user and their own suggestions: no access query.
    sql = " ".join(q["sql"] for q in queries)
    assert "reviews_participant" not in sql and len(queries) <= 4, sql
    # Someone not in the room is decided alone, and still gets the 404.
    client.force_login(UserFactory())
    assert client.get(urls[other.pk] + changed).status_code == 404


def test_answers_asking_at_once_wait_for_one_render_instead_of_rendering_side_by_side(
    monkeypatch, review
):
    from reviews import live

    meeting_start(review=review, now=T)
    review.refresh_from_db()
    state = live.state_of(review)
    access = review_access(review.facilitator, review)
    renders = []

    def slow_render(state, role, presenter, access):
        renders.append(role)
        time.sleep(0.3)  # the first answer is still rendering when the others ask
        shared = {"m-phase": f"<section>{access.review.title}</section>"}
        cache.set(live._shared_key(state, role, presenter), shared)
        return shared

    monkeypatch.setattr(live, "render_shared", slow_render)
    results = run_together(
        *[lambda: live.rendered_once(state, "facilitator", False, lambda: access)] * 4
    )
    assert len(renders) == 1
    assert all(result == {"m-phase": f"<section>{review.title}</section>"} for result in results)


def test_the_poll_is_404_for_an_outsider_and_anonymous(client, review):
    assert client.get(f"/reviews/{review.slug}/meeting/poll/?v=1").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/reviews/{review.slug}/meeting/poll/?v=1").status_code == 404


# --- Concurrency on PostgreSQL with real threads -------------------------------------------------


def run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def runner(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_next_phase_presses_at_the_same_moment_advance_one_phase():
    review = ReviewFactory()
    meeting_start(review=review)
    phase = current_id(review)
    results = run_together(
        lambda: meeting_move(review=review, phase_id=phase, step=1),
        lambda: meeting_move(review=review, phase_id=phase, step=1),
    )
    assert sorted(results) == [False, True]
    assert review.agenda.get(started_at__isnull=False, ended_at__isnull=True).position == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_item_at_once_keep_one_and_refuse_the_other():
    review = ReviewFactory()
    why = finding_add(review=review, kind="why", actor=review.facilitator, text="Why?")
    results = run_together(
        lambda: finding_update(
            item=WhyNode.objects.get(pk=why.pk), version=1, text="Text of the facilitator"
        ),
        lambda: finding_update(
            item=WhyNode.objects.get(pk=why.pk), version=1, text="Text of the scribe"
        ),
    )
    stale = [r for r in results if isinstance(r, Stale)]
    saved = [r for r in results if r == 2]
    assert len(stale) == 1 and len(saved) == 1
    assert WhyNode.objects.get(pk=why.pk).text == stale[0].current_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_suggestion_accepted_twice_at_once_creates_one_item():
    review = ReviewFactory()
    meeting_start(review=review)
    suggestion = suggestion_add(
        review=review, author=UserFactory(), kind="went_well", text="Quick rollback", payload={}
    )
    results = run_together(
        lambda: suggestion_decide(
            suggestion=Suggestion.objects.get(pk=suggestion.pk), actor=review.scribe, accept=True
        ),
        lambda: suggestion_decide(
            suggestion=Suggestion.objects.get(pk=suggestion.pk),
            actor=review.facilitator,
            accept=True,
        ),
    )
    assert sum(isinstance(r, MeetingRefused) for r in results) == 1
    assert WentWell.objects.filter(review=review).count() == 1


# --- The header follows the meeting (#15 bug 5) ------------------------------------------------


def test_the_status_badge_and_the_tabs_dot_follow_the_meeting(client, cast):
    client.force_login(cast.participant)
    url = poll_url(client, cast.review)
    cast.review.refresh_from_db()
    before = cast.review.version
    meeting_start(review=cast.review)
    started = client.get(url + f"&v={before}").content.decode()
    assert re.search(
        r'<span id="m-badge" class="badge status-in_meeting" hx-swap-oob="true">In meeting</span>',
        started,
    )
    assert re.search(r'<span id="m-dot" hx-swap-oob="true"> <span class="live-dot"', started)
    cast.review.refresh_from_db()
    during = cast.review.version
    meeting_end(review=cast.review)
    ended = client.get(url + f"&v={during}").content.decode()
    assert 'class="badge status-writing" hx-swap-oob="true">' in ended
    assert '<span id="m-dot" hx-swap-oob="true"></span>' in ended
    # The page itself carries the same ids, so the swaps land.
    page = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    assert page.count('id="m-badge"') == 1 and page.count('id="m-dot"') == 1


def test_an_extended_phase_is_not_shown_as_over_while_its_clock_has_time_left(review):
    meeting_start(review=review, now=T)
    phase = review.agenda.get(position=0)
    meeting_extend(review=review, phase_id=phase.pk, minutes=5)
    at = T + dt.timedelta(minutes=phase.planned_minutes + 2)  # past the plan, inside the extension
    clock, agenda = state(review, at)
    assert clock.remaining > 0
    assert agenda_report(agenda, at)[0]["over"] is False
    later = T + dt.timedelta(minutes=phase.planned_minutes + 6)
    assert agenda_report(list(review.agenda.order_by("position")), later)[0]["over"] is True


# --- Delete, and undo until the next change (#15) ------------------------------------------------


def test_a_deleted_why_comes_back_with_its_answers_and_evidence_until_the_next_change(client, cast):
    from reviews.models import TimelineEntry

    meeting_start(review=cast.review)
    entry = TimelineEntry.objects.create(
        review=cast.review, occurred_at=T, kind="detection", description="Alert fired"
    )
    why = finding_add(review=cast.review, kind="why", actor=cast.scribe, text="Why did it fail?")
    answer = finding_add(
        review=cast.review,
        kind="why",
        actor=cast.scribe,
        text="The pool was small",
        parent_id=why.pk,
    )
    answer.evidence.set([entry])
    client.force_login(cast.scribe)
    slug = cast.review.slug
    client.post(f"/reviews/{slug}/meeting/findings/why/{why.pk}/delete/", HTTP_HX_REQUEST="true")
    assert not WhyNode.objects.filter(review=cast.review).exists()
    page = client.get(f"/reviews/{slug}/meeting/").content.decode()
    assert "Deleted “Why did it fail?”" in page and ">Undo</button>" in page
    response = client.post(f"/reviews/{slug}/meeting/undo/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Put back" in response.content.decode()
    restored = WhyNode.objects.get(pk=answer.pk)
    assert restored.parent_id == why.pk and list(restored.evidence.all()) == [entry]
    assert WhyNode.objects.get(pk=why.pk).text == "Why did it fail?"
    # Undone once; a second undo has nothing to put back.
    assert client.post(f"/reviews/{slug}/meeting/undo/", HTTP_HX_REQUEST="true").status_code == 409


def test_the_undo_lapses_with_the_next_change(client, cast):
    meeting_start(review=cast.review)
    item = finding_add(
        review=cast.review, kind="went_well", actor=cast.scribe, text="Paging worked"
    )
    client.force_login(cast.scribe)
    slug = cast.review.slug
    client.post(
        f"/reviews/{slug}/meeting/findings/went_well/{item.pk}/delete/", HTTP_HX_REQUEST="true"
    )
    finding_add(review=cast.review, kind="went_well", actor=cast.scribe, text="Rollback was quick")
    assert ">Undo</button>" not in client.get(f"/reviews/{slug}/meeting/").content.decode()
    response = client.post(f"/reviews/{slug}/meeting/undo/", HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "something else has changed" in response.content.decode()
    assert not WentWell.objects.filter(pk=item.pk).exists()
    # Participants never see the undo.
    client.force_login(cast.participant)
    assert client.post(f"/reviews/{slug}/meeting/undo/").status_code == 404


def test_an_entry_is_corrected_and_deleted_in_the_meeting_and_put_back(client, cast):
    from reviews.models import TimelineEntry

    meeting_start(review=cast.review)
    meeting_move(review=cast.review, phase_id=current_id(cast.review), step=1)  # the timeline
    entry = TimelineEntry.objects.create(
        review=cast.review, occurred_at=T, kind="other", description="Alert"
    )
    why = finding_add(review=cast.review, kind="why", actor=cast.scribe, text="Why so late?")
    why.evidence.set([entry])
    client.force_login(cast.scribe)
    slug = cast.review.slug
    page = client.get(f"/reviews/{slug}/meeting/").content.decode()
    assert f"/meeting/entries/{entry.pk}/edit/" in page and ">Delete</button>" in page
    form = client.get(f"/reviews/{slug}/meeting/entries/{entry.pk}/edit/").content.decode()
    assert 'name="occurred_at" value="2026-11-24T' in form and ">Alert</textarea>" in form
    edit = {"occurred_at": "2026-11-24T10:05", "kind": "detection", "description": "Alert fired"}
    saved = client.post(
        f"/reviews/{slug}/meeting/entries/{entry.pk}/edit/",
        {**edit, "version": entry.version},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    entry.refresh_from_db()
    assert (entry.kind, entry.description) == ("detection", "Alert fired")
    # A second edit from a page that had not seen the first shows both texts, keeps its own.
    stale = client.post(
        f"/reviews/{slug}/meeting/entries/{entry.pk}/edit/",
        {
            "occurred_at": "2026-11-24T10:20",
            "kind": "pivot",
            "description": "Pager alert",
            "version": entry.version - 1,
        },
        HTTP_HX_REQUEST="true",
    )
    html = stale.content.decode()
    assert stale.status_code == 409 and "Alert fired" in html and "Pager alert" in html
    # Its time and kind stay as this person set them, not only its text.
    assert 'name="occurred_at" value="2026-11-24T10:20"' in html
    assert '<option value="pivot" selected>' in html
    # Deleted, then put back with the why's evidence link.
    client.post(f"/reviews/{slug}/meeting/entries/{entry.pk}/delete/", HTTP_HX_REQUEST="true")
    assert not TimelineEntry.objects.filter(pk=entry.pk).exists()
    client.post(f"/reviews/{slug}/meeting/undo/", HTTP_HX_REQUEST="true")
    assert TimelineEntry.objects.get(pk=entry.pk).description == "Alert fired"
    assert list(WhyNode.objects.get(pk=why.pk).evidence.all()) == [
        TimelineEntry.objects.get(pk=entry.pk)
    ]


def test_an_action_is_changed_in_one_form_in_the_meeting(client, cast):
    from actions.models import ActionEvent, ActionItem

    meeting_start(review=cast.review)
    for _ in range(5):  # to the action items
        meeting_move(review=cast.review, phase_id=current_id(cast.review), step=1)
    action = ActionItem.objects.create(
        review=cast.review,
        title="Alert on lag",
        owner=cast.participant,
        due_on=dt.date(2026, 12, 18),
    )
    client.force_login(cast.scribe)
    slug = cast.review.slug
    page = client.get(f"/reviews/{slug}/meeting/").content.decode()
    assert f"/meeting/actions/{action.pk}/edit/" in page
    form = client.get(f"/reviews/{slug}/meeting/actions/{action.pk}/edit/").content.decode()
    for name in ("title", "owner", "due_on", "action_type", "size", "definition_of_done"):
        assert f'name="{name}"' in form, name
    other = cast.other_row.user
    posted = {
        "title": "Alert when replication lag passes 60 s",
        "owner": other.pk,
        "due_on": "2026-12-23",
        "action_type": "monitoring",
        "size": "hours",
        "definition_of_done": "The alert fires in a drill",
        "reason": "Waiting for the vendor",
        "version": action.version,
    }
    saved = client.post(
        f"/reviews/{slug}/meeting/actions/{action.pk}/edit/", posted, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    action.refresh_from_db()
    assert (action.title, action.owner, action.due_on, action.action_type, action.size) == (
        "Alert when replication lag passes 60 s",
        other,
        dt.date(2026, 12, 23),
        "monitoring",
        "hours",
    )
    kinds = set(ActionEvent.objects.filter(action=action).values_list("kind", flat=True))
    assert {"edited", "owner", "due_date"} <= kinds
    # A page that had not seen it: both titles shown, nothing changed.
    stale = client.post(
        f"/reviews/{slug}/meeting/actions/{action.pk}/edit/",
        {**posted, "title": "Page on lag", "version": action.version - 3},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409 and "Page on lag" in stale.content.decode()
    action.refresh_from_db()
    assert action.title == "Alert when replication lag passes 60 s"
    # A moved date without its reason is refused, changing nothing.
    refused = client.post(
        f"/reviews/{slug}/meeting/actions/{action.pk}/edit/",
        {**posted, "due_on": "2027-01-08", "reason": "", "size": "days", "version": action.version},
        HTTP_HX_REQUEST="true",
    )
    action.refresh_from_db()
    assert refused.status_code == 400 and "needs a reason" in refused.content.decode()
    assert action.due_on == dt.date(2026, 12, 23) and action.size == "hours"
    # Deleted, and put back with its history.
    client.post(f"/reviews/{slug}/meeting/actions/{action.pk}/delete/", HTTP_HX_REQUEST="true")
    assert not ActionItem.objects.filter(pk=action.pk).exists()
    client.post(f"/reviews/{slug}/meeting/undo/", HTTP_HX_REQUEST="true")
    assert ActionItem.objects.get(pk=action.pk).title == "Alert when replication lag passes 60 s"
    assert ActionEvent.objects.filter(action_id=action.pk).count() >= 3
